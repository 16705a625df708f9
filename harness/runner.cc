#include "harness/runner.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "engine/db.h"
#include "engine/testing.h"
#include "harness/checker.h"
#include "harness/end_of_run_checks.h"
#include "harness/exit_codes.h"
#include "harness/oracle.h"
#include "harness/run_state.h"
#include "harness/workers.h"
#include "workloads/key_chooser.h"
#include "workloads/value.h"

namespace harness {
namespace {

constexpr auto kSampleInterval = std::chrono::milliseconds(250);
constexpr size_t kSamplesMax = 100000;

KeyValueCodec WorkloadCodec() {
  return {&workloads::KeyName, &workloads::ParseKeyIndex, &workloads::ParseValueId};
}

// No table a live Version lists is missing (engine::testing's race-free check).
void CheckLiveTablesExist(engine::DB* db, RunState* run) {
  const auto check = engine::testing::CheckLiveTablesExist(db);
  if (check.missing.empty()) return;
  const auto& m = check.missing.front();
  run->Report(InvariantViolation(fmt::format(
                  "{} is listed at L{} by live Version {} (refs {}) but missing from disk",
                  engine::testing::TableFileName(m.number), m.level, m.version_id, m.version_refs)),
              nullptr);
}

struct Workers {
  std::vector<std::thread> threads;
  std::atomic<int> writers_running{0};
};

void StartWorkers(const WorkerContext& ctx, Workers* w) {
  const auto& spec = *ctx.spec;
  w->writers_running = spec.writers.threads;
  for (int i = 0; i < spec.writers.threads; i++) {
    w->threads.emplace_back([&ctx, w, i] {
      WriterLoop(ctx, static_cast<uint32_t>(i));
      w->writers_running.fetch_sub(1);
    });
  }
  for (int i = 0; i < spec.readers.threads; i++) {
    w->threads.emplace_back([&ctx, i] { ReaderLoop(ctx, static_cast<uint32_t>(i)); });
  }
  for (int i = 0; i < spec.scanners.threads; i++) {
    w->threads.emplace_back([&ctx, i] { ScannerLoop(ctx, static_cast<uint32_t>(i)); });
  }
  for (int i = 0; i < spec.snapshot_readers.threads; i++) {
    w->threads.emplace_back([&ctx, i] { SnapshotReaderLoop(ctx, static_cast<uint32_t>(i)); });
  }
}

// Reads every counter of the run: the harness's, the engine's and the fault controller's.
reports::MetricsSnapshot ReadMetrics(engine::DB* db, const RunConfig& config, const RunState& run) {
  reports::MetricsSnapshot m;
  m.seconds = run.Seconds();
  run.Snapshot(&m);
  const engine::StatsSnapshot stats = db->GetStats();
  m.live_versions = stats.live_versions;
  m.deferred_deletions = stats.deferred_deletions;
  m.deferred_deletion_bytes = stats.deferred_deletion_bytes;
  m.oldest_version_age_seconds = stats.oldest_version_age_seconds;
  m.files_deleted = stats.files_deleted;
  m.version_installs = stats.version_installs;
  m.compactions = stats.compactions;
  m.flushes = stats.flushes;
  if (config.faults != nullptr) {
    for (const auto& [point, counts] : config.faults->Counts()) {
      for (const auto& [action, fires] : counts.fires_by_action) m.faults[{point, action}] = fires;
    }
  }
  m.rss_bytes = CurrentRssBytes();
  return m;
}

// Takes a sample: a timeseries row, the engine maxima, and the metrics sink's update.
void TakeSample(engine::DB* db, const RunConfig& config, const RunState& run, RunOutcome* out) {
  reports::MetricsSnapshot m = ReadMetrics(db, config, run);
  EngineSummary& e = out->engine;
  e.max_live_versions = std::max(e.max_live_versions, m.live_versions);
  e.max_deferred_deletions = std::max(e.max_deferred_deletions, m.deferred_deletions);
  // A sample right after the previous one (the last, taken when the workers have joined) would be
  // a sliver of an interval with meaningless rates: its counts reach metrics, not the timeseries.
  const bool sliver = !out->samples.empty() && m.seconds - out->final_metrics.seconds < 0.1;
  if (out->samples.size() < kSamplesMax && !sliver) {
    const bool first = out->samples.empty();
    out->samples.push_back(Sample::Between(first ? nullptr : &out->final_metrics, m));
  }
  if (config.on_sample) config.on_sample(m);
  out->final_metrics = std::move(m);
}

std::string ProgressLine(const RunOutcome& out) {
  const reports::MetricsSnapshot& m = out.final_metrics;  // the latest sample
  const auto scans = m.reads_checked.find("scan");
  return fmt::format(
      "[{:6.1f}s] ops {} | reads checked {} | scans {} | live versions {} (max {}) "
      "| deferred {} (max {}) | faults {} | violations {}",
      m.seconds, m.OpsTotal(), m.ReadsCheckedTotal(),
      scans == m.reads_checked.end() ? 0 : scans->second, m.live_versions,
      out.engine.max_live_versions, m.deferred_deletions, out.engine.max_deferred_deletions,
      m.FaultsTotal(), m.ViolationsTotal());
}

// Samples, checks the live-table invariant, runs the watchdog and ends the run on time.
void Monitor(engine::DB* db, const RunConfig& config, RunState* run, const Workers& workers,
             RunOutcome* out) {
  const auto& spec = config.spec;
  uint64_t last_ops = 0;
  double last_progress_at = 0;
  double last_line_at = 0;
  uint64_t invariant_checks = 0;
  while (!run->stopping()) {
    std::this_thread::sleep_for(kSampleInterval);
    TakeSample(db, config, *run, out);
    if (config.check) {
      CheckLiveTablesExist(db, run);
      invariant_checks++;
    }
    const double now = run->Seconds();
    const uint64_t ops = out->final_metrics.OpsTotal();  // the sample just taken
    if (ops != last_ops) {
      last_ops = ops;
      last_progress_at = now;
    } else if (now - last_progress_at > spec.watchdog_seconds) {
      out->result = "liveness";
      out->exit_code = kExitLiveness;
      out->error = fmt::format("no op completed for {:.0f}s", spec.watchdog_seconds);
      run->Stop();
    }
    if (config.progress && now - last_line_at >= config.progress_interval_seconds) {
      config.progress(ProgressLine(*out));
      last_line_at = now;
    }
    const bool time_up = spec.ops == 0 && now >= spec.duration_seconds;
    const bool ops_done = spec.ops != 0 && workers.writers_running.load() == 0;
    if (time_up || ops_done) run->Stop();
  }
  out->checks["invariant_checks"] += invariant_checks;
}

// summary.json's ops and checks, from the run's last metrics (`m`) and the counters they lack.
void CollectCounters(const reports::MetricsSnapshot& m, const RunState& run, RunOutcome* out) {
  for (size_t i = 0; i < reports::kOpKindCount; i++) {
    const auto op = static_cast<OpKind>(i);
    // summary.json's historical name for scan steps.
    const std::string name =
        op == OpKind::kScanStep ? "scan_steps" : std::string(reports::kOpKindNames[i]);
    out->ops[name] = m.OpsOf(op);
  }
  out->ops["scan"] = run.Sum(kScans);
  out->ops["errors_injected"] = run.Sum(kErrorsInjected);
  out->ops["errors_unexpected"] = run.Sum(kErrorsUnexpected);
  // The end-of-run checks add their own scans to these.
  for (const auto& [kind, name] : {std::pair{"point_read", "reads_checked"},
                                   {"scan", "scans_checked"},
                                   {"scan_key", "scan_keys_checked"},
                                   {"snapshot_read", "snapshot_reads_checked"}}) {
    out->checks[name] += m.reads_checked.at(kind);
  }
}

void SummarizeEngine(engine::DB* db, RunOutcome* out) {
  const engine::StatsSnapshot stats = db->GetStats();
  EngineSummary& e = out->engine;
  e.final_live_versions = stats.live_versions;
  e.final_deferred_deletions = stats.deferred_deletions;
  e.files_deleted = stats.files_deleted;
  e.compactions = stats.compactions;
  e.flushes = stats.flushes;
  e.version_installs = stats.version_installs;
  e.background_errors = stats.background_errors;
  e.max_live_versions = std::max(e.max_live_versions, stats.live_versions);
}

// The end-of-run checks: the whole DB, quiescence, then recovery on a reopened DB.
void FinalChecks(std::unique_ptr<engine::DB>* db, const engine::Options& options,
                 const RunConfig& config, Oracle* oracle, const Checker& checker, RunState* run,
                 RunOutcome* out) {
  // The end-of-run invariants hold for a DB at rest: faults stop first.
  if (config.faults != nullptr) config.faults->Uninstall();
  ReaderSlot* slot = oracle->NewReaderSlot();
  const SequenceNumber final_seq = oracle->recorded_through();
  slot->Pin(final_seq);
  CheckWholeDb(db->get(), checker, final_seq, "scan", run, out);
  CheckQuiescence(db->get(), options.file_system.get(), config.db_path, "end of run", run, out);
  SummarizeEngine(db->get(), out);
  CheckRecovery(db, options, config, checker, final_seq, run, out);
}

}  // namespace

RunOutcome RunThreaded(const RunConfig& config) {
  RunOutcome out;
  engine::Options options = config.spec.engine.ToOptions();
  options.file_system = config.file_system ? config.file_system : engine::NewPosixFileSystem();
  auto opened = engine::DB::Open(options, config.db_path);
  if (!opened.ok()) {
    out.result = "error";
    out.exit_code = kExitFailure;
    out.error = "opening the DB: " + opened.status().ToString();
    return out;
  }
  std::unique_ptr<engine::DB> db = std::move(opened).value();
  Oracle oracle(config.spec.key_space);
  const Checker checker(&oracle, WorkloadCodec());
  RunState run(config.keep_going);
  const WorkerContext ctx{db.get(), &config.spec, &oracle, config.check ? &checker : nullptr,
                          &run,     config.faults};
  Workers workers;
  StartWorkers(ctx, &workers);
  Monitor(db.get(), config, &run, workers, &out);
  for (auto& t : workers.threads) t.join();
  out.duration_seconds = run.Seconds();
  TakeSample(db.get(), config, run, &out);
  if (config.check && out.result == "pass" && (run.violation_count() == 0 || config.keep_going)) {
    FinalChecks(&db, options, config, &oracle, checker, &run, &out);
  } else {
    SummarizeEngine(db.get(), &out);
  }
  db.reset();
  // The final checks may find violations: the last metrics include them.
  run.Snapshot(&out.final_metrics);
  CollectCounters(out.final_metrics, run, &out);
  out.violation_count = run.violation_count();
  out.violations = run.violations();
  if (out.violation_count > 0) {
    out.result = "violation";
    out.exit_code = kExitViolation;
  }
  out.peak_rss_bytes = PeakRssBytes();
  return out;
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

}  // namespace harness
