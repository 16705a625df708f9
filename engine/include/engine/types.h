// Basic engine-wide types and limits shared by the public API.
//
// Thread contract: immutable (constants and aliases only).
#pragma once

#include <cstdint>

namespace engine {

// Every write is assigned the next sequence number; a read observes every write with a sequence
// number at or below the one it reports. Sequence 0 means "before any write".
using SequenceNumber = uint64_t;

// Sequence numbers share 8 bytes with the value type in an internal key, so they have 56 bits.
inline constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

// Levels 0..kNumLevels-1. Level 0 holds flushed memtables whose key ranges may overlap.
inline constexpr int kNumLevels = 7;

}  // namespace engine
