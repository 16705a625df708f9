#include "harness/drivers/scheduler.h"

#include <gtest/gtest.h>

#include <map>

namespace harness::drivers {
namespace {

std::vector<size_t> Picks(const workloads::SimSpec& spec, uint64_t seed, size_t n,
                          std::vector<bool> runnable) {
  auto s = Scheduler::Make(spec, runnable.size(), seed);
  std::vector<size_t> out;
  for (size_t i = 0; i < n; i++) out.push_back(s->Pick(runnable));
  return out;
}

// Proves: the schedule is a function of the seed alone, and another seed gives another one.
TEST(SchedulerTest, SameSeedSameSchedule) {
  for (const char* kind : {"random", "pct"}) {
    workloads::SimSpec spec;
    spec.schedule = kind;
    spec.pct_round_steps = 50;
    const std::vector<bool> all(5, true);
    EXPECT_EQ(Picks(spec, 7, 500, all), Picks(spec, 7, 500, all)) << kind;
    EXPECT_NE(Picks(spec, 7, 500, all), Picks(spec, 8, 500, all)) << kind;
  }
}

// Proves: only runnable actors are picked, and over time random picks every runnable one.
TEST(SchedulerTest, PicksOnlyRunnableActors) {
  for (const char* kind : {"random", "pct"}) {
    workloads::SimSpec spec;
    spec.schedule = kind;
    spec.pct_round_steps = 20;
    const std::vector<bool> runnable = {true, false, true, false, true};
    std::map<size_t, int> seen;
    for (size_t a : Picks(spec, 3, 2000, runnable)) {
      EXPECT_TRUE(runnable[a]) << kind << " picked " << a;
      seen[a]++;
    }
    EXPECT_EQ(seen.size(), 3u) << kind;  // rounds keep every actor scheduled under pct too
  }
}

// Proves: PCT runs the highest-priority actor until a change point: within a round, picks come
// in long runs of one actor, unlike random's.
TEST(SchedulerTest, PctRunsOneActorAtATime) {
  workloads::SimSpec spec;
  spec.schedule = "pct";
  spec.pct_depth = 2;  // one change point a round
  spec.pct_round_steps = 1000;
  const std::vector<size_t> picks = Picks(spec, 11, 1000, std::vector<bool>(6, true));
  size_t switches = 0;
  for (size_t i = 1; i < picks.size(); i++) switches += picks[i] != picks[i - 1];
  EXPECT_LE(switches, 1u);
  spec.schedule = "random";
  const std::vector<size_t> random = Picks(spec, 11, 1000, std::vector<bool>(6, true));
  switches = 0;
  for (size_t i = 1; i < random.size(); i++) switches += random[i] != random[i - 1];
  EXPECT_GT(switches, 500u);
}

}  // namespace
}  // namespace harness::drivers
