#include "harness/runner.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <set>
#include <thread>

#include "engine/db.h"
#include "engine/testing.h"
#include "harness/checker.h"
#include "harness/client.h"
#include "harness/exit_codes.h"
#include "harness/oracle.h"
#include "harness/quiescence.h"
#include "harness/run_state.h"
#include "workloads/key_chooser.h"
#include "workloads/value.h"

namespace harness {
namespace {

constexpr auto kSampleInterval = std::chrono::milliseconds(250);
constexpr size_t kSamplesMax = 100000;
constexpr size_t kQuiescencePointsMax = 100000;

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

// Where client threads stop for a quiescence point. The monitor asks (Pause); each client thread
// sees the request between two steps, releases its client and parks until Resume. A client that
// finished leaves, so the monitor waits only for the ones still running.
class PauseGate {
 public:
  explicit PauseGate(size_t clients) : active_(clients) {}

  bool requested() const { return requested_.load(std::memory_order_relaxed); }

  void Park() {
    std::unique_lock<std::mutex> lock(mu_);
    parked_++;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !requested_.load(std::memory_order_relaxed); });
    parked_--;
  }

  void Leave() {
    std::lock_guard<std::mutex> guard(mu_);
    active_--;
    cv_.notify_all();
  }

  // True once every active client has parked; false if they have not within `timeout_seconds`
  // (the request stands until Resume).
  bool Pause(double timeout_seconds) {
    std::unique_lock<std::mutex> lock(mu_);
    requested_.store(true, std::memory_order_relaxed);
    return cv_.wait_for(lock, std::chrono::duration<double>(timeout_seconds),
                        [this] { return parked_ == active_; });
  }

  void Resume() {
    std::lock_guard<std::mutex> guard(mu_);
    requested_.store(false, std::memory_order_relaxed);
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> requested_{false};
  size_t active_;      // guarded by mu_
  size_t parked_ = 0;  // guarded by mu_
};

// The threaded driver's state: the DB, the clients and their threads, what the run shares.
struct ThreadedRun {
  const RunConfig& config;
  engine::Options options;
  std::unique_ptr<engine::DB> db;
  // Engine counters of the DB instances closed by reopens, so the run's counters never go back.
  engine::StatsSnapshot retired;
  Oracle oracle;
  Checker checker;
  RunState run;
  ClientContext ctx;
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::thread> threads;
  std::atomic<int> writers_running{0};
  PauseGate gate;
  ReaderSlot* check_slot;
  RunOutcome out;

  ThreadedRun(const RunConfig& c, engine::Options o, std::unique_ptr<engine::DB> opened)
      : config(c),
        options(std::move(o)),
        db(std::move(opened)),
        oracle(c.spec.key_space),
        checker(&oracle, WorkloadCodec()),
        run(c.keep_going, options.clock.get()),
        ctx{db.get(),           &c.spec, &oracle, c.check ? &checker : nullptr, &run, c.faults,
            options.clock.get()},
        clients(MakeClients(ctx)),
        gate(clients.size()),
        check_slot(oracle.NewReaderSlot()) {}

  DbAtRest AtRest() {
    return {&db, &options, config.db_path, [this](engine::DB* closing) { Retire(closing); }};
  }

  void Retire(engine::DB* closing) {
    const engine::StatsSnapshot s = closing->GetStats();
    retired.files_deleted += s.files_deleted;
    retired.version_installs += s.version_installs;
    retired.flushes += s.flushes;
    retired.compactions += s.compactions;
    retired.background_errors += s.background_errors;
  }

