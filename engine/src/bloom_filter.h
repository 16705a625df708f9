// Bloom filter over a table's user keys: lets Table::Get skip the index and data reads for a key
// the table cannot hold.
//
// One filter covers the whole table (not LevelDB's per-2KB filters). Each key is hashed once with
// XXH3-64 and probed at num_probes bit positions by double hashing (low and high 32-bit halves).
//
// Layout (Do not change: on-disk format): the bit array (bit i is bit i%8 of byte i/8), then one
// byte holding num_probes. An empty filter, or one with an unknown probe count, matches every key
// so that a reader never drops a key because it cannot interpret the filter.
//
// Invariants: no false negatives — every key added to the builder matches the finished filter.
//
// Thread contract: BloomFilterBuilder is thread-compatible; BloomFilter is immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engine {

// Probe counts outside [1, kBloomProbesMax] are never written and read as "matches everything".
inline constexpr int kBloomProbesMax = 30;  // Do not change: on-disk format.

class BloomFilterBuilder {
 public:
  // bits_per_key <= 0 builds an empty filter, which matches every key.
  explicit BloomFilterBuilder(int bits_per_key);

  // Adding a key twice is harmless but sizes the filter for one more key than needed.
  void AddKey(std::string_view user_key);
  // The serialized filter for every key added so far.
  std::string Finish() const;
  size_t NumKeys() const { return key_hashes_.size(); }

 private:
  const int bits_per_key_;
  const int num_probes_;
  // One hash per key: the filter's size depends on the final key count, so bits are set at Finish.
  std::vector<uint64_t> key_hashes_;
};

class BloomFilter {
 public:
  // `contents` is a filter written by BloomFilterBuilder::Finish.
  explicit BloomFilter(std::string contents);

  // False only if `user_key` was certainly not added.
  bool KeyMayMatch(std::string_view user_key) const;

 private:
  const std::string contents_;
};

}  // namespace engine
