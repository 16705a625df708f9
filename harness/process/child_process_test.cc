#include "harness/process/child_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace harness::process {
namespace {

// Proves: a call that answers gives its answer back from the child.
TEST(RunForkedTest, Answers) {
  int64_t answer = 0;
  EXPECT_EQ(RunForked(
                10, [] { return int64_t{42}; }, &answer),
            ForkedEnd::kAnswered);
  EXPECT_EQ(answer, 42);
}

// Proves: a call that hangs is killed at its limit and the caller goes on (what keeps a shrink
// going past a candidate that deadlocks).
TEST(RunForkedTest, AHangIsCutOffAtTheLimit) {
  int64_t answer = 7;
  const auto started = std::chrono::steady_clock::now();
  const ForkedEnd end = RunForked(
      0.5,
      [] {
        while (true) std::this_thread::sleep_for(std::chrono::hours(1));
        return int64_t{0};
      },
      &answer);
  EXPECT_EQ(end, ForkedEnd::kTimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

// Proves: a call that aborts ends the child only.
TEST(RunForkedTest, AnAbortEndsTheChildOnly) {
  int64_t answer = 7;
  const ForkedEnd end = RunForked(
      10, []() -> int64_t { std::abort(); }, &answer);
  EXPECT_EQ(end, ForkedEnd::kDied);
}

}  // namespace
}  // namespace harness::process
