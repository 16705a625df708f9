// The threaded driver: runs a workload's writers, readers, scanners and snapshot readers against
// one DB while faults fire, checks every read, samples the engine, and ends with the invariant and
// recovery checks.
//
// At the end of a run, with every reader released and background work idle: exactly one Version
// lives, nothing is deferred, the directory holds exactly the files the DB needs, and no Version
// was released more often than referenced. Then the DB is closed (faults off) and reopened, and its
// whole contents must equal the oracle: every acknowledged write present, no failed one.
//
// Thread contract: thread-compatible (one Run at a time per RunConfig).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/file_system.h"
#include "faults/fault_controller.h"
#include "reports/run_record.h"
#include "stores/registry.h"
#include "workloads/workload_spec.h"

namespace harness::drivers {

class Watchdog;

struct RunConfig {
  workloads::WorkloadSpec spec;
  // The store under test (stores/registry.h); null: vstress.
  const stores::StoreKind* store = nullptr;
  std::string db_path;
  std::shared_ptr<engine::FileSystem> file_system;  // null: the real file system
  faults::FaultController* faults = nullptr;
  bool check = true;        // false: no oracle, no checks (the unchecked half of `vstress bench`)
  bool keep_going = false;  // do not stop at the first violation
  // Receives a progress line every progress_interval_seconds (null: silent).
  std::function<void(const std::string&)> progress;
  double progress_interval_seconds = 10;
  // Receives every sample's metrics (every 250 ms, on the monitor thread; null: none).
  std::function<void(const reports::MetricsSnapshot&)> on_sample;
  // Time: the real clock (the threaded driver), or the simulator's own. Null: engine::RealClock().
  std::shared_ptr<engine::Clock> clock;
  // Called with every DB the driver opens: at the start and after each reopen (null: none).
  std::function<void(stores::Store*)> on_open;
  // The run's wall-clock watchdog (null: none): the driver beats it as it makes progress and tells
  // it how to describe the run if it stops making any.
  Watchdog* watchdog = nullptr;
  // Where a crash cycle whose recovery fails keeps its DB as the crash left it ("": nowhere).
  std::string crash_copy_dir;
  // `vstress crash --mode power-loss`: crash every spec.crash_every_seconds or so (and at every
  // crash fire), recover, verify, go on; stop after crash_cycles cycles (0: at the duration).
  std::string crash_mode;
  uint64_t crash_cycles = 0;
  // The oracle keeps what any recovery point needs (runs that crash: crash mode or crash rules).
  bool keep_for_crashes = false;
  // A `vstress crash --mode kill` child: its DB is the one its parent verified (the oracle starts
  // from the DB's state), its writers log every write to ack_log_dir (ack_log.h) and write values
  // with writer ids from writer_id_base.
  bool adopt_db_state = false;
  std::string ack_log_dir;
  uint32_t writer_id_base = 0;
  // Where a store that counts sequences starts counting (a kill child: its parent's last).
  uint64_t first_sequence = 0;
};

using reports::EngineSummary;
using reports::RunOutcome;
using reports::Sample;

RunOutcome RunThreaded(const RunConfig& config);

// The process's peak resident set size so far, and its resident set size now.
uint64_t PeakRssBytes();
uint64_t CurrentRssBytes();

}  // namespace harness::drivers
