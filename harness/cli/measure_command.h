// `vstress mutants --measure`: the detection-power table. Runs every mutant's command (mutants.h)
// on every seed of a range, each as its own child vstress process for at most a time budget, and
// reports per mutant on how many seeds it was caught, the median and max time to the first
// violation, and the violation kinds seen (reports/detection_table.h). Writes detection.txt,
// detection.json and detection.html into the output directory, each run's directory beside them,
// and exits 1 if any mutant was missed on any seed, 2 for bad flags, 0 otherwise. With --driver
// sim every command runs in the simulator (`vstress sim` for `vstress run`), and the time to
// detect is the wall time the simulation ran until its first violation (its simulated time is
// another clock).
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace harness::cli {

struct MeasureCommandOptions {
  std::string seeds = "1-5";         // SeedRange text
  std::string budget = "60s";        // each run's --duration
  std::string out_dir;               // default runs/mutants-<UTC time>
  std::vector<std::string> mutants;  // only these (default: every mutant)
  std::vector<std::string> sets;     // --set KEY=VALUE for every run: does the workload still bite?
  int jobs = 1;                      // runs at a time (more than one skews the times to detect)
  std::string driver = "run";        // run: each mutant's command; sim: the same in the simulator
  // The store every run tests (--store); empty: vstress. A store without the engine mutants (any
  // but vstress) measures the store mutants only.
  std::string store;
};

int RunMeasureCommand(const MeasureCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace harness::cli
