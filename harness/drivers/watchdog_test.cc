#include "harness/drivers/watchdog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/drivers/sim_driver.h"

namespace harness::drivers {
namespace {

using std::chrono::milliseconds;

// What a test's watchdog handed over when it fired.
struct Handed {
  std::mutex mu;
  std::optional<reports::RunOutcome> outcome;
};

Watchdog::Options TestOptions(double stall_seconds, Handed* handed) {
  Watchdog::Options o;
  o.stall_seconds = stall_seconds;
  o.exit_process = false;
  o.on_stall = [handed](reports::RunOutcome outcome, const SimRun*) {
    std::lock_guard<std::mutex> guard(handed->mu);
    handed->outcome = std::move(outcome);
  };
  return o;
}

// Proves: with no beat for the bound, the watchdog asks the watched driver to describe the run,
// adds every thread's stacks and hands over a liveness outcome.
TEST(WatchdogTest, FiresWithoutBeatsAndDescribesTheRun) {
  Handed handed;
  Watchdog watchdog(TestOptions(0.3, &handed));
  std::atomic<bool> described{false};
  watchdog.Watch([&](const Watchdog::Stall& stall, std::optional<SimRun>*) {
    described = true;
    EXPECT_GE(stall.seconds_without_progress, 0.3);
    reports::RunOutcome o;
    o.error = "step #7 has not completed";
    o.postmortem.emplace();
    o.postmortem->step = 7;
    return o;
  });
  for (int i = 0; i < 600 && !watchdog.fired(); i++) std::this_thread::sleep_for(milliseconds(50));
  watchdog.Unwatch();
  ASSERT_TRUE(watchdog.fired());
  EXPECT_TRUE(described);
  std::lock_guard<std::mutex> guard(handed.mu);
  ASSERT_TRUE(handed.outcome.has_value());
  EXPECT_EQ(handed.outcome->result, "liveness");
  EXPECT_EQ(handed.outcome->exit_code, 3);
  EXPECT_EQ(handed.outcome->error, "step #7 has not completed");
  ASSERT_TRUE(handed.outcome->postmortem.has_value());
  EXPECT_EQ(handed.outcome->postmortem->step, 7u);
  EXPECT_FALSE(handed.outcome->postmortem->stacks.empty());
  EXPECT_TRUE(handed.outcome->postmortem->stacks_source == "gdb" ||
              handed.outcome->postmortem->stacks_source == "wchan");
}

// Proves: beats keep it quiet however long the run goes on.
TEST(WatchdogTest, BeatsKeepItQuiet) {
  Handed handed;
  Watchdog watchdog(TestOptions(0.3, &handed));
  for (int i = 0; i < 30; i++) {
    watchdog.Beat();
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_FALSE(watchdog.fired());
}

// Proves: the stacks come from this very process, with this thread's frames in them (named by
// their source file: the ASan build's minimal debug info (-g1) leaves class scopes out of gdb's
// frame names).
TEST(CollectStacksTest, HasThisProcess) {
  const Stacks stacks = CollectStacks();
  ASSERT_FALSE(stacks.text.empty());
  if (stacks.source == "gdb") {
    EXPECT_NE(stacks.text.find("watchdog_test.cc:"), std::string::npos) << stacks.text;
  } else {
    EXPECT_EQ(stacks.source, "wchan");
    EXPECT_NE(stacks.text.find("thread "), std::string::npos) << stacks.text;
  }
}

}  // namespace
}  // namespace harness::drivers
