#include "harness/drivers/threaded_driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <set>
#include <thread>

#include "harness/clients/client.h"
#include "harness/drivers/driver_core.h"
#include "harness/drivers/quiescence.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/checker.h"
#include "harness/model/exit_codes.h"
#include "harness/model/oracle.h"
#include "harness/model/run_state.h"
#include "workloads/key_chooser.h"
#include "workloads/random.h"
#include "workloads/value.h"

namespace harness::drivers {
namespace {

constexpr auto kSampleInterval = std::chrono::milliseconds(250);

// No table a live Version lists is missing (the store's own race-free check).
void CheckLiveTablesExist(stores::Store* db, model::RunState* run) {
  stores::Invariants* invariants = db->invariants();
  if (invariants == nullptr) return;
  for (std::string& missing : invariants->LiveTablesMissing()) {
    run->Report(InvariantViolation(std::move(missing)), nullptr);
    return;  // the first is enough
  }
}

// Where client threads stop for a quiescence point or a crash. The monitor asks (Pause); each
// client thread sees the request between two steps, releases its client and parks until Resume. A
// client that finished leaves, so the monitor waits only for the ones still running. A writer the
// DB refuses (a background error) waits here too, when the run reopens such a DB, until the
// Resume after the next reopen.
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

  // Waits until the Resume that follows the next pause (or until `stopping` holds).
  void WaitForReopen(const std::atomic<bool>& stopping) {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t generation = generation_;
    parked_++;
    cv_.notify_all();
    cv_.wait(lock, [&] { return generation_ != generation || stopping.load(); });
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
    generation_++;
    cv_.notify_all();
  }

