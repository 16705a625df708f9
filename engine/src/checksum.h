// Checksum: the 32-bit block/record checksum of every on-disk format (the low half of XXH3-64).
//
// Thread contract: immutable (pure functions).
#pragma once

#include <cstdint>
#include <string_view>

// XXH3_state_t is only complete with static-linking declarations.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

namespace engine {

inline uint32_t Checksum(std::string_view data) {
  return static_cast<uint32_t>(XXH3_64bits(data.data(), data.size()));
}

// Checksum of `a` followed by `b`, without concatenating them.
inline uint32_t Checksum2(std::string_view a, std::string_view b) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, a.data(), a.size());
  XXH3_64bits_update(&state, b.data(), b.size());
  return static_cast<uint32_t>(XXH3_64bits_digest(&state));
}

}  // namespace engine
