// `vstress bench`: the same workload run with the checker off and on, side by side in one
// invocation, printing the throughput of each and their ratio (the checker's cost).
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

namespace harness {

struct BenchCommandOptions {
  std::string preset = "smoke";
  std::string duration = "10s";  // per half, per round
  int rounds = 3;
  std::optional<uint64_t> seed;
  std::string out_dir;  // default runs/bench-<UTC time>
};

int RunBenchCommand(const BenchCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace harness