  // The run's engine counters so far; after a failed reopen (no DB) only the retired ones.
  engine::StatsSnapshot Stats() const {
    engine::StatsSnapshot s = db ? db->GetStats() : engine::StatsSnapshot();
    s.files_deleted += retired.files_deleted;
    s.version_installs += retired.version_installs;
    s.flushes += retired.flushes;
    s.compactions += retired.compactions;
    s.background_errors += retired.background_errors;
    return s;
  }
};

void ClientThread(ThreadedRun* r, Client* client) {
  while (!r->run.stopping()) {
    if (r->gate.requested()) {
      client->Release();
      r->gate.Park();
      continue;
    }
    if (!client->Step()) break;
  }
  client->Release();
  if (client->role() == ClientRole::kWriter) r->writers_running.fetch_sub(1);
  r->gate.Leave();
}

void StartClients(ThreadedRun* r) {
  r->writers_running = r->config.spec.writers.threads;
  for (auto& client : r->clients) {
    r->threads.emplace_back([r, c = client.get()] { ClientThread(r, c); });
  }
}

// Reads every counter of the run: the harness's, the engine's and the fault controller's.
reports::MetricsSnapshot ReadMetrics(const ThreadedRun& r, const engine::StatsSnapshot& stats) {
  reports::MetricsSnapshot m;
  m.seconds = r.run.Seconds();
  r.run.Snapshot(&m);
  m.live_versions = stats.live_versions;
  m.deferred_deletions = stats.deferred_deletions;
  m.deferred_deletion_bytes = stats.deferred_deletion_bytes;
  m.oldest_version_age_seconds = stats.oldest_version_age_seconds;
  m.files_deleted = stats.files_deleted;
  m.version_installs = stats.version_installs;
  m.compactions = stats.compactions;
  m.flushes = stats.flushes;
  if (r.config.faults != nullptr) {
    for (const auto& [point, counts] : r.config.faults->Counts()) {
      for (const auto& [action, fires] : counts.fires_by_action) m.faults[{point, action}] = fires;
    }
  }
  m.rss_bytes = CurrentRssBytes();
  return m;
}

// Takes a sample: a timeseries row, the engine maxima, and the metrics sink's update.
void TakeSample(ThreadedRun* r) {
  RunOutcome* out = &r->out;
  const engine::StatsSnapshot stats = r->Stats();
  reports::MetricsSnapshot m = ReadMetrics(*r, stats);
  EngineSummary& e = out->engine;
  e.max_live_versions = std::max(e.max_live_versions, m.live_versions);
  e.max_deferred_deletions = std::max(e.max_deferred_deletions, m.deferred_deletions);
  e.max_deepest_level = std::max(e.max_deepest_level, stats.deepest_level);
  // A sample right after the previous one (the last, taken when the clients have joined) would be
  // a sliver of an interval with meaningless rates: its counts reach metrics, not the timeseries.
  const bool sliver = !out->samples.empty() && m.seconds - out->final_metrics.seconds < 0.1;
  if (out->samples.size() < kSamplesMax && !sliver) {
    const bool first = out->samples.empty();
    out->samples.push_back(Sample::Between(first ? nullptr : &out->final_metrics, m));
  }
  if (r->config.on_sample) r->config.on_sample(m);
  out->final_metrics = std::move(m);
}

std::string ProgressLine(const RunOutcome& out) {
  const reports::MetricsSnapshot& m = out.final_metrics;  // the latest sample
  const auto scans = m.reads_checked.find("scan");
  return fmt::format(
      "[{:6.1f}s] ops {} | reads checked {} | scans {} | live versions {} (max {}) "
      "| deferred {} (max {}) | faults {} | quiescence points {} | violations {}",
      m.seconds, m.OpsTotal(), m.ReadsCheckedTotal(),
      scans == m.reads_checked.end() ? 0 : scans->second, m.live_versions,
      out.engine.max_live_versions, m.deferred_deletions, out.engine.max_deferred_deletions,
      m.FaultsTotal(), out.quiescence_points.size(), m.ViolationsTotal());
}

void FailLiveness(ThreadedRun* r, std::string error) {
  r->out.result = "liveness";
  r->out.exit_code = kExitLiveness;
  r->out.error = std::move(error);
  r->run.Stop();
}

// A quiescence point in the middle of the run: every client releases and parks, faults pause,
// the at-rest checks run (reopening the DB), then everything resumes.
void PeriodicQuiescencePoint(ThreadedRun* r) {
  const double pause_limit = r->config.spec.watchdog_seconds;
  if (!r->gate.Pause(pause_limit)) {
    FailLiveness(
        r, fmt::format("clients did not pause for a quiescence point within {:.0f}s", pause_limit));
    r->gate.Resume();
    return;
  }
  if (r->config.faults != nullptr) r->config.faults->Suspend();
  reports::QuiescencePoint point =
      CheckAtRest(r->AtRest(), r->checker, r->check_slot,
                  fmt::format("quiescence point at {:.1f}s", r->run.Seconds()),
                  /*reopen=*/true, &r->run, &r->out);
  r->ctx.db = r->db.get();  // the reopened DB; no client runs until Resume
  // A reopen that failed (reported as a recovery violation) leaves no DB to go on with.
  if (!r->db) r->run.Stop();
  if (r->out.quiescence_points.size() < kQuiescencePointsMax) {
    r->out.quiescence_points.push_back(std::move(point));
  }
  if (r->config.faults != nullptr) r->config.faults->Resume();
  r->gate.Resume();
}

// Samples, checks the live-table invariant, runs the watchdog and the periodic quiescence points,
// and ends the run on time.
void Monitor(ThreadedRun* r) {
  const auto& spec = r->config.spec;
  const bool quiesce = r->config.check && spec.quiesce_every_seconds > 0;
  double next_quiesce_at = spec.quiesce_every_seconds;
  uint64_t last_ops = 0;
  double last_progress_at = 0;
  double last_line_at = 0;
  uint64_t invariant_checks = 0;
  while (!r->run.stopping()) {
    std::this_thread::sleep_for(kSampleInterval);
    TakeSample(r);
    if (r->config.check && r->db) {
      CheckLiveTablesExist(r->db.get(), &r->run);
      invariant_checks++;
    }
    const double now = r->run.Seconds();
    const uint64_t ops = r->out.final_metrics.OpsTotal();  // the sample just taken
    if (ops != last_ops) {
      last_ops = ops;
      last_progress_at = now;
    } else if (now - last_progress_at > spec.watchdog_seconds) {
      FailLiveness(r, fmt::format("no op completed for {:.0f}s", spec.watchdog_seconds));
    }
    if (r->config.progress && now - last_line_at >= r->config.progress_interval_seconds) {
      r->config.progress(ProgressLine(r->out));
      last_line_at = now;
    }
    const bool time_up = spec.ops == 0 && now >= spec.duration_seconds;
    const bool ops_done = spec.ops != 0 && r->writers_running.load() == 0;
    if (time_up || ops_done) {
      r->run.Stop();
    } else if (quiesce && now >= next_quiesce_at && !r->run.stopping()) {
      PeriodicQuiescencePoint(r);
      // The pause is not a stall: progress and the next point count from its end.
      last_progress_at = r->run.Seconds();
      next_quiesce_at = last_progress_at + spec.quiesce_every_seconds;
    }
  }
  r->out.checks["invariant_checks"] += invariant_checks;
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
  // The quiescence points add their own scans to these.
  for (const auto& [kind, name] : {std::pair{"point_read", "reads_checked"},
                                   {"scan", "scans_checked"},
                                   {"scan_key", "scan_keys_checked"},
                                   {"snapshot_read", "snapshot_reads_checked"}}) {
    out->checks[name] += m.reads_checked.at(kind);
  }
}

void SummarizeEngine(const ThreadedRun& r, RunOutcome* out) {
  const engine::StatsSnapshot stats = r.Stats();
  EngineSummary& e = out->engine;
  e.final_live_versions = stats.live_versions;
  e.final_deferred_deletions = stats.deferred_deletions;
  e.files_deleted = stats.files_deleted;
  e.compactions = stats.compactions;
  e.flushes = stats.flushes;
  e.version_installs = stats.version_installs;
  e.background_errors = stats.background_errors;
  e.max_live_versions = std::max(e.max_live_versions, stats.live_versions);
  e.max_deepest_level = std::max(e.max_deepest_level, stats.deepest_level);
}

// The end of the run: faults off for good, then the last quiescence point.
void FinalChecks(ThreadedRun* r) {
  if (r->config.faults != nullptr) r->config.faults->Uninstall();
  reports::QuiescencePoint point = CheckAtRest(r->AtRest(), r->checker, r->check_slot, "end of run",
                                               /*reopen=*/true, &r->run, &r->out);
  r->out.quiescence_points.push_back(std::move(point));
}

}  // namespace

