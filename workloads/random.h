// Random: the seeded pseudo-random source every workload generator draws from.
//
// A xoshiro256** stream seeded through splitmix64, with its range reductions written out here
// rather than taken from <random>: std::uniform_int_distribution and friends are
// implementation-defined, so the same seed would give different runs on different standard
// libraries. With this class a seed names one stream of draws on every platform, which is what
// makes `vstress run --seed N` and `vstress sim` replayable.
//
// Thread contract: thread-compatible (one Random per thread; the free functions are pure).
#pragma once

#include <array>
#include <cstdint>

namespace workloads {

// splitmix64's finaliser: a stateless 64-bit mix (bijective), used to hash indices and to derive
// independent seeds.
uint64_t Mix64(uint64_t x);

// A seed for stream `stream` (a thread, a role) of a run seeded with `seed`; different streams of
// one seed are independent, and the same (seed, stream) always gives the same seed.
uint64_t DeriveSeed(uint64_t seed, uint64_t stream);

class Random {
 public:
  explicit Random(uint64_t seed);

  // The next 64 uniformly distributed bits.
  uint64_t Next64();
  // Uniform in [0, n); n must be > 0. Lemire's multiply-shift with rejection, so unbiased.
  uint64_t Uniform(uint64_t n);
  // Uniform in [low, high], both included; low <= high.
  uint64_t UniformBetween(uint64_t low, uint64_t high);
  // Uniform in [0, 1), with 53 random bits.
  double UniformDouble();
  // True with probability `p` (p <= 0: never, p >= 1: always).
  bool Bernoulli(double p);

 private:
  std::array<uint64_t, 4> state_;
};

}  // namespace workloads
