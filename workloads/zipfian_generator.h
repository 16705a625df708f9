// ZipfianGenerator and Permutation: the building blocks of skewed key choice.
//
// ZipfianGenerator is YCSB's zipfian generator (Gray et al., "Quickly Generating Billion-Record
// Synthetic Databases", SIGMOD 1994): it draws a rank in [0, n) with P(rank i) proportional to
// 1 / (i + 1)^theta, so rank 0 is the most popular. Its constant zeta(n, theta) is summed exactly
// for the first kZetaExactTerms terms and by the Euler-Maclaurin formula beyond (relative error
// below 1e-12), so building one for a 10^8-key space costs milliseconds, not seconds.
//
// Permutation is a seeded bijection on [0, n) (a 4-round Feistel network with cycle walking). YCSB
// scrambles zipfian ranks with a hash modulo n, which merges some ranks and leaves some keys
// unreachable; a bijection keeps the distribution exact while spreading the hot ranks over the
// whole key space.
//
// Both are deterministic: the same arguments give the same draws on every platform whose libm
// rounds pow() the same way (glibc's does on every architecture it supports).
//
// Thread contract: immutable after construction (draws use the caller's Random).
#pragma once

#include <cstdint>

#include "workloads/random.h"

namespace workloads {

// sum_{i=1..n} 1 / i^theta.
double Zeta(uint64_t n, double theta);
inline constexpr uint64_t kZetaExactTerms = 1 << 16;

class ZipfianGenerator {
 public:
  // REQUIRES: n >= 1, 0 < theta < 1.
  ZipfianGenerator(uint64_t n, double theta);

  // A rank in [0, n); rank 0 is the most likely.
  uint64_t Next(Random* random) const;

 private:
  uint64_t n_;
  double alpha_;  // 1 / (1 - theta)
  double zeta_n_;
  double eta_;
  double rank1_bound_;  // 1 + 0.5^theta: u * zeta_n below this (and >= 1) gives rank 1
};

class Permutation {
 public:
  // REQUIRES: n >= 1.
  Permutation(uint64_t n, uint64_t seed);

  // The image of `index` (< n) under the permutation; distinct indices give distinct images.
  uint64_t Apply(uint64_t index) const;

 private:
  uint64_t Feistel(uint64_t x) const;

  static constexpr int kRounds = 4;
  uint64_t n_;
  int half_bits_;
  uint64_t half_mask_;
  uint64_t round_keys_[kRounds];
};

}  // namespace workloads
