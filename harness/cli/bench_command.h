// `vstress bench`: the same workload run with the checker off and on, side by side in one
// invocation, printing the throughput of each and their ratio (the checker's cost). With
// --driver sim: the simulator's checked ops per second on one core against the threaded driver's
// checked ops per second, alternating in one invocation, and their ratio.
//
// Each pair runs on a fresh DB in its own directory, without fault rules (faults would make the
// two halves do different work). Rounds alternate unchecked/checked so drift on a shared machine
// hits both halves alike; the medians are compared.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace harness::cli {

struct BenchCommandOptions {
  std::string preset = "smoke";
  std::string duration = "10s";  // per half, per round
  int rounds = 3;
  std::optional<uint64_t> seed;
  std::string out_dir;  // default runs/bench-<UTC time>
  // "run": the checker's cost (unchecked vs checked threaded runs). "sim": the simulator's speed
  // on one core against the threaded driver's, both checked.
  std::string driver = "run";
  // The store both halves run against (--store; stores/registry.h). With --driver sim: vstress
  // only (the simulator's speed is measured on its in-memory file system).
  std::string store = "vstress";
};

int RunBenchCommand(const BenchCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace harness::cli
