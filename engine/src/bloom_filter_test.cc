#include "bloom_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace engine {
namespace {

std::string PresentKey(int i) { return "present-" + std::to_string(i); }
std::string AbsentKey(int i) { return "absent-" + std::to_string(i); }

BloomFilter BuildFilter(int bits_per_key, int keys) {
  BloomFilterBuilder builder(bits_per_key);
  for (int i = 0; i < keys; i++) builder.AddKey(PresentKey(i));
  return BloomFilter(builder.Finish());
}

double FalsePositiveRate(const BloomFilter& filter) {
  constexpr int kProbes = 20000;
  int false_positives = 0;
  for (int i = 0; i < kProbes; i++) false_positives += filter.KeyMayMatch(AbsentKey(i)) ? 1 : 0;
  return static_cast<double>(false_positives) / kProbes;
}

// Every added key matches, for small and large filters (no false negatives).
TEST(BloomFilterTest, NoFalseNegatives) {
  for (int keys : {1, 10, 100, 1000, 20000}) {
    const BloomFilter filter = BuildFilter(10, keys);
    for (int i = 0; i < keys; i++) ASSERT_TRUE(filter.KeyMayMatch(PresentKey(i))) << keys;
  }
}

// The false-positive rate tracks bits_per_key: ~0.8% at 10 bits (theory), ~9% at 5, bounded here
// with slack, and more bits never make it worse.
TEST(BloomFilterTest, FalsePositiveRateMatchesBitsPerKey) {
  const double rate_10 = FalsePositiveRate(BuildFilter(10, 10000));
  const double rate_5 = FalsePositiveRate(BuildFilter(5, 10000));
  const double rate_20 = FalsePositiveRate(BuildFilter(20, 10000));
  EXPECT_LT(rate_10, 0.02);
  EXPECT_GT(rate_10, 0.002);  // a filter that rejects everything would also pass the bound above
  EXPECT_LT(rate_5, 0.13);
  EXPECT_LT(rate_20, 0.002);
  EXPECT_LT(rate_10, rate_5);
  EXPECT_LE(rate_20, rate_10);
}

// An empty filter (bits_per_key 0) and an unreadable one match every key, so a reader never
// drops a key it cannot rule out.
TEST(BloomFilterTest, EmptyOrUnknownFilterMatchesEverything) {
  BloomFilterBuilder disabled(0);
  disabled.AddKey("a");
  EXPECT_TRUE(disabled.Finish().empty());
  EXPECT_TRUE(BloomFilter("").KeyMayMatch("anything"));
  std::string bad_probes(16, '\0');
  bad_probes.push_back(static_cast<char>(kBloomProbesMax + 1));
  EXPECT_TRUE(BloomFilter(bad_probes).KeyMayMatch("anything"));
}

// A filter over no keys rules every key out.
TEST(BloomFilterTest, FilterOverNoKeysMatchesNothing) {
  const BloomFilter filter = BuildFilter(10, 0);
  EXPECT_FALSE(filter.KeyMayMatch("x"));
  EXPECT_FALSE(filter.KeyMayMatch(""));
}

}  // namespace
}  // namespace engine
