#include "workloads/zipfian_generator.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace workloads {

double Zeta(uint64_t n, double theta) {
  const uint64_t exact_terms = std::min(n, kZetaExactTerms);
  double sum = 0;
  for (uint64_t i = 1; i <= exact_terms; i++) sum += std::pow(static_cast<double>(i), -theta);
  if (n == exact_terms) return sum;
  // Euler-Maclaurin for f(x) = x^-theta over [a, b]: the integral, the end-point correction and
  // the first derivative term. The next term is below 1e-20 for a >= 2^16.
  const double a = static_cast<double>(exact_terms + 1);
  const double b = static_cast<double>(n);
  const double integral = (std::pow(b, 1 - theta) - std::pow(a, 1 - theta)) / (1 - theta);
  const double ends = (std::pow(a, -theta) + std::pow(b, -theta)) / 2;
  const double derivative = theta * (std::pow(a, -theta - 1) - std::pow(b, -theta - 1)) / 12;
  return sum + integral + ends + derivative;
}

ZipfianGenerator::ZipfianGenerator(uint64_t n, double theta)
    : n_(n),
      alpha_(1 / (1 - theta)),
      zeta_n_(Zeta(n, theta)),
      eta_(0),
      rank1_bound_(1 + std::pow(0.5, theta)) {
  assert(n >= 1);
  assert(theta > 0 && theta < 1);
  if (n > 2) {
    // With n <= 2 the first two cases of Next() cover every draw (and eta would divide 0 by 0).
    eta_ = (1 - std::pow(2.0 / static_cast<double>(n), 1 - theta)) / (1 - Zeta(2, theta) / zeta_n_);
  }
}

uint64_t ZipfianGenerator::Next(Random* random) const {
  if (n_ == 1) return 0;
  const double u = random->UniformDouble();
  const double uz = u * zeta_n_;
  if (uz < 1) return 0;
  if (uz < rank1_bound_ || n_ == 2) return 1;
  const double rank = static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1, alpha_);
  return std::min(static_cast<uint64_t>(rank), n_ - 1);
}

Permutation::Permutation(uint64_t n, uint64_t seed) : n_(n) {
  assert(n >= 1);
  // The smallest even bit width 2k with 2^(2k) >= n, so each Feistel half has k bits and cycle
  // walking needs fewer than 4 steps on average.
  int bits = 2;
  while (bits < 64 && (uint64_t{1} << bits) < n) bits += 2;
  half_bits_ = bits / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  for (int round = 0; round < kRounds; round++) round_keys_[round] = DeriveSeed(seed, round);
}

uint64_t Permutation::Feistel(uint64_t x) const {
  uint64_t left = x >> half_bits_;
  uint64_t right = x & half_mask_;
  for (int round = 0; round < kRounds; round++) {
    const uint64_t next_right = left ^ (Mix64(right ^ round_keys_[round]) & half_mask_);
    left = right;
    right = next_right;
  }
  return (left << half_bits_) | right;
}

uint64_t Permutation::Apply(uint64_t index) const {
  assert(index < n_);
  // Cycle walking: the Feistel network permutes [0, 2^(2k)); stepping until the value falls
  // back inside [0, n) restricts it to a permutation of [0, n). It terminates because index's
  // cycle contains index itself.
  uint64_t x = index;
  do {
    x = Feistel(x);
  } while (x >= n_);
  return x;
}

}  // namespace workloads
