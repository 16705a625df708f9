#include "harness/drivers/driver_core.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "faults/fault_fs.h"
#include "harness/drivers/crash_recovery.h"
#include "harness/drivers/run_environment.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"
#include "harness/process/leak_on_purpose.h"
#include "workloads/key_chooser.h"
#include "workloads/value.h"

namespace harness::drivers {
namespace {

constexpr size_t kSamplesMax = 100000;
constexpr size_t kQuiescencePointsMax = 100000;

// Reads every counter of the run: the harness's, the engine's, the fault controller's and the crash
// cycles'.
reports::MetricsSnapshot ReadMetrics(const DriverCore& c, const stores::StoreStats& stats) {
  reports::MetricsSnapshot m;
  m.seconds = c.run.Seconds();
  c.run.Snapshot(&m);
  m.live_versions = stats.live_versions.value_or(0);
  m.deferred_deletions = stats.deferred_deletions.value_or(0);
  m.deferred_deletion_bytes = stats.deferred_deletion_bytes.value_or(0);
  m.oldest_version_age_seconds = stats.oldest_version_age_seconds.value_or(0);
  m.files_deleted = stats.files_deleted;
  m.version_installs = stats.version_installs;
  m.compactions = stats.compactions;
  m.flushes = stats.flushes;
  if (c.config.faults != nullptr) {
    for (const auto& [point, counts] : c.config.faults->Counts()) {
      for (const auto& [action, fires] : counts.fires_by_action) m.faults[{point, action}] = fires;
    }
  }
  m.rss_bytes = CurrentRssBytes();
  // The cycles the previous sample counted, and those since.
  m.crash_cycles = c.out.final_metrics.crash_cycles;
  m.recovery = c.out.final_metrics.recovery;
  m.CountCrashCycles(c.out.crash_cycles);
  return m;
}

// summary.json's ops and checks, from the run's last metrics (`m`) and the counters they lack.
void CollectCounters(const reports::MetricsSnapshot& m, const model::RunState& run,
                     RunOutcome* out) {
  for (size_t i = 0; i < reports::kOpKindCount; i++) {
    const auto op = static_cast<reports::OpKind>(i);
    // summary.json's historical name for scan steps.
    const std::string name =
        op == reports::OpKind::kScanStep ? "scan_steps" : std::string(reports::kOpKindNames[i]);
    out->ops[name] = m.OpsOf(op);
  }
  out->ops["scan"] = run.Sum(model::kScans);
  out->ops["errors_injected"] = run.Sum(model::kErrorsInjected);
  out->ops["errors_unexpected"] = run.Sum(model::kErrorsUnexpected);
  out->checks["reads_unchecked_at_power_loss"] = run.dropped_at_power_loss();
  // The quiescence points add their own scans to these.
  for (const auto& [kind, name] : {std::pair{"point_read", "reads_checked"},
                                   {"scan", "scans_checked"},
                                   {"scan_key", "scan_keys_checked"},
                                   {"snapshot_read", "snapshot_reads_checked"}}) {
    out->checks[name] += m.reads_checked.at(kind);
  }
}

// The counters that only grow, of a DB instance about to go, added to `retired`.
void AddCounters(const stores::StoreStats& s, stores::StoreStats* retired) {
  retired->files_deleted += s.files_deleted;
  retired->version_installs += s.version_installs;
  retired->flushes += s.flushes;
  retired->compactions += s.compactions;
  retired->background_errors += s.background_errors;
  retired->background_retries += s.background_retries;
}

}  // namespace

model::KeyValueCodec WorkloadCodec() {
  return {&workloads::KeyName, &workloads::ParseKeyIndex, &workloads::ParseValueId};
}

stores::StoreConfig StoreConfigFor(const RunConfig& config) {
  stores::StoreConfig s;
  s.engine = config.spec.engine;
  s.store = config.spec.store;
  s.file_system = config.file_system ? config.file_system : engine::NewPosixFileSystem();
  s.clock = config.clock ? config.clock : engine::RealClock();
  s.first_sequence = config.first_sequence;
  return s;
}

DriverCore::DriverCore(const RunConfig& c, stores::StoreConfig o)
    : config(c),
      kind(c.store != nullptr ? c.store : stores::FindStore("vstress")),
      store_config(std::move(o)),
      oracle(c.spec.key_space),
      checker(&oracle, WorkloadCodec()),
      run(c.keep_going, store_config.clock.get()),
      check_slot(oracle.NewReaderSlot()) {
  if (config.watchdog != nullptr) run.SetBeat([w = config.watchdog] { w->Beat(); });
  if (auto* fs = dynamic_cast<faults::FaultFS*>(store_config.file_system.get())) {
    run.SetPoweredOff([fs] { return fs->crashed(); });
  }
  oracle.KeepForCrashes(config.keep_for_crashes);
  out.crash_mode = config.crash_mode;
  out.engine.not_exposed = stores::GaugesNotExposed(*kind);
  if (!OpenFirst()) return;
  if (config.adopt_db_state) {
    // The parent verified this DB against its own oracle: this one starts from it.
    std::vector<std::optional<model::ValueId>> state;
    if (!ReadWholeDb(db.get(), checker, &state)) {
      out.result = "error";
      out.exit_code = model::kExitFailure;
      out.error = "reading the DB to start from failed";
      db.reset();
      return;
    }
    const engine::SequenceNumber last = db->LastSequence();
    for (uint64_t key = 0; key < state.size(); key++) oracle.Adopt(key, state[key], last);
    oracle.TruncateTo(last, last);
  }
  if (!config.ack_log_dir.empty()) {
    auto log = clients::AckLog::Create(config.ack_log_dir, config.writer_id_base,
                                       static_cast<uint32_t>(config.spec.writers.threads));
    if (!log.ok()) {
      out.result = "error";
      out.exit_code = model::kExitFailure;
      out.error = "creating the acknowledgement logs: " + log.status().ToString();
      db.reset();
      return;
    }
    ack_log = std::move(log).value();
  }
  ctx = clients::ClientContext{db.get(),
                               &config.spec,
                               &oracle,
                               config.check ? &checker : nullptr,
                               &run,
                               config.faults,
                               store_config.clock.get(),
                               ack_log.get(),
                               config.writer_id_base,
                               kind->iterator_invalid_on_error};
  clients = clients::MakeClients(ctx);
  if (config.on_open) config.on_open(db.get());
  // Clients report from wherever they run; the DB changes only while none of them steps.
  run.SetKeyLocator([this](std::string_view key) {
    stores::EngineView* view = db ? db->engine_view() : nullptr;
    return view == nullptr ? std::string() : view->DescribeKey(key);
  });
}

stores::StoreStats DriverCore::Stats() const {
  stores::StoreStats s = db ? db->Stats() : stores::StoreStats();
  s.files_deleted += retired.files_deleted;
  s.version_installs += retired.version_installs;
  s.flushes += retired.flushes;
  s.compactions += retired.compactions;
  s.background_errors += retired.background_errors;
  s.background_retries += retired.background_retries;
  return s;
}

void DriverCore::TakeSample() {
  const stores::StoreStats stats = Stats();
  reports::MetricsSnapshot m = ReadMetrics(*this, stats);
  run.Beat();
  Publish(stats, m);
  if (config.on_sample) config.on_sample(m);
}

void DriverCore::Publish(const stores::StoreStats& stats, const reports::MetricsSnapshot& m) {
  std::lock_guard<std::mutex> guard(published_mu_);
  EngineSummary& e = out.engine;
  e.max_live_versions = std::max(e.max_live_versions, m.live_versions);
  e.max_deferred_deletions = std::max(e.max_deferred_deletions, m.deferred_deletions);
  e.max_deepest_level = std::max(e.max_deepest_level, stats.deepest_level);
  // A sample right after the previous one (the last, taken when the clients have stopped) would
  // be a sliver of an interval with meaningless rates: its counts reach metrics, not the
  // timeseries.
  const bool sliver = !out.samples.empty() && m.seconds - out.final_metrics.seconds < 0.1;
  if (out.samples.size() < kSamplesMax && !sliver) {
    const bool first = out.samples.empty();
    out.samples.push_back(reports::Sample::Between(first ? nullptr : &out.final_metrics, m));
  }
  out.final_metrics = m;
}

DbAtRest DriverCore::AtRest() {
  return {&db,
          kind,
          &store_config,
          config.db_path,
          [this](stores::Store* closing) { AddCounters(closing->Stats(), &retired); },
          &oracle};
}

void DriverCore::QuiescencePoint(const std::string& when, bool final) {
  // A store that counts sequences itself counts on from the run's after the reopen.
  store_config.first_sequence = oracle.recorded_through();
  if (config.faults != nullptr) final ? config.faults->Uninstall() : config.faults->Suspend();
  // After a background error, `resume` asks the engine to clear it (RocksDB's DB::Resume); the
  // DB is then checked in place, every acknowledged write. One it cannot resume is reopened.
  bool resumed = false;
  if (!final && config.spec.on_background_error == "resume" && db && !db->BackgroundError().ok() &&
      db->maintenance() != nullptr) {
    resumed = db->maintenance()->Resume().ok();
  }
  if (std::exchange(handling_background_error_, false)) {
    std::lock_guard<std::mutex> guard(published_mu_);
    resumed ? out.resumes_after_background_error++ : out.reopens_after_background_error++;
  }
  reports::QuiescencePoint point =
      CheckAtRest(AtRest(), checker, check_slot, when, /*reopen=*/!resumed, &run, &out);
  ctx.store = db.get();  // the reopened DB
  if (config.on_open && db) config.on_open(db.get());
  {
    std::lock_guard<std::mutex> guard(published_mu_);
    if (final || out.quiescence_points.size() < kQuiescencePointsMax) {
      out.quiescence_points.push_back(std::move(point));
    }
  }
  // A reopen that failed (reported as a recovery violation) leaves no DB to go on with.
  if (!db) run.Stop();
  if (config.faults != nullptr && !final) config.faults->Resume();
}

bool DriverCore::OpenFirst() {
  auto opened = stores::Open(*kind, store_config, config.db_path);
  if (!opened.ok() && opened.status().injected() && config.faults != nullptr) {
    // A fault (or a power loss) while the DB was being created or opened: the open reported it,
    // as it must. Like a user, open it again, with faults off: that open has to succeed, whatever
    // the failed one left behind (a CURRENT without its MANIFEST, say).
    out.checks["initial_open_failures"]++;
    const std::string first = opened.status().ToString();
    auto* fault_fs = dynamic_cast<faults::FaultFS*>(store_config.file_system.get());
    if (fault_fs != nullptr && fault_fs->crashed()) {
      // A power loss: a crash cycle like any other (nothing was written yet), its recovery
      // checked, a recovery fault included.
      reports::CrashCycle cycle;
      cycle.cycle = 1;
      cycle.mode = "power-loss (crash fire)";
      fault_fs->Restart();
      RecoverCycle(std::move(cycle), {});
    } else {
      config.faults->Suspend();
      opened = stores::Open(*kind, store_config, config.db_path);
      config.faults->Resume();
      if (opened.ok()) {
        db = std::move(opened).value();
      } else {
        reports::Violation v = InvariantViolation(
            fmt::format("the DB cannot be opened after a failed first open ({}): {}", first,
                        opened.status().ToString()));
        v.kind = "recovery";
        run.Report(std::move(v), nullptr);
      }
    }
    if (db) return true;
    // No DB to run on: the run ends here with the recovery's violations.
    out.result = "violation";
    out.exit_code = model::kExitViolation;
    out.violations = run.violations();
    out.violation_count = run.violation_count();
    return false;
  }
  if (!opened.ok()) {
    out.result = "error";
    out.exit_code = model::kExitFailure;
    out.error = "opening the DB: " + opened.status().ToString();
    return false;
  }
  db = std::move(opened).value();
  return true;
}

bool DriverCore::RetireDb(std::string_view when) {
  if (!db) return true;
  AddCounters(db->Stats(), &retired);
  return CloseChecked(&db, when, &run);
}

void DriverCore::FailLiveness(std::string error) {
  std::lock_guard<std::mutex> guard(published_mu_);
  out.result = "liveness";
  out.exit_code = model::kExitLiveness;
  out.error = std::move(error);
  run.Stop();
}

void DriverCore::Abandon() {
  process::LeakOnPurpose(db.release());
  for (auto& client : clients) process::LeakOnPurpose(client.release());
  clients.clear();
}

void DriverCore::CrashAndRecover(faults::FaultFS* fs, const std::string& mode) {
  reports::CrashCycle cycle;
  cycle.cycle = out.crash_cycles.size() + 1;
  cycle.seconds = run.Seconds();
  cycle.mode = mode;
  cycle.floor = oracle.synced();
  if (!fs->crashed()) fs->Crash(faults::FaultFS::CrashMode::kDropUnsynced, 0);
  // Abandoned, not closed: with the file system frozen nothing more reaches the disk.
  if (!RetireDb(fmt::format("crash cycle {}", cycle.cycle))) return;
  fs->Restart();
  RecoverCycle(std::move(cycle), {});
}

void DriverCore::RecoverCycle(reports::CrashCycle cycle,
                              const std::vector<clients::AckEntry>& in_flight) {
  engine::FileSystem* fs = store_config.file_system.get();
  const FilesOnDisk after_crash = EngineFilesIn(fs, config.db_path);
  // The DB as the crash left it, kept if the recovery fails.
  std::string copy;
  if (!config.crash_copy_dir.empty()) {
    copy = fmt::format("{}/crash-cycle-{}", config.crash_copy_dir, cycle.cycle);
    CopyDirectoryToDisk(fs, config.db_path, copy);
  }
  // On a store whose failed writes a reopen may recover, they are as uncertain as the writes the
  // crash caught in flight; those that made it hold sequences after every recorded write.
  std::vector<clients::AckEntry> uncertain = in_flight;
  for (model::Oracle::FailedWrite& w : oracle.TakeFailedWrites()) {
    if (kind->failed_writes_indeterminate) {
      uncertain.insert(uncertain.end(), w.entries.begin(), w.entries.end());
    }
  }
  if (const size_t failed = uncertain.size() - in_flight.size(); failed > 0) {
    oracle.TruncateTo(oracle.recorded_through(), oracle.recorded_through() + failed);
  }
  // A store that counts sequences itself counts on from the last the run recorded: the recovered
  // prefix is found from what the DB holds, and the sequences between it and here hold no write.
  store_config.first_sequence = oracle.recorded_through();
  faults::RecoveryFault fault;
  if (config.faults != nullptr && faults::ParseRecoveryFault(config.spec.recovery_fault, &fault)) {
    // A reopen with a fault inside it first: an I/O error, or a power loss in the middle of
    // recovery. Its DB is let go, and the checked recovery below starts over as after a second
    // crash: whatever the faulted reopen left behind, the DB must still recover.
    config.faults->BeginRecovery(fault);
    { auto attempt = stores::Open(*kind, store_config, config.db_path); }
    const faults::RecoveryHits hits = config.faults->EndRecovery();
    if (!hits.fired_point.empty()) {
      cycle.recovery_fault =
          fmt::format("{} at {} (file call {} of the reopen)", faults::ActionName(fault.action),
                      hits.fired_point, fault.hit);
    }
    auto* fault_fs = dynamic_cast<faults::FaultFS*>(fs);
    if (fault_fs != nullptr && fault_fs->crashed()) fault_fs->Restart();
  }
  // The recovery is checked with the run's faults off: what it must reach is then exact. Its file
  // calls are counted (what --during-recovery enumerates).
  if (config.faults != nullptr) config.faults->BeginRecovery(std::nullopt);
  RecoverAfterCrash(AtRest(), &oracle, checker, check_slot, after_crash, store_config.clock.get(),
                    &run, &out, &cycle, uncertain);
  if (config.faults != nullptr) {
    cycle.recovery_io_hits = config.faults->EndRecovery().hits;
    if (!db) config.faults->Suspend();
  }
  if (!copy.empty()) {
    if (cycle.ok) {
      std::error_code ec;
      std::filesystem::remove_all(copy, ec);
    } else {
      cycle.kept_db = copy;
    }
  }
  ctx.store = db.get();
  if (config.on_open && db) config.on_open(db.get());
  if (!db) run.Stop();
  AddCrashCycle(std::move(cycle));
}

void DriverCore::AddCrashCycle(reports::CrashCycle cycle) {
  std::lock_guard<std::mutex> guard(published_mu_);
  out.crash_cycles.push_back(std::move(cycle));
}

void DriverCore::NoteBackgroundError() { handling_background_error_ = true; }

RunOutcome DriverCore::StalledOutcome(std::string error) const {
  RunOutcome o;
  {
    std::lock_guard<std::mutex> guard(published_mu_);
    o.crash_mode = out.crash_mode;
    o.engine = out.engine;
    o.samples = out.samples;
    o.quiescence_points = out.quiescence_points;
    o.crash_cycles = out.crash_cycles;
    o.reopens_after_background_error = out.reopens_after_background_error;
    o.final_metrics = out.final_metrics;
    // A liveness failure the driver saw itself (and then could not end the run) says more.
    if (out.result == "liveness") error = out.error + "; then " + error;
  }
  run.Snapshot(&o.final_metrics);
  o.final_metrics.CountCrashCycles(o.crash_cycles);
  CollectCounters(o.final_metrics, run, &o);
  // The engine's counters as of the last sample (the DB is not asked: it may be what is stuck).
  o.engine.final_live_versions = o.final_metrics.live_versions;
  o.engine.final_deferred_deletions = o.final_metrics.deferred_deletions;
  o.engine.files_deleted = o.final_metrics.files_deleted;
  o.engine.compactions = o.final_metrics.compactions;
  o.engine.flushes = o.final_metrics.flushes;
  o.engine.version_installs = o.final_metrics.version_installs;
  o.duration_seconds = run.Seconds();
  o.violation_count = run.violation_count();
  o.violations = run.violations();
  o.result = "liveness";
  o.exit_code = model::kExitLiveness;
  o.error = std::move(error);
  o.postmortem.emplace();
  o.postmortem->in_flight = InFlightOps();
  o.peak_rss_bytes = PeakRssBytes();
  return o;
}

std::vector<std::string> DriverCore::InFlightOps() const {
  std::vector<std::string> ops;
  std::lock_guard<std::mutex> guard(published_mu_);
  for (const auto& client : clients) {
    std::string op = client->InFlight();
    if (!op.empty()) ops.push_back(client->name() + ": " + op);
  }
  return ops;
}

RunOutcome DriverCore::Finish() {
  if (db) {
    const stores::StoreStats stats = Stats();
    EngineSummary& e = out.engine;
    e.final_live_versions = stats.live_versions.value_or(0);
    e.final_deferred_deletions = stats.deferred_deletions.value_or(0);
    e.files_deleted = stats.files_deleted;
    e.compactions = stats.compactions;
    e.flushes = stats.flushes;
    e.version_installs = stats.version_installs;
    e.background_errors = stats.background_errors;
    e.background_retries = stats.background_retries;
    e.max_live_versions = std::max(e.max_live_versions, stats.live_versions.value_or(0));
    e.max_deepest_level = std::max(e.max_deepest_level, stats.deepest_level);
  }
  std::vector<std::unique_ptr<clients::Client>> ending;
  {
    std::lock_guard<std::mutex> guard(published_mu_);
    ending.swap(clients);
  }
  ending.clear();
  if (db) CloseChecked(&db, "end of run", &run);
  std::lock_guard<std::mutex> guard(published_mu_);
  // The final checks may find violations: the last metrics include them.
  run.Snapshot(&out.final_metrics);
  out.final_metrics.CountCrashCycles(out.crash_cycles);  // those since the last sample
  CollectCounters(out.final_metrics, run, &out);
  out.violation_count = run.violation_count();
  out.violations = run.violations();
  if (out.violation_count > 0) out.thread_history = run.MergedHistory();
  if (out.violation_count > 0) {
    out.result = "violation";
    out.exit_code = model::kExitViolation;
  }
  out.peak_rss_bytes = PeakRssBytes();
  return std::move(out);
}

uint64_t CurrentRssBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages_total = 0;
  uint64_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t PeakRssBytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

}  // namespace harness::drivers
