// `vstress enumerate`: every single fault, not a sample (SQLite's I/O-error loops). For every fault
// point the --point patterns name and every hit n = 1..K of it, one short run in the simulator
// (the enumerate preset by default: a fixed schedule from the seed) in which
//   - once:       exactly hit n fails (error),
//   - persistent: hit n and every later hit fail,
//   - crash:      a power loss happens at hit n (then recovery, verified as in `vstress crash`),
// and, with --during-recovery, for every crash cell and every file call j = 1..K of the recovery
// after it, the same run with that call failing (error) or losing power (crash) too: a recovery
// that fails or crashes must still recover when reopened. K is --max-hits, capped at the hits a
// fault-free run of the workload makes (0: every hit it makes). Each run is a child `vstress sim`;
// what it made of its fault is one cell of the matrix (reports/enumerate_matrix.h): ok, error
// surfaced, violation or not reached. Writes summary.json, junit.xml, report.html and the run
// directory of every cell that is not ok into the output directory; exits 1 on any violation, 2
// for bad flags, 4 when the fault-free run itself fails.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace harness::cli {

struct EnumerateOptions {
  std::string preset;       // default "enumerate" (unless --config)
  std::string config_path;  // a workload TOML instead of a preset
  std::optional<uint64_t> seed;
  std::optional<uint64_t> ops;
  std::vector<std::string> points;  // patterns: a point, or a prefix ending in '*'
  uint64_t max_hits = 3;            // 0: every hit the workload reaches
  std::vector<std::string> modes;   // once, persistent, crash (empty: all three)
  bool during_recovery = false;
  std::string mutant;
  std::string store;  // empty: the workload's
  std::vector<std::string> sets;
  std::string out_dir;  // default runs/enumerate-<UTC time>
  int jobs = 0;         // child runs at a time (0: one per core)
};

int RunEnumerateCommand(const EnumerateOptions& o, std::ostream& out, std::ostream& err);

}  // namespace harness::cli
