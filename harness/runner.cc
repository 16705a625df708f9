#include "harness/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <set>
#include <thread>

#include "engine/db.h"
#include "engine/testing.h"
#include "harness/checker.h"
#include "harness/client.h"
#include "harness/driver_core.h"
#include "harness/exit_codes.h"
#include "harness/oracle.h"
#include "harness/quiescence.h"
#include "harness/run_state.h"
#include "workloads/key_chooser.h"
#include "workloads/value.h"

namespace harness {
namespace {

constexpr auto kSampleInterval = std::chrono::milliseconds(250);

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

// The threaded driver: the core, a thread per client, and the gate they pause at.
struct ThreadedRun {
  explicit ThreadedRun(DriverCore* c) : core(c), gate(c->clients.size()) {}
  DriverCore* const core;
  std::vector<std::thread> threads;
  std::atomic<int> writers_running{0};
  PauseGate gate;
};

void ClientThread(ThreadedRun* r, Client* client) {
  while (!r->core->run.stopping()) {
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
  r->writers_running = r->core->config.spec.writers.threads;
  for (auto& client : r->core->clients) {
    r->threads.emplace_back([r, c = client.get()] { ClientThread(r, c); });
  }
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

void FailLiveness(DriverCore* core, std::string error) {
  core->out.result = "liveness";
  core->out.exit_code = kExitLiveness;
  core->out.error = std::move(error);
  core->run.Stop();
}

// A quiescence point in the middle of the run: every client releases and parks, then the core's
// at-rest checks run and everything resumes.
void PeriodicQuiescencePoint(ThreadedRun* r) {
  DriverCore* core = r->core;
  const double pause_limit = core->config.spec.watchdog_seconds;
  if (!r->gate.Pause(pause_limit)) {
    FailLiveness(core, fmt::format("clients did not pause for a quiescence point within {:.0f}s",
                                   pause_limit));
    r->gate.Resume();
    return;
  }
  core->QuiescencePoint(fmt::format("quiescence point at {:.1f}s", core->run.Seconds()),
                        /*final=*/false);
  r->gate.Resume();
}

// Samples, checks the live-table invariant, runs the watchdog and the periodic quiescence points,
// and ends the run on time.
void Monitor(ThreadedRun* r) {
  DriverCore* core = r->core;
  const RunConfig& config = core->config;
  const auto& spec = config.spec;
  const bool quiesce = config.check && spec.quiesce_every_seconds > 0;
  double next_quiesce_at = spec.quiesce_every_seconds;
  uint64_t last_ops = 0;
  double last_progress_at = 0;
  double last_line_at = 0;
  uint64_t invariant_checks = 0;
  while (!core->run.stopping()) {
    std::this_thread::sleep_for(kSampleInterval);
    core->TakeSample();
    if (config.check && core->db) {
      CheckLiveTablesExist(core->db.get(), &core->run);
      invariant_checks++;
    }
    const double now = core->run.Seconds();
    const uint64_t ops = core->out.final_metrics.OpsTotal();  // the sample just taken
    if (ops != last_ops) {
      last_ops = ops;
      last_progress_at = now;
    } else if (now - last_progress_at > spec.watchdog_seconds) {
      FailLiveness(core, fmt::format("no op completed for {:.0f}s", spec.watchdog_seconds));
    }
    if (config.progress && now - last_line_at >= config.progress_interval_seconds) {
      config.progress(ProgressLine(core->out));
      last_line_at = now;
    }
    const bool time_up = spec.ops == 0 && now >= spec.duration_seconds;
    const bool ops_done = spec.ops != 0 && r->writers_running.load() == 0;
    if (time_up || ops_done) {
      core->run.Stop();
    } else if (quiesce && now >= next_quiesce_at && !core->run.stopping()) {
      PeriodicQuiescencePoint(r);
      // The pause is not a stall: progress and the next point count from its end.
      last_progress_at = core->run.Seconds();
      next_quiesce_at = last_progress_at + spec.quiesce_every_seconds;
    }
  }
  core->out.checks["invariant_checks"] += invariant_checks;
}

}  // namespace

RunOutcome RunThreaded(const RunConfig& config) {
  engine::Options options = config.spec.engine.ToOptions();
  options.file_system = config.file_system ? config.file_system : engine::NewPosixFileSystem();
  options.clock = config.clock ? config.clock : engine::RealClock();
  DriverCore core(config, options);
  if (!core.opened()) return std::move(core.out);
  ThreadedRun r(&core);
  StartClients(&r);
  Monitor(&r);
  for (auto& t : r.threads) t.join();
  core.out.duration_seconds = core.run.Seconds();
  core.TakeSample();
  if (config.check && core.out.result == "pass" && core.db &&
      (core.run.violation_count() == 0 || config.keep_going)) {
    core.QuiescencePoint("end of run", /*final=*/true);
  }
  return core.Finish();
}

}  // namespace harness
