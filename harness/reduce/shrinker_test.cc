#include "harness/reduce/shrinker.h"

#include <gtest/gtest.h>

namespace harness::reduce {
namespace {

drivers::SimStep Get(uint64_t key) {
  drivers::SimStep s;
  s.client = 1;
  s.op.kind = model::ClientOp::Kind::kGet;
  s.op.key = key;
  return s;
}

// Proves: removing steps renumbers nested steps' outer positions, and a nested step whose outer
// step is removed runs at the top level.
TEST(ShrinkerTest, KeepStepsRemapsNesting) {
  std::vector<drivers::SimStep> script = {Get(1), Get(2), Get(3), Get(4)};
  script[2].inside = 2;  // nested in Get(2)
  script[3].inside = 1;  // nested in Get(1)
  const std::vector<drivers::SimStep> kept = KeepSteps(script, {false, true, true, true});
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[1].inside, 1u);  // Get(2) is now first
  EXPECT_EQ(kept[2].inside, 0u);  // Get(1) is gone
  // Cutting after a step keeps what ran inside it, though it comes later.
  std::vector<drivers::SimStep> with_nested = {Get(1), Get(2), Get(3)};
  with_nested[2].inside = 1;
  EXPECT_EQ(CutAfter(with_nested, 1).size(), 2u);
  EXPECT_EQ(CutAfter(with_nested, 2).size(), 3u);
}

// Proves: a failure that needs two particular steps, in order, out of a thousand shrinks to
// exactly those two, and a candidate that fails another way is never kept.
TEST(ShrinkerTest, ReducesToTheStepsTheFailureNeeds) {
  std::vector<drivers::SimStep> script;
  for (uint64_t i = 0; i < 1000; i++) script.push_back(Get(i));
  const auto fails = [](const std::vector<drivers::SimStep>& s) -> std::optional<size_t> {
    bool saw_first = false;
    for (size_t i = 0; i < s.size(); i++) {
      if (s[i].op.key == 123) saw_first = true;
      if (s[i].op.key == 777 && saw_first) return i + 1;
    }
    return std::nullopt;
  };
  ShrinkOptions options;
  options.time_limit_seconds = 30;
  const ShrinkResult r = Shrink(script, fails, options);
  ASSERT_EQ(r.script.size(), 2u);
  EXPECT_EQ(r.script[0].op.key, 123u);
  EXPECT_EQ(r.script[1].op.key, 777u);
  EXPECT_FALSE(r.time_limit_hit);
}

}  // namespace
}  // namespace harness::reduce
