// DriverCore: what every driver keeps about a run and does the same way — the DB (reopened at
// quiescence points), the oracle and checker, the run state, the clients, the samples, the
// quiescence points and the outcome. A driver adds only its scheduling: the threaded driver
// (threaded_driver.cc) gives each client a thread and a monitor; the simulator (sim_driver.cc)
// steps the clients and the background work from one thread on a simulated clock.
//
// Thread contract: thread-compatible. Clients report through the thread-safe RunState; Sample,
// QuiescencePoint and Finish run on the driver's own thread while no client steps (Sample excepted:
// it reads only thread-safe counters).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "faults/fault_fs.h"
#include "harness/clients/ack_log.h"
#include "harness/clients/client.h"
#include "harness/drivers/quiescence.h"
#include "harness/drivers/threaded_driver.h"
#include "harness/model/checker.h"
#include "harness/model/oracle.h"
#include "harness/model/run_state.h"
#include "stores/registry.h"

namespace harness::drivers {

struct DriverCore {
  // Opens the store at config.db_path with `store_config` (whose file system and clock are set). On
  // failure, `out` says so (result error, exit 4) and `db` is null.
  DriverCore(const RunConfig& config, stores::StoreConfig store_config);

  const RunConfig& config;
  const stores::StoreKind* kind;  // the store under test (config.store)
  stores::StoreConfig store_config;
  std::unique_ptr<stores::Store> db;
  // Engine counters of the DB instances closed by reopens, so the run's counters never go back.
  stores::StoreStats retired;
  model::Oracle oracle;
  model::Checker checker;
  model::RunState run;
  clients::ClientContext ctx;
  std::vector<std::unique_ptr<clients::Client>> clients;
  model::ReaderSlot* check_slot;
  std::unique_ptr<clients::AckLog> ack_log;  // config.ack_log_dir's (null without one)
  RunOutcome out;

  bool opened() const { return db != nullptr; }
  // The run's engine counters so far; after a failed reopen (no DB) only the retired ones.
  stores::StoreStats Stats() const;
  // A timeseries row, the engine maxima and the metrics sink's update.
  void TakeSample();
  // The at-rest checks with every client released (the caller has released them): faults
  // suspended (or, with `final`, uninstalled), the checks and the reopen, faults resumed. The
  // clients see the reopened DB. With no DB left (the reopen failed) the run stops.
  void QuiescencePoint(const std::string& when, bool final);
  // After a crash of `fs` (power loss or torn, `mode` names it) with every client released:
  // abandons the DB (nothing more reaches the disk), restarts the file system, reopens and checks
  // the recovery (crash_recovery.h) against the durable floor, and lets the clients go on with the
  // recovered DB from the sequence it recovered to. A recovery that fails stops the run; its DB,
  // as the crash left it, is kept in config.crash_copy_dir.
  void CrashAndRecover(faults::FaultFS* fs, const std::string& mode);
  // The DB closed by a crash (power loss, kill) is reopened and checked as `cycle` (its number,
  // time, mode and floor filled in); the clients go on with it. `in_flight`: entries of writes the
  // crash caught unacknowledged (crash_recovery.h).
  void RecoverCycle(reports::CrashCycle cycle, const std::vector<clients::AckEntry>& in_flight);
  // Closes the DB, its counters kept in `retired` (after a crash froze the file system, nothing
  // more reaches the disk). False when the close-time invariant failed (CloseChecked): the run has
  // stopped and there is no DB to reopen.
  bool RetireDb(std::string_view when);
  // The run's first open. One that fails with an injected fault is retried (after a power loss,
  // as a checked crash recovery); false when there is no DB to run on (`out` says why).
  bool OpenFirst();
  // Ends the run as liveness (exit 3): `error` says where it stopped making progress.
  void FailLiveness(std::string error);
  // A crash cycle's record (the kill driver's own, when its child ended by itself).
  void AddCrashCycle(reports::CrashCycle cycle);
  // The next quiescence point answers a background error: it counts as a reopen, or a resume.
  void NoteBackgroundError();
  // The run as far as it got, for a watchdog that found it stuck (watchdog.h): callable from any
  // thread while the driver's threads are blocked anywhere, since it reads only what the driver
  // published under published_mu_ and the thread-safe RunState — never the DB. Result liveness.
  RunOutcome StalledOutcome(std::string error) const;
  // The clients' ops in flight ("writer-0: put k00000042 ..."), for the same.
  std::vector<std::string> InFlightOps() const;
  // Lets go of the DB and the clients without closing or destroying them: threads blocked inside
  // the DB (a deadlock) still use them. They are leaked.
  void Abandon();
  // Summarizes the engine, counts, violations and the exit code. Closes the DB.
  RunOutcome Finish();

 private:
  DbAtRest AtRest();
  // A sample's row, engine maxima and latest metrics, into `out` under published_mu_.
  void Publish(const stores::StoreStats& stats, const reports::MetricsSnapshot& m);

  // Guards what StalledOutcome reads of `out` (samples, final_metrics, engine, quiescence points,
  // crash cycles, result and error) and the clients list, against the driver's own updates. Held
  // only for copies, never across a DB call.
  mutable std::mutex published_mu_;
  bool handling_background_error_ = false;  // set by NoteBackgroundError
};

// The store config of `config`'s run: the workload's engine knobs, its file system and clock (the
// real ones when it names none).
stores::StoreConfig StoreConfigFor(const RunConfig& config);

// The codec of the workloads' keys and values.
model::KeyValueCodec WorkloadCodec();

}  // namespace harness::drivers
