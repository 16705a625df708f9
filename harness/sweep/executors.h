// The three ways a sweep's plan runs (sweep/sweep.h). Each runs `vstress shard DIR
// INDEX` for every shard, so a shard behaves the same everywhere; none schedules anything itself
// beyond a bounded number of local children:
//   - local:    `jobs` child processes at a time on this machine, with a progress line;
//   - slurm:    one job array (`sbatch --array=0-(N-1)%jobs`, the index from
//               SLURM_ARRAY_TASK_ID) and a merge job that depends on it (afterany);
//   - parallel: GNU parallel over the shard indexes (--joblog DIR/parallel/joblog; with an
//               sshloginfile, over many hosts; --retry-failed reruns the joblog's failures).
// A stop signal (process_signals.h) stops the shards: local children get SIGTERM, then SIGKILL
// after the grace; GNU parallel gets SIGTERM (it passes it on to its jobs), then SIGKILL; a
// Slurm sweep waiting with --wait cancels its jobs (scancel). ExecutorResult::stopped_by says so.
// Scripts and logs go to DIR/slurm/ and DIR/parallel/.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace harness::sweep {

inline constexpr double kExecutorMarginSeconds = 120;

struct ExecutorOptions {
  std::string dir;  // absolute sweep directory holding plan.jsonl
  uint64_t shards = 0;
  int jobs = 1;
  std::string vstress;   // absolute path of the binary every shard runs
  std::string progress;  // auto | on | plain | off
  // The longest shard limit in the plan (ShardPlan::timeout_seconds; 0: none). `vstress shard`
  // enforces each; the executors' own limits (local children, Slurm's --time, parallel's
  // --timeout) are this plus kExecutorMarginSeconds, the backstop for a shard that hangs itself.
  double shard_timeout_max = 0;
  // Slurm.
  std::vector<std::string> slurm_args;
  bool wait = false;
  std::vector<std::string> merge_args;  // `vstress merge DIR` and its flags, for the merge job
  // GNU parallel.
  std::string sshloginfile;
  bool retry_failed = false;
};

// What an executor did: ran every shard (or submitted them), or could not.
struct ExecutorResult {
  bool ran = false;  // false: `error` says why (exit 4)
  std::string error;
  int merge_exit = -1;  // slurm --wait: the merge job's exit code
  int stopped_by = 0;   // the stop signal that ended the sweep early (0: none)
};

ExecutorResult RunLocal(const ExecutorOptions& o, std::ostream& out);
ExecutorResult RunSlurm(const ExecutorOptions& o, std::ostream& out);
ExecutorResult RunParallel(const ExecutorOptions& o, std::ostream& out);

}  // namespace harness::sweep
