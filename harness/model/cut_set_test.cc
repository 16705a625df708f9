#include "harness/model/cut_set.h"

#include <gtest/gtest.h>

namespace harness::model {
namespace {

// Proves: intersecting keeps exactly the sequences both sides hold, across several intervals.
TEST(CutSetTest, KeepIntersects) {
  CutSet cuts(10, 30);
  cuts.Keep({{5, 12}, {15, 15}, {20, 40}});
  EXPECT_EQ(cuts.intervals(), (std::vector<SeqInterval>{{10, 12}, {15, 15}, {20, 30}}));
  EXPECT_EQ(cuts.ToString(), "[10, 12] and [15, 15] and [20, 30]");
  cuts.Keep({{11, 21}});
  EXPECT_EQ(cuts.intervals(), (std::vector<SeqInterval>{{11, 12}, {15, 15}, {20, 21}}));
  EXPECT_EQ(cuts.lowest(), 11u);
  EXPECT_EQ(cuts.highest(), 21u);
  cuts.Keep({{15, 15}});
  EXPECT_TRUE(cuts.exact());
  EXPECT_EQ(cuts.ToString(), "15");
}

// Proves: observations no one cut explains leave nothing — and an inverted start is empty.
TEST(CutSetTest, DisagreementEmptiesIt) {
  CutSet cuts(10, 20);
  cuts.Keep({{0, 9}, {21, 30}});
  EXPECT_TRUE(cuts.empty());
  EXPECT_EQ(cuts.ToString(), "none");
  EXPECT_TRUE(CutSet(5, 4).empty());
  EXPECT_TRUE(CutSet(7, 7).exact());
}

}  // namespace
}  // namespace harness::model