RunOutcome RunThreaded(const RunConfig& config) {
  engine::Options options = config.spec.engine.ToOptions();
  options.file_system = config.file_system ? config.file_system : engine::NewPosixFileSystem();
  options.clock = engine::RealClock();
  auto opened = engine::DB::Open(options, config.db_path);
  if (!opened.ok()) {
    RunOutcome out;
    out.result = "error";
    out.exit_code = kExitFailure;
    out.error = "opening the DB: " + opened.status().ToString();
    return out;
  }
  ThreadedRun r(config, options, std::move(opened).value());
  StartClients(&r);
  Monitor(&r);
  for (auto& t : r.threads) t.join();
  RunOutcome& out = r.out;
  out.duration_seconds = r.run.Seconds();
  TakeSample(&r);
  if (config.check && out.result == "pass" && r.db &&
      (r.run.violation_count() == 0 || config.keep_going)) {
    FinalChecks(&r);
  }
  SummarizeEngine(r, &out);
  r.db.reset();
  // The final checks may find violations: the last metrics include them.
  r.run.Snapshot(&out.final_metrics);
  CollectCounters(out.final_metrics, r.run, &out);
  out.violation_count = r.run.violation_count();
  out.violations = r.run.violations();
  if (out.violation_count > 0) {
    out.result = "violation";
    out.exit_code = kExitViolation;
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

}  // namespace harness
