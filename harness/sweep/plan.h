// SweepPlan: what a sweep runs, as a file any job engine can run — DIR/plan.jsonl, one shard per
// line — plus DIR/sweep.json saying how the sweep was made. Each shard is one full vstress run
// (its own run directory DIR/shards/<index>/) given entirely by its argv: the driver (run, crash or
// sim), the workload (a preset, or with --randomize the shard's own drawn config in
// DIR/inputs/<index>.toml), the seed and every flag the sweep was given. Paths in a plan are
// absolute, so a shard runs the same from any directory and on any host that sees DIR at the same
// path (a cluster's shared file system).
//
// Invariants: shard i is line i, index i; every line carries plan_version == kPlanVersion; a plan
// of another version, a malformed line or a missing file is InvalidArgument naming the file and
// line (so `vstress shard` and `vstress merge` exit 2 on it, never guess).
//
// Thread contract: immutable (plain values and pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace harness::sweep {

// Do not change without changing what reads plans: a plan from another version is refused.
inline constexpr int kPlanVersion = 1;

struct ShardPlan {
  uint64_t index = 0;
  uint64_t seed = 0;
  std::string workload;           // the preset or config name
  std::string driver;             // run | crash | sim
  std::string mutant;             // empty: the correct engine
  std::string store = "vstress";  // the engine under test (plans without the field: vstress)
  std::vector<std::string> argv;  // after the program: {"run", "--preset", "smoke", ...}
  // The [randomize] draws, key and value text, in the table's order (empty without --randomize).
  std::vector<std::pair<std::string, std::string>> randomized;
  std::string command;  // argv as one shell-quoted line, starting with the vstress path
  // The wall-clock limit `vstress shard` holds the run to (0: none, as in plans written before
  // it existed): past it the run's stacks are taken, its process group killed, and the shard
  // recorded as liveness.
  double timeout_seconds = 0;
};

struct SweepInfo {
  std::string command;   // the `vstress sweep` command line
  std::string executor;  // local | slurm | parallel
  uint64_t shards = 0;
  std::string created;  // UTC, ISO 8601
  std::string vstress;  // the binary every executor runs
};

// One plan.jsonl line (no newline).
std::string ShardPlanJson(const ShardPlan& shard);
std::string SweepInfoJson(const SweepInfo& info);

// DIR/plan.jsonl, every line checked; shard i must be line i.
engine::Result<std::vector<ShardPlan>> ReadPlan(const std::string& dir);
engine::Result<SweepInfo> ReadSweepInfo(const std::string& dir);

// Writes DIR/plan.jsonl and DIR/sweep.json (each atomically).
engine::Status WritePlan(const std::string& dir, const SweepInfo& info,
                         const std::vector<ShardPlan>& shards);

std::string PlanPath(const std::string& dir);
std::string ShardDir(const std::string& dir, uint64_t index);

}  // namespace harness::sweep