  // Wakes every waiter (the run is stopping).
  void WakeAll() {
    std::lock_guard<std::mutex> guard(mu_);
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> requested_{false};
  size_t active_;            // guarded by mu_
  size_t parked_ = 0;        // guarded by mu_
  uint64_t generation_ = 0;  // guarded by mu_: Resumes so far
};

// The threaded driver: the core, a thread per client, and the gate they pause at.
struct ThreadedRun {
  explicit ThreadedRun(DriverCore* c)
      : core(c),
        gate(c->clients.size()),
        fs(dynamic_cast<faults::FaultFS*>(c->config.file_system.get())),
        crash_random(workloads::DeriveSeed(c->config.spec.seed, kCrashStream)) {}
  // Do not change: the crash moments of existing runs depend on this stream.
  static constexpr uint64_t kCrashStream = 0xc4a54;
  DriverCore* const core;
  std::vector<std::thread> threads;
  std::atomic<int> writers_running{0};
  std::atomic<bool> stopping{false};  // mirrors run.stopping() for the gate's waiters
  PauseGate gate;
  faults::FaultFS* const fs;  // null when the file system is not a FaultFS
  workloads::Random crash_random;
  // A writer the DB refuses waits for a reopen instead of stopping: the run reopens such a DB.
  bool WritersWaitForReopen() const {
    return core->config.crash_mode == "power-loss" ||
           core->config.spec.on_background_error != "stop-writes";
  }
};

void ClientThread(ThreadedRun* r, clients::Client* client) {
  while (!r->core->run.stopping()) {
    if (r->gate.requested()) {
      client->Release();
      r->gate.Park();
      continue;
    }
    if (client->Step()) continue;
    if (client->Exhausted() || !r->WritersWaitForReopen()) break;
    client->Release();
    r->gate.WaitForReopen(r->stopping);
  }
  client->Release();
  if (client->role() == model::ClientRole::kWriter) r->writers_running.fetch_sub(1);
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

// A quiescence point in the middle of the run: every client releases and parks, then the core's
// at-rest checks run and everything resumes.
void PeriodicQuiescencePoint(ThreadedRun* r) {
  DriverCore* core = r->core;
  const double pause_limit = core->config.spec.watchdog_seconds;
  if (!r->gate.Pause(pause_limit)) {
    core->FailLiveness(
        fmt::format("clients did not pause for a quiescence point within {:.0f}s", pause_limit));
    r->gate.Resume();
    return;
  }
  core->QuiescencePoint(fmt::format("quiescence point at {:.1f}s", core->run.Seconds()),
                        /*final=*/false);
  r->gate.Resume();
}

// The next crash, this many seconds from now: uniform in [0.5, 1.5] x crash_every_seconds.
double NextCrashDelay(ThreadedRun* r) {
  return r->core->config.spec.crash_every_seconds * (0.5 + r->crash_random.UniformDouble());
}

// One crash cycle: a power loss now (unless a crash fire already made one; torn with probability
// crash_torn_ratio, from the run's seed), every client paused, then the core's recovery.
void CrashCycle(ThreadedRun* r) {
  DriverCore* core = r->core;
  const bool torn = r->crash_random.UniformDouble() < core->config.spec.crash_torn_ratio;
  const uint64_t seed = r->crash_random.Next64();
  const bool already = r->fs->crashed();
  if (!already) {
    r->fs->Crash(torn ? faults::FaultFS::CrashMode::kTornUnsynced
                      : faults::FaultFS::CrashMode::kDropUnsynced,
                 seed);
  }
  const double pause_limit = core->config.spec.watchdog_seconds;
  if (!r->gate.Pause(pause_limit)) {
    core->FailLiveness(fmt::format("clients did not stop for crash cycle {} within {:.0f}s",
                                   core->out.crash_cycles.size() + 1, pause_limit));
    r->gate.Resume();
    return;
  }
  core->CrashAndRecover(r->fs, already ? "power-loss (crash fire)" : torn ? "torn" : "power-loss");
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
  const bool crashing = config.crash_mode == "power-loss" && r->fs != nullptr;
  double next_crash_at = crashing ? NextCrashDelay(r) : 0;
  uint64_t last_ops = 0;
  double last_progress_at = 0;
  double last_line_at = 0;
  uint64_t invariant_checks = 0;
  while (!core->run.stopping()) {
    std::this_thread::sleep_for(kSampleInterval);
    core->TakeSample();  // beats the watchdog: a monitor stuck in a DB call stops beating
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
      core->FailLiveness(fmt::format("no op completed for {:.0f}s", spec.watchdog_seconds));
    }
    if (config.progress && now - last_line_at >= config.progress_interval_seconds) {
      config.progress(ProgressLine(core->out));
      last_line_at = now;
    }
    // With --cycles the cycles end the run, not the duration.
    const bool time_up = spec.ops == 0 && config.crash_cycles == 0 && now >= spec.duration_seconds;
    const bool ops_done = spec.ops != 0 && r->writers_running.load() == 0;
    const bool cycles_done =
        config.crash_cycles != 0 && core->out.crash_cycles.size() >= config.crash_cycles;
    if (time_up || ops_done || cycles_done) {
      core->run.Stop();
    } else if (crashing && (now >= next_crash_at || r->fs->crashed()) && !core->run.stopping()) {
      CrashCycle(r);
      last_progress_at = core->run.Seconds();
      next_crash_at = last_progress_at + NextCrashDelay(r);
    } else if (spec.on_background_error != "stop-writes" && core->db &&
               !core->db->BackgroundError().ok() && !core->run.stopping()) {
      core->NoteBackgroundError();
      PeriodicQuiescencePoint(r);
      last_progress_at = core->run.Seconds();
    } else if (quiesce && now >= next_quiesce_at && !core->run.stopping()) {
      PeriodicQuiescencePoint(r);
      // The pause is not a stall: progress and the next point count from its end.
      last_progress_at = core->run.Seconds();
      next_quiesce_at = last_progress_at + spec.quiesce_every_seconds;
    }
  }
  core->out.checks["invariant_checks"] += invariant_checks;
}

// The run as far as it got, for the watchdog: a thread is stuck (the monitor inside a DB call, or
// a client the run could not stop), so every client's op in flight is named.
RunOutcome DescribeStall(DriverCore* core, const Watchdog::Stall& stall) {
  return core->StalledOutcome(
      fmt::format("the run stalled: nothing moved for {:.0f}s (a thread blocked inside the DB?)",
                  stall.seconds_without_progress));
}

}  // namespace

RunOutcome RunThreaded(const RunConfig& config) {
  DriverCore core(config, StoreConfigFor(config));
  if (!core.opened()) return std::move(core.out);
  ThreadedRun r(&core);
  // A deadlock inside the engine blocks the monitor or a client for good: the watchdog ends the
  // run then, from its own thread (threads blocked in the DB can be neither stopped nor joined).
  WatchScope watch(config.watchdog, [&core](const Watchdog::Stall& stall, std::optional<SimRun>*) {
    return DescribeStall(&core, stall);
  });
  StartClients(&r);
  std::thread monitor([&r] { Monitor(&r); });
  monitor.join();
  core.run.Beat();
  r.stopping = true;
  r.gate.WakeAll();  // writers waiting for a reopen that will not come
  for (auto& t : r.threads) t.join();
  core.run.Beat();
  // A crash fire after the last cycle (the run was ending) left a frozen file system: recover
  // from it like any other crash before the end-of-run checks.
  if (r.fs != nullptr && r.fs->crashed() && core.db && core.out.result == "pass") {
    core.CrashAndRecover(r.fs, "power-loss (crash fire)");
  }
  core.out.duration_seconds = core.run.Seconds();
  core.TakeSample();
  if (config.check && core.out.result == "pass" && core.db &&
      (core.run.violation_count() == 0 || config.keep_going)) {
    core.QuiescencePoint("end of run", /*final=*/true);
  }
  return core.Finish();
}

}  // namespace harness::drivers
