// Shrinker: reduces a failing simulated run's steps to a small script that still fails the same
// way, as Pebble's reducer does for its metamorphic tests.
//
// Passes, repeated while any makes progress and time is left: (1) cut everything after the step
// that fails; (2) drop every step of one client at a time; (3) merge runs of consecutive writes
// into one batch each (the DB ends the same, in fewer steps); (4) drop contiguous chunks — halves,
// then quarters, down to single steps once the script is short; (5) drop random subsets, each
// step with probability p, p from 0.1 halving to 1e-5, up to 100 tries a level (reset after a
// success); (6) drop the fault fires one at a time; (7) simplify: renumber keys (k00000000 upward,
// order kept) and values (bare ids v0.1, v0.2, ...). A long history's failure depends on many of
// its steps at once, so random subsets — Pebble's first pass — mostly fail there; the client and
// chunk passes take it down first.
// A candidate is kept only when it still fails with the same violation kind — never a harness
// error or another kind, so the reduction cannot drift to a different bug. A step whose context a
// reduction removed (a scan step without its open) is skipped by its client when replayed; a
// nested step whose outer step is removed runs at the top level.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/drivers/sim_history.h"

namespace harness::reduce {

struct ShrinkOptions {
  double time_limit_seconds = 60;
  uint64_t seed = 1;  // the random subsets'
  // Told of each improvement ("1234 -> 617 steps (chunks of 617)").
  std::function<void(const std::string&)> progress;
};

// Replays `script`; the number of script steps up to and including the failing one when it fails
// the way wanted, nullopt otherwise.
using FailsTest = std::function<std::optional<size_t>(const std::vector<drivers::SimStep>&)>;

struct ShrinkResult {
  std::vector<drivers::SimStep> script;
  uint64_t attempts = 0;  // replays run
  double seconds = 0;
  bool time_limit_hit = false;
};

// REQUIRES: fails(script) holds.
ShrinkResult Shrink(std::vector<drivers::SimStep> script, const FailsTest& fails,
                    const ShrinkOptions& options);

// The first `steps` steps of `script` and whatever ran nested inside them.
std::vector<drivers::SimStep> CutAfter(const std::vector<drivers::SimStep>& script, size_t steps);

// `script` without the steps whose `keep` entry is false; nested steps point at their outer
// step's new position, or run at the top level when it was removed.
std::vector<drivers::SimStep> KeepSteps(const std::vector<drivers::SimStep>& script,
                                        const std::vector<bool>& keep);

}  // namespace harness::reduce
