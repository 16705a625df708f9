// `vstress sweep`: many full vstress runs (shards) across seeds, presets and — with --randomize —
// engine and workload parameters drawn per shard from the preset's [randomize] table, run by a
// real job engine and merged into one morning report. The command plans the sweep into DIR
// (sweep/plan.h: plan.jsonl, sweep.json, inputs/<index>.toml for drawn configs), hands the
// plan to an executor (sweep/executors.h) — local child processes, a Slurm job array, or
// GNU parallel — each of which runs `vstress shard DIR INDEX` per shard, and ends with the merge
// (sweep/merge.h): at once for local and parallel, in a dependent job for Slurm.
//
// Every flag of the driver it runs (--mutant, --set, --fault, --duration, ...) is checked against
// each workload before anything is planned (a bad one exits 2 naming it) and passed on to every
// shard. Shards take the workloads (--preset, then --config, each repeatable) in turn.
//
// Each shard has a wall-clock limit (--shard-timeout, or DefaultShardTimeoutSeconds from its
// workload) that `vstress shard` enforces itself, whatever the executor; Slurm's --time and GNU
// parallel's --timeout are set a little longer as the backstop. A sweep stopped by SIGTERM,
// SIGINT or SIGHUP stops its shards (process_signals.h), merges what finished and exits 128 +
// the signal.
//
// Exit code: the merge's (0 every shard passed, 1 a violation, 3 liveness, 4 a shard failed
// otherwise); 2 for bad flags; 4 when the executor itself cannot run (no sbatch, say). A Slurm
// sweep without --wait exits 0 once both jobs are submitted.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/cli/run_command.h"
#include "harness/sweep/merge.h"

namespace harness::sweep {

struct SweepOptions {
  drivers::RunCommandOptions run;    // the driver's flags, for every shard (driver set below)
  std::vector<std::string> presets;  // --preset, repeatable
  std::vector<std::string> configs;  // --config, repeatable
  std::optional<uint64_t> runs;      // --runs N: seeds first_seed .. first_seed + N - 1
  std::optional<uint64_t> first_seed;
  std::string seeds;  // --seeds A-B
  bool randomize = false;
  std::string driver = "run";      // run | crash | sim
  std::string executor = "local";  // local | slurm | parallel
  int jobs = 0;                    // shards at a time (0: one per core)
  std::string out_dir;             // default runs/sweep-<UTC time>
  std::string progress = "auto";   // auto | on | plain | off
  std::string slurm_args;          // extra sbatch arguments, split at spaces
  bool wait = false;               // slurm: wait for the merge job and exit with its code
  std::string sshloginfile;        // parallel: hosts to spread the shards over
  bool retry_failed = false;       // parallel: rerun DIR's failed shards from its joblog
  // --shard-timeout: every shard's wall-clock limit ("" : each shard's DefaultShardTimeout).
  std::string shard_timeout;
  MergeOptions merge;  // the merge's --compare and --push-gateway (dir: --out)
  std::string argv0;
};

int RunSweepCommand(const SweepOptions& options, std::ostream& out, std::ostream& err);

// A shard's wall-clock limit when --shard-timeout is not given: three times the run's own length
// (its duration; 10 minutes for an --ops run; a crash run's cycles at 1.5 x crash_every_seconds
// each, if longer), plus the watchdog's bound twice and two minutes — generous, since a shard
// past it is reported as hung. A simulated run's duration is simulated time, which runs about as
// fast as real time on one core.
double DefaultShardTimeoutSeconds(const workloads::WorkloadSpec& spec, drivers::Driver driver,
                                  uint64_t cycles);

}  // namespace harness::sweep
