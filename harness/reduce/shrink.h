// `vstress shrink RUN_DIR`: reduces a failing run to a small replayable case (shrinker.h) and
// writes it as a run directory, RUN_DIR/min/ by default: a complete history.log, config.toml,
// summary.json, violations.json, report.html and repro.sh (`vstress repro RUN_DIR/min`).
//
// A simulated run is shrunk from its own steps (its complete history, or a re-simulation of its
// config and seed). A threaded run's interleavings were never recorded, so shrink first searches
// the simulator, with the same config, for a seed that fails with the same violation kind
// (--search-seeds N, from the run's seed on), then shrinks that. Progress goes to stdout; at the
// end it prints the minimal history and the reduction ratio.
//
// Exit codes: 0 shrunk (the reduced case is written and fails the same way); 2 bad usage, a
// directory that is not a run, or a run that did not fail; 4 no simulated seed failed the same way,
// or the reduced case did not replay the same way.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace harness::reduce {

struct ShrinkCommandOptions {
  std::string run_dir;
  uint64_t search_seeds = 20;      // threaded runs: simulated seeds to try
  std::string time_limit = "60s";  // for the reduction itself
  std::string out_dir;             // default RUN_DIR/min
  std::string argv0;
};

int RunShrinkCommand(const ShrinkCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace harness::reduce
