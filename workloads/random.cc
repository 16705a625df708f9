#include "workloads/random.h"

#include <cassert>

namespace workloads {
namespace {

constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

uint64_t RotateLeft(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

}  // namespace

uint64_t Mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  return Mix64(Mix64(seed + kGoldenGamma) ^ (stream * kGoldenGamma + 0x632be59bd9b4e019ULL));
}

Random::Random(uint64_t seed) {
  // splitmix64 fills the state, as the xoshiro authors recommend; it never yields all zeros.
  uint64_t s = seed;
  for (uint64_t& word : state_) {
    s += kGoldenGamma;
    word = Mix64(s);
  }
}

uint64_t Random::Next64() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

uint64_t Random::Uniform(uint64_t n) {
  assert(n > 0);
  unsigned __int128 product = static_cast<unsigned __int128>(Next64()) * n;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < n) {
    // Reject the few draws that would make some results one more likely than others.
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(Next64()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

uint64_t Random::UniformBetween(uint64_t low, uint64_t high) {
  assert(low <= high);
  if (high - low == UINT64_MAX) return Next64();
  return low + Uniform(high - low + 1);
}

double Random::UniformDouble() { return static_cast<double>(Next64() >> 11) * 0x1.0p-53; }

bool Random::Bernoulli(double p) {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return UniformDouble() < p;
}

}  // namespace workloads
