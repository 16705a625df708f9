#include "bloom_filter.h"

#include <xxhash.h>

#include <algorithm>
#include <utility>

namespace engine {

namespace {

// Too small a filter has a high false-positive rate for small key counts; 64 bits costs nothing.
constexpr size_t kBloomBitsMin = 64;

uint64_t BloomHash(std::string_view user_key) {
  return XXH3_64bits(user_key.data(), user_key.size());
}

// The i-th probe position by double hashing: (h1 + i * h2) mod bits, with h1 and h2 the 32-bit
// halves of one 64-bit hash. 64-bit arithmetic keeps the sequence from wrapping early, and an odd
// h2 is never a multiple of the (even) bit count, so the probes never all land on one bit.
size_t ProbeBit(uint64_t hash, int probe, size_t bits) {
  const uint64_t h1 = hash & 0xffffffffu;
  const uint64_t h2 = (hash >> 32) | 1;
  return static_cast<size_t>((h1 + static_cast<uint64_t>(probe) * h2) % bits);
}

// k = bits_per_key * ln 2 minimises the false-positive rate.
int ProbesFor(int bits_per_key) {
  const int probes = static_cast<int>(bits_per_key * 0.69);
  return std::clamp(probes, 1, kBloomProbesMax);
}

}  // namespace

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(bits_per_key), num_probes_(ProbesFor(bits_per_key)) {}

void BloomFilterBuilder::AddKey(std::string_view user_key) {
  key_hashes_.push_back(BloomHash(user_key));
}

std::string BloomFilterBuilder::Finish() const {
  if (bits_per_key_ <= 0) return std::string();
  const size_t bits_wanted = key_hashes_.size() * static_cast<size_t>(bits_per_key_);
  const size_t bytes = (std::max(bits_wanted, kBloomBitsMin) + 7) / 8;
  const size_t bits = bytes * 8;
  std::string filter(bytes, '\0');
  for (const uint64_t hash : key_hashes_) {
    for (int probe = 0; probe < num_probes_; probe++) {
      const size_t bit = ProbeBit(hash, probe, bits);
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
    }
  }
  filter.push_back(static_cast<char>(num_probes_));
  return filter;
}

BloomFilter::BloomFilter(std::string contents) : contents_(std::move(contents)) {}

bool BloomFilter::KeyMayMatch(std::string_view user_key) const {
  if (contents_.size() < 2) return true;
  const int num_probes = static_cast<uint8_t>(contents_.back());
  if (num_probes < 1 || num_probes > kBloomProbesMax) return true;
  const size_t bits = (contents_.size() - 1) * 8;
  const uint64_t hash = BloomHash(user_key);
  for (int probe = 0; probe < num_probes; probe++) {
    const size_t bit = ProbeBit(hash, probe, bits);
    if ((contents_[bit / 8] & (1 << (bit % 8))) == 0) return false;
  }
  return true;
}

}  // namespace engine
