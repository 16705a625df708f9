// WriteBatchInternal: engine-only access to a WriteBatch's encoded form (its WAL record), its
// sequence number and count, and the step that applies a batch to a memtable.
//
// Encoding (do not change: on-disk format, it is the WAL record payload):
//
//   fixed64 first sequence | fixed32 count | count x entry
//   entry := tag byte (ValueType::kValue or kDeletion) | length-prefixed key
//            | length-prefixed value (puts only)
//
// Entry i gets sequence Sequence(batch) + i. A batch that decodes must have exactly `count`
// entries and no trailing bytes; anything else is Corruption, and a corrupt batch applies nothing.
//
// Thread contract: thread-compatible (like WriteBatch itself).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/status.h"
#include "engine/types.h"
#include "engine/write_batch.h"

namespace engine {

class MemTable;

// Do not change: on-disk format (WAL record header).
inline constexpr size_t kWriteBatchSequenceOffset = 0;
inline constexpr size_t kWriteBatchCountOffset = 8;
inline constexpr size_t kWriteBatchHeaderBytes = 12;
static_assert(kWriteBatchCountOffset == kWriteBatchSequenceOffset + sizeof(uint64_t));
static_assert(kWriteBatchHeaderBytes == kWriteBatchCountOffset + sizeof(uint32_t));

class WriteBatchInternal {
 public:
  static SequenceNumber Sequence(const WriteBatch* batch);
  // REQUIRES: seq <= kMaxSequenceNumber.
  static void SetSequence(WriteBatch* batch, SequenceNumber seq);
  static uint32_t Count(const WriteBatch* batch);
  // Rewrites the header's count only; the entries must be made to match.
  static void SetCount(WriteBatch* batch, uint32_t count);
  static std::string_view Contents(const WriteBatch* batch);
  // Replaces the batch with `contents` (e.g. a WAL record). Corruption if it is too short for the
  // header; entries are checked later, by Iterate or InsertInto.
  static Status SetContents(WriteBatch* batch, std::string_view contents);
  // Adds every entry to `memtable` with consecutive sequences starting at Sequence(batch).
  // Corruption (and nothing added) if the batch is malformed or its sequences would pass
  // kMaxSequenceNumber. REQUIRES: the caller serializes writers to `memtable`.
  static Status InsertInto(const WriteBatch* batch, MemTable* memtable);
  // Appends src's entries to dst; dst keeps its own sequence number.
  static void Append(WriteBatch* dst, const WriteBatch* src);
};

}  // namespace engine
