// Unit tests of key choice: Random, Zeta, Permutation, KeyChooser and key names.
#include "workloads/key_chooser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

namespace workloads {
namespace {

WorkloadSpec SpecWith(KeyDistribution distribution, uint64_t key_space) {
  WorkloadSpec spec;
  spec.distribution = distribution;
  spec.key_space = key_space;
  EXPECT_TRUE(spec.Validate().ok());
  return spec;
}

// How often each key index was drawn in `draws` draws.
std::vector<uint64_t> Histogram(KeyChooser* chooser, uint64_t draws,
                                std::optional<uint64_t> newest = std::nullopt) {
  std::vector<uint64_t> counts(chooser->key_space());
  for (uint64_t i = 0; i < draws; i++) {
    const uint64_t key = chooser->Next(newest);
    EXPECT_LT(key, chooser->key_space());
    if (key < counts.size()) counts[key]++;
  }
  return counts;
}

// The share of draws that went to the `top` most-drawn keys.
double TopShare(std::vector<uint64_t> counts, size_t top, uint64_t draws) {
  std::sort(counts.begin(), counts.end(), std::greater<>());
  uint64_t sum = 0;
  for (size_t i = 0; i < top; i++) sum += counts[i];
  return static_cast<double>(sum) / static_cast<double>(draws);
}

// Random's stream is pinned: recorded seeds must replay the same ops after any refactoring.
TEST(RandomTest, StreamIsPinned) {
  Random random(1);
  const uint64_t first = random.Next64();
  EXPECT_EQ(Random(1).Next64(), first);
  EXPECT_NE(Random(2).Next64(), first);
  EXPECT_EQ(0xb3f2af6d0fc710c5ULL, first);
}

// Uniform stays in range, covers it, and handles the extremes.
TEST(RandomTest, UniformStaysInRange) {
  Random random(7);
  std::vector<int> seen(10);
  for (int i = 0; i < 10000; i++) seen[random.Uniform(10)]++;
  for (int count : seen) EXPECT_NEAR(1000, count, 150);
  EXPECT_EQ(0u, random.Uniform(1));
  EXPECT_EQ(5u, random.UniformBetween(5, 5));
  random.UniformBetween(0, UINT64_MAX);  // the full range must not divide by zero
  for (int i = 0; i < 1000; i++) {
    const double u = random.UniformDouble();
    EXPECT_TRUE(u >= 0 && u < 1);
  }
  EXPECT_FALSE(random.Bernoulli(0));
  EXPECT_TRUE(random.Bernoulli(1));
}

// The Euler-Maclaurin tail of Zeta agrees with the exact sum far past the exact terms.
TEST(ZipfianTest, ZetaMatchesExactSum) {
  for (double theta : {0.5, 0.9, 0.99}) {
    const uint64_t n = 3'000'000;
    double exact = 0;
    for (uint64_t i = 1; i <= n; i++) exact += std::pow(static_cast<double>(i), -theta);
    EXPECT_NEAR(exact, Zeta(n, theta), exact * 1e-9) << theta;
  }
  EXPECT_DOUBLE_EQ(1.0, Zeta(1, 0.99));
}

// Ranks 0 and 1 have exactly their zipfian frequency; deeper ranks follow the law within the
// error of Gray's closed-form approximation (up to about 18% around rank 2, shrinking beyond).
TEST(ZipfianTest, RankFrequenciesFollowTheLaw) {
  const ZipfianGenerator zipfian(1000, 0.99);
  Random random(3);
  std::vector<uint64_t> counts(1000);
  const uint64_t draws = 1000000;
  for (uint64_t i = 0; i < draws; i++) counts[zipfian.Next(&random)]++;
  const double zeta = Zeta(1000, 0.99);
  for (uint64_t rank : {0, 1, 2, 3, 9, 20, 99}) {
    const double expected = 1 / std::pow(rank + 1.0, 0.99) / zeta;
    const double tolerance = rank < 2 ? 0.03 : 0.25;
    EXPECT_NEAR(expected, static_cast<double>(counts[rank]) / draws, expected * tolerance) << rank;
  }
  EXPECT_GT(counts[0], counts[1]);
  EXPECT_GT(counts[1], counts[2]);
  EXPECT_GT(counts[2], counts[9]);
  EXPECT_GT(counts[9], counts[99]);
  EXPECT_EQ(0u, ZipfianGenerator(1, 0.5).Next(&random));
  EXPECT_LT(ZipfianGenerator(2, 0.5).Next(&random), 2u);
}

// A Permutation is a bijection on [0, n) for awkward sizes.
TEST(PermutationTest, IsABijection) {
  for (uint64_t n : {1, 2, 3, 5, 1000, 4097, 65536}) {
    const Permutation permutation(n, 11);
    std::vector<bool> hit(n);
    for (uint64_t i = 0; i < n; i++) {
      const uint64_t image = permutation.Apply(i);
      ASSERT_LT(image, n);
      EXPECT_FALSE(hit[image]) << n << " " << i;
      hit[image] = true;
    }
  }
}

// Uniform reaches every key, with no key far from its fair share.
TEST(KeyChooserTest, UniformCoversTheKeySpace) {
  KeyChooser chooser(SpecWith(KeyDistribution::kUniform, 1000), 1);
  const std::vector<uint64_t> counts = Histogram(&chooser, 200000);
  EXPECT_GT(*std::min_element(counts.begin(), counts.end()), 120u);
  EXPECT_LT(*std::max_element(counts.begin(), counts.end()), 290u);
}

// Zipfian is skewed (the top 1% of keys get about half the draws at theta 0.99) and the hot keys
// are spread over the key space rather than clustered at its start.
TEST(KeyChooserTest, ZipfianIsSkewedAndScrambled) {
  const WorkloadSpec spec = SpecWith(KeyDistribution::kZipfian, 10000);
  KeyChooser chooser(spec, 1);
  const uint64_t draws = 200000;
  const std::vector<uint64_t> counts = Histogram(&chooser, draws);
  const double top_share = TopShare(counts, 100, draws);
  const double expected = Zeta(100, 0.99) / Zeta(10000, 0.99);
  EXPECT_NEAR(expected, top_share, 0.02);
  EXPECT_GT(top_share, 0.45);
  std::vector<uint64_t> hottest(10000);
  for (uint64_t i = 0; i < hottest.size(); i++) hottest[i] = i;
  std::partial_sort(hottest.begin(), hottest.begin() + 10, hottest.end(),
                    [&](uint64_t a, uint64_t b) { return counts[a] > counts[b]; });
  const auto [low, high] = std::minmax_element(hottest.begin(), hottest.begin() + 10);
  EXPECT_GT(*high - *low, 3000u) << "the 10 hottest keys should span the key space";
}

// Threads of one run share their hot keys (placed by the spec's seed, not the thread's).
TEST(KeyChooserTest, ZipfianHotKeysAreSharedAcrossThreads) {
  const WorkloadSpec spec = SpecWith(KeyDistribution::kZipfian, 10000);
  KeyChooser a(spec, DeriveSeed(spec.seed, 1));
  KeyChooser b(spec, DeriveSeed(spec.seed, 2));
  const std::vector<uint64_t> counts_a = Histogram(&a, 50000);
  const std::vector<uint64_t> counts_b = Histogram(&b, 50000);
  EXPECT_EQ(std::max_element(counts_a.begin(), counts_a.end()) - counts_a.begin(),
            std::max_element(counts_b.begin(), counts_b.end()) - counts_b.begin());
}

// Latest favours the keys just before the newest one, wraps around below 0, and without a newest
// key falls back to uniform.
TEST(KeyChooserTest, LatestFollowsTheNewestKey) {
  const WorkloadSpec spec = SpecWith(KeyDistribution::kLatest, 10000);
  KeyChooser chooser(spec, 1);
  const uint64_t draws = 100000;
  std::vector<uint64_t> counts = Histogram(&chooser, draws, 5000);
  EXPECT_EQ(5000, std::max_element(counts.begin(), counts.end()) - counts.begin());
  uint64_t recent = 0;
  for (uint64_t key = 4901; key <= 5000; key++) recent += counts[key];
  EXPECT_GT(static_cast<double>(recent) / draws, 0.45);
  uint64_t least_recent = 0;
  for (uint64_t key = 5001; key <= 5100; key++) least_recent += counts[key];
  EXPECT_LT(static_cast<double>(least_recent) / draws, 0.01) << "keys after the newest are oldest";

  counts = Histogram(&chooser, draws, 3);
  EXPECT_GT(counts[9999], 0u) << "recency wraps below key 0";

  counts = Histogram(&chooser, draws);
  EXPECT_LT(TopShare(counts, 100, draws), 0.05) << "no newest key: uniform";
}

// Hotspot gives its hot fraction of keys its access fraction of draws, within tolerance.
TEST(KeyChooserTest, HotspotFractionHolds) {
  WorkloadSpec spec = SpecWith(KeyDistribution::kHotspot, 10000);
  spec.hotspot_key_fraction = 0.1;
  spec.hotspot_access_fraction = 0.9;
  KeyChooser chooser(spec, 1);
  const uint64_t draws = 200000;
  const std::vector<uint64_t> counts = Histogram(&chooser, draws);
  EXPECT_NEAR(0.9, TopShare(counts, 1000, draws), 0.01);
  // The hot keys form one contiguous (wrapping) range.
  uint64_t hot_runs = 0;
  for (uint64_t key = 0; key < counts.size(); key++) {
    const bool hot = counts[key] > 60;
    const bool previous_hot = counts[(key + counts.size() - 1) % counts.size()] > 60;
    if (hot && !previous_hot) hot_runs++;
  }
  EXPECT_EQ(1u, hot_runs);
}

// Every distribution gives the same keys for the same seed and different keys for another.
TEST(KeyChooserTest, DeterministicForASeed) {
  for (KeyDistribution d : {KeyDistribution::kUniform, KeyDistribution::kZipfian,
                            KeyDistribution::kLatest, KeyDistribution::kHotspot}) {
    const WorkloadSpec spec = SpecWith(d, 5000);
    KeyChooser a(spec, 99);
    KeyChooser b(spec, 99);
    KeyChooser c(spec, 100);
    std::vector<uint64_t> from_a, from_b, from_c;
    for (int i = 0; i < 1000; i++) {
      from_a.push_back(a.Next(4000));
      from_b.push_back(b.Next(4000));
      from_c.push_back(c.Next(4000));
    }
    EXPECT_EQ(from_a, from_b) << DistributionName(d);
    EXPECT_NE(from_a, from_c) << DistributionName(d);
  }
}

// Key names have 8 digits, so they sort in index order, and parse back.
TEST(KeyNameTest, FormatsAndParses) {
  EXPECT_EQ("k00000042", KeyName(42));
  EXPECT_EQ("k99999999", KeyName(kKeySpaceMax - 1));
  EXPECT_LT(KeyName(9), KeyName(10));
  uint64_t index = 0;
  EXPECT_TRUE(ParseKeyIndex("k00000042", &index));
  EXPECT_EQ(42u, index);
  for (const char* bad : {"k42", "x00000042", "k0000004a", "k000000420", "", "k-0000042"}) {
    EXPECT_FALSE(ParseKeyIndex(bad, &index)) << bad;
  }
}

}  // namespace
}  // namespace workloads
