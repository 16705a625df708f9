// RunCommandOptions: a run as the command line gives it — the driver, the workload's source (a
// preset or a TOML file), the seed, and every override (--duration, --set, --fault, --mutant, ...)
// — and how it resolves into one validated workload. `vstress run`, `sim` and `crash` take them,
// and `vstress sweep` passes the same flags on to every shard (DriverFlags).
//
// Thread contract: immutable (values and pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "workloads/workload_spec.h"

namespace harness::drivers {

// Which driver runs the workload: `vstress run` (threads) or `vstress sim` (the simulator).
enum class Driver { kThreaded, kSimulated, kCrash };

struct RunCommandOptions {
  Driver driver = Driver::kThreaded;
  std::string preset;
  std::string config_path;
  std::string store;  // --store: the engine under test (empty: the workload's, vstress by default)
  std::optional<uint64_t> seed;
  std::string duration;  // "30s", "2m", "500ms"
  std::optional<uint64_t> ops;
  std::optional<int> readers;
  std::optional<int> writers;
  std::optional<int> scanners;
  std::optional<int> snapshot_readers;
  std::string on_background_error;  // stop-writes or reopen (default: the workload's)
  std::vector<std::string> fault_rules;
  std::string faults_file;
  std::string mutant;
  std::string out_dir;
  std::vector<std::string> sets;  // key=value
  bool keep_going = false;
  std::string progress = "auto";  // auto | on | off
  std::string fiu_control;        // libfiu remote-control fifo prefix
  bool cleanup_on_pass = false;
  std::string metrics_listen;    // HOST:PORT for /metrics (empty: none)
  std::string metrics_textfile;  // textfile rewritten every sample (empty: none)
  std::string push_gateway;      // pushgateway URL (empty: none)
  std::string argv0;             // for repro.sh
  // vstress sim only.
  std::string schedule;            // random | pct (empty: the workload's sim.schedule)
  bool check_determinism = false;  // run twice and compare every step
  uint64_t history_ops = 100000;   // steps kept in history.log (0: all)
  // vstress crash only.
  std::string crash_mode = "power-loss";  // power-loss | kill
  uint64_t cycles = 0;                    // stop after this many crash cycles (0: the duration)
  std::string fs = "real";                // real | memory (power-loss only)
  // A kill child (hidden flags of `vstress run`, set by the kill driver): the DB to go on with,
  // where its writers log, and their first writer id.
  std::string kill_child_db;
  std::string kill_child_acks;
  uint32_t kill_child_writer_base = 0;
  // The sequence its parent's oracle reached: a store that counts sequences counts on from it.
  uint64_t kill_child_first_sequence = 0;
};

// The workload `o` names (--preset or --config, else the mutant's preset, else smoke) with the
// mutant and every flag and --set applied, validated. InvalidArgument names the bad flag or key.
engine::Result<workloads::WorkloadSpec> ResolveWorkload(const RunCommandOptions& o);

// The command-line flags that give a run these options, apart from the workload source (--preset,
// --config), --seed, --out, --progress and the hidden kill-child flags: what a sweep passes on to
// every shard. Paths (--faults) are made absolute, so the flags work from any directory.
std::vector<std::string> DriverFlags(const RunCommandOptions& o);

}  // namespace harness::drivers
