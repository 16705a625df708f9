#include "harness/drivers/sim_driver.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <mutex>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "engine/clock.h"
#include "harness/drivers/driver_core.h"
#include "harness/drivers/scheduler.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"

namespace harness::drivers {
namespace {

constexpr double kSampleIntervalSeconds = 0.25;
// Most steps one yield point runs inside a compaction.
constexpr uint64_t kBurstStepsMax = 4096;

// Runs steps — chosen by the scheduler, or read from a script — and records each.
class SimExecutor {
 public:
  SimExecutor(const RunConfig& config, const SimOptions& options,
              const std::vector<SimStep>* script)
      : config_(WithYieldHook(config)),
        options_(options),
        clock_(std::dynamic_pointer_cast<engine::ManualClock>(config.clock)),
        fs_(dynamic_cast<faults::FaultFS*>(config.file_system.get())),
        core_(config_, SimulatedStoreConfig(config)),
        script_(script) {
    ClientNames(config.spec, &result_.client_names, &result_.client_roles);
    finished_.assign(core_.clients.size(), false);
    scheduler_ = Scheduler::Make(config.spec.sim, core_.clients.size() + 1,
                                 workloads::DeriveSeed(config.spec.seed, kSchedulerStream));
    if (options_.history_ops != 0) ring_.resize(options_.history_ops);
    if (config.faults != nullptr) {
      config.faults->SetFireListener([this](const faults::FireRecord& r) {
        if (!running_.empty()) running_.back().fires.push_back({r.point, r.hit_in_step, r.action});
      });
    }
  }

  ~SimExecutor() {
    if (config_.faults != nullptr) config_.faults->SetFireListener(nullptr);
  }

  SimRun Run() {
    if (!core_.opened()) {
      result_.outcome = std::move(core_.out);
      return std::move(result_);
    }
    WatchScope watch(config_.watchdog, [this](const Watchdog::Stall&, std::optional<SimRun>* sim) {
      return DescribeStall(sim);
    });
    script_ == nullptr ? RunSeeded() : RunScript();
    if (!core_.run.stopping() && EndChecksDue()) {
      SimStep end;
      end.actor = SimStep::Actor::kRun;
      end.run_op = SimStep::RunOp::kEnd;
      end.fires = std::move(end_fires_);
      Execute(std::move(end), end_pos_);
    } else {
      ReleaseAll();
    }
    return Finish();
  }

 private:
  // The actor of the run's own steps (quiescence points, end checks): never a scheduler's choice.
  static constexpr size_t kRunActor = SIZE_MAX;
  // Do not change: recorded runs replay with the schedule this stream draws.
  static constexpr uint64_t kSchedulerStream = 0x5c4ed;

  struct Running {
    uint64_t index = 0;     // this run's index of the step
    size_t script_pos = 0;  // its 1-based position in the script (replay), or its index
    size_t actor = 0;       // clients, then the background
    std::vector<faults::ScriptedFire> fires;
    const SimStep* step = nullptr;  // the step itself, while Execute runs it
  };

  // The run as far as it got, for the watchdog (on its thread, while this one is stuck inside a
  // step): the steps in flight, the history up to them, and what the core published.
  RunOutcome DescribeStall(std::optional<SimRun>* sim) {
    std::vector<std::string> in_flight;
    uint64_t step = 0;
    SimRun partial;
    {
      std::lock_guard<std::mutex> guard(progress_mu_);
      for (const Running& r : running_) {
        step = r.index;
        in_flight.push_back(
            FormatStep(StepRecord{r.index, *r.step, "(in flight)"}, result_.client_names));
      }
      // Every step before the innermost one in flight has begun; those not in flight completed.
      const uint64_t begun = running_.empty() ? completed_ : running_.back().index;
      partial.steps = completed_;
      partial.trace_hash = result_.trace_hash;
      partial.client_names = result_.client_names;
      partial.client_roles = result_.client_roles;
      HistoryInto(begun, &partial);
    }
    RunOutcome outcome =
        core_.StalledOutcome(step == 0 ? "the simulation stopped making progress between steps"
                                       : fmt::format("step #{} has not completed", step));
    outcome.postmortem->step = step;
    outcome.postmortem->in_flight = std::move(in_flight);
    partial.header.seed = config_.spec.seed;
    partial.header.preset = config_.spec.name;
    partial.header.schedule = config_.spec.sim.schedule;
    partial.header.steps_total = completed_;
    *sim = std::move(partial);
    return outcome;
  }

  // The kept history of steps 1..`steps` into `run` (its first step in run->header): the lines of
  // those that completed (a step still in flight has none yet). REQUIRES: progress_mu_ held, or no
  // step running.
  void HistoryInto(uint64_t steps, SimRun* run) const {
    const auto add = [run](uint64_t index, const std::string& line) {
      if (line.starts_with(fmt::format("#{} ", index))) run->history.push_back(line);
    };
    if (options_.history_ops == 0) {
      for (uint64_t i = 1; i <= std::min<uint64_t>(steps, all_lines_.size()); i++) {
        add(i, all_lines_[i - 1]);
      }
      return;
    }
    const uint64_t kept = std::min<uint64_t>(steps, ring_.size());
    run->header.first_step = steps - kept + 1;
    for (uint64_t i = run->header.first_step; i <= steps; i++)
      add(i, ring_[(i - 1) % ring_.size()]);
  }

  RunConfig WithYieldHook(const RunConfig& config) {
    RunConfig c = config;
    c.on_open = [this, outer = config.on_open](stores::Store* db) {
      // A store that steps its own background work has no yield points to offer.
      if (stores::Simulation* sim = db->simulation()) {
        sim->SetYieldHook([this](stores::YieldSite site) { OnYield(site); });
      }
      if (outer) outer(db);
    };
    return c;
  }

  // Background work in manual mode: it runs only as the simulator steps it.
  static stores::StoreConfig SimulatedStoreConfig(const RunConfig& config) {
    stores::StoreConfig store = StoreConfigFor(config);
    store.engine.background = engine::BackgroundMode::kManual;
    return store;
  }

  size_t background_actor() const { return core_.clients.size(); }

  // The store's simulation hooks; null for a store that runs its own background threads (the
  // simulator then schedules only the clients and the run's own steps).
  stores::Simulation* Sim() const { return core_.db ? core_.db->simulation() : nullptr; }

  // Who may take the next step. A writer whose write would wait for background work is blocked,
  // as its thread would be in a threaded run: the background work runs as its own step (where
  // foreground steps may run inside it) instead of inline in the write.
  std::vector<bool> Runnable() {
    std::vector<bool> runnable(core_.clients.size() + 1);
    for (size_t i = 0; i < core_.clients.size(); i++) runnable[i] = !finished_[i];
    stores::Simulation* sim = Sim();
    runnable.back() = sim != nullptr && sim->BackgroundWorkPending();
    if (sim != nullptr && sim->WriteWouldWait()) ExcludeWriters(&runnable);
    return runnable;
  }

  // Writers wait for background work that is not pending: in a threaded run they would wait for
  // ever (a write stall that never ends).
  bool WritersStalled() {
    if (!core_.db || WritersFinished()) return false;
    stores::Simulation* sim = Sim();
    return sim != nullptr && sim->WriteWouldWait() && !sim->BackgroundWorkPending();
  }

  bool WritersFinished() const {
    for (size_t i = 0; i < core_.clients.size(); i++) {
      if (core_.clients[i]->role() == model::ClientRole::kWriter && !finished_[i]) return false;
    }
    return true;
  }

  bool EndChecksDue() const {
    return config_.check && core_.out.result == "pass" && core_.db &&
           (core_.run.violation_count() == 0 || config_.keep_going);
  }

  // The next step of `actor`, or nullopt if it is a client with nothing more to do.
  std::optional<SimStep> StepOf(size_t actor) {
    SimStep step;
    if (actor == background_actor()) {
      step.actor = SimStep::Actor::kBackground;
      return step;
    }
    std::optional<model::ClientOp> op = core_.clients[actor]->NextOp();
    if (!op) {
      finished_[actor] = true;
      return std::nullopt;
    }
    step.client = static_cast<uint32_t>(actor);
    step.op = std::move(*op);
    return step;
  }

  void RunSeeded() {
    const auto& spec = config_.spec;
    const bool quiesce = config_.check && spec.quiesce_every_seconds > 0;
    double next_quiesce_at = spec.quiesce_every_seconds;
    double next_sample_at = kSampleIntervalSeconds;
    double next_progress_at = config_.progress_interval_seconds;
    // A store with its own background threads runs on the wall clock too
    // (kWallSecondsPerWorkSecond).
    const bool wall_bounded = spec.ops == 0 && Sim() == nullptr;
    const auto wall_end =
        std::chrono::steady_clock::now() +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(kWallSecondsPerWorkSecond * spec.duration_seconds));
    while (!core_.run.stopping()) {
      if (options_.max_steps != 0 && result_.steps >= options_.max_steps) break;
      const double now = core_.run.Seconds();
      if (spec.ops == 0 && now >= spec.duration_seconds) break;
      if (wall_bounded && std::chrono::steady_clock::now() >= wall_end) {
        result_.ended_on_wall_clock = true;
        break;
      }
      if (now >= next_sample_at) {
        core_.TakeSample();
        next_sample_at += kSampleIntervalSeconds;
        if (config_.progress && now >= next_progress_at) {
          config_.progress(ProgressLine());
          next_progress_at += config_.progress_interval_seconds;
        }
      }
      if (quiesce && now >= next_quiesce_at) {
        SimStep step;
        step.actor = SimStep::Actor::kRun;
        Execute(std::move(step), 0);
        next_quiesce_at = core_.run.Seconds() + spec.quiesce_every_seconds;
        continue;
      }
      const std::vector<bool> runnable = Runnable();
      if (std::none_of(runnable.begin(), runnable.end(), [](bool b) { return b; })) {
        if (WritersStalled()) {
          core_.FailLiveness(fmt::format(
              "at step #{}: writes wait for background work, and none is pending (a write stall "
              "that never ends)",
              result_.steps));
        }
        break;
      }
      if (spec.ops != 0 && WritersFinished()) break;
      const size_t actor = scheduler_->Pick(runnable);
      std::optional<SimStep> step = StepOf(actor);
      if (step) Execute(std::move(*step), 0);
      AfterStep();
    }
  }

  // A power loss during the step (a crash fire) is recovered from at once; a background error is
  // reopened when the workload says so.
  void AfterStep() {
    if (core_.run.stopping()) return;
    if (fs_ != nullptr && fs_->crashed()) {
      SimStep crash;
      crash.actor = SimStep::Actor::kRun;
      crash.run_op = SimStep::RunOp::kCrash;
      Execute(std::move(crash), 0);
    } else if (config_.spec.on_background_error != "stop-writes" && core_.db &&
               !core_.db->BackgroundError().ok()) {
      core_.NoteBackgroundError();
      SimStep reopen;
      reopen.actor = SimStep::Actor::kRun;
      Execute(std::move(reopen), 0);
    }
  }

  void RunScript() {
    while (script_pos_ < script_->size() && !core_.run.stopping()) {
      const size_t pos = ++script_pos_;
      SimStep step = (*script_)[pos - 1];
      // A step whose outer step is gone (or ran already) runs on its own.
      step.inside = 0;
      if (step.actor == SimStep::Actor::kRun && step.run_op == SimStep::RunOp::kEnd) {
        end_fires_ = step.fires;  // Run() does the end checks, with the faults they met
        end_pos_ = pos;
        script_pos_ = script_->size();
        break;
      }
      if (step.actor == SimStep::Actor::kClient && step.client >= core_.clients.size()) continue;
      Execute(std::move(step), pos);
    }
  }

  // The DB's yield hook: maybe another actor's step runs here, inside the current one.
  //
  // The rule that keeps this free of self-deadlock: a foreground step runs inside another step
  // only where the yielding thread holds no engine lock. Get and iterator yields hold none. A
  // compaction's yield holds none when the compaction runs as the background actor's own step;
  // one reached inside a client's call (a flush or compaction a foreground call runs inline)
  // may sit under that call's write lock, so it runs nothing. Writers whose write would wait for
  // background work never step (Runnable), so a write never runs background work inline.
  void OnYield(stores::YieldSite site) {
    // One level of nesting, and none inside the run's own steps: a quiescence point's checks
    // (and the background work they drain) run with every client released.
    if (running_.size() != 1 || running_.back().actor == kRunActor) return;
    const Running& outer = running_.back();
    if (site == stores::YieldSite::kCompactionNewOutput && outer.actor != background_actor()) {
      return;
    }
    if (script_ != nullptr) {
      // Every step the history ran here, in order.
      const size_t outer_pos = outer.script_pos;
      const uint64_t outer_index = outer.index;
      while (script_pos_ < script_->size() && (*script_)[script_pos_].inside == outer_pos &&
             (*script_)[script_pos_].site == site && !core_.run.stopping()) {
        const size_t pos = ++script_pos_;
        SimStep step = (*script_)[pos - 1];
        step.inside = outer_index;
        Execute(std::move(step), pos);
      }
      return;
    }
    if (!scheduler_->YieldHere()) return;
    const uint64_t outer_index = outer.index;
    const size_t outer_actor = outer.actor;
    // Inside a compaction the foreground goes on for a while (a burst); elsewhere one step runs.
    const bool burst = site == stores::YieldSite::kCompactionNewOutput;
    for (uint64_t n = 0; n < kBurstStepsMax; n++) {
      std::vector<bool> runnable = Runnable();
      runnable[outer_actor] = false;  // the actor that yielded is the one waiting
      // The background may run inside a Get or an iterator (a compaction while a read view is
      // pinned: what those yields are for), never inside itself.
      if (outer_actor == background_actor()) runnable.back() = false;
      if (std::none_of(runnable.begin(), runnable.end(), [](bool b) { return b; })) return;
      std::optional<SimStep> step = StepOf(scheduler_->PickNested(runnable));
      if (step) {
        step->inside = outer_index;
        step->site = site;
        Execute(std::move(*step), 0);
      }
      if (!burst || core_.run.stopping() || !scheduler_->BurstGoesOn()) return;
    }
  }

  void ExcludeWriters(std::vector<bool>* runnable) const {
    for (size_t i = 0; i < core_.clients.size(); i++) {
      if (core_.clients[i]->role() == model::ClientRole::kWriter) (*runnable)[i] = false;
    }
  }

  // A power loss (unless a crash fire just made one), recovery, its checks; writers that the
  // crashed DB stopped write again.
  std::string Crash() {
    if (fs_ == nullptr) return "no FaultFS";
    const uint64_t before = core_.run.violation_count();
    core_.CrashAndRecover(fs_, "power-loss");
    ReviveWriters();
    const reports::CrashCycle& cycle = core_.out.crash_cycles.back();
    const uint64_t found = core_.run.violation_count() - before;
    return found == 0 ? fmt::format("recovered through seq={}, {} writes dropped", cycle.recovered,
                                    cycle.dropped_writes)
                      : fmt::format("{} violation{}", found, found == 1 ? "" : "s");
  }

  // After a reopen the DB takes writes again: writers a background error stopped go on.
  void ReviveWriters() {
    for (size_t i = 0; i < core_.clients.size(); i++) {
      if (!core_.clients[i]->Exhausted()) finished_[i] = false;
    }
  }

  void ReleaseAll() {
    for (auto& client : core_.clients) client->Release();
  }

  std::string RunBackground() {
    const stores::StoreStats before = core_.db->Stats();
    const bool did = Sim() != nullptr && Sim()->RunBackgroundStep();
    const stores::StoreStats after = core_.db->Stats();
    std::string what;
    if (after.flushes > before.flushes) what = "flush";
    if (after.compactions > before.compactions)
      what += what.empty() ? "compaction" : ", compaction";
    if (after.background_errors > before.background_errors) {
      what += what.empty() ? "background error" : "; background error";
    } else if (what.empty()) {
      what = did ? "failed, retried later" : "idle";
    }
    return what;
  }

  std::string RunOp(const SimStep& step, uint64_t index) {
    ReleaseAll();
    if (step.run_op == SimStep::RunOp::kCrash) return Crash();
    // A store with its own threads can lose power between two steps (a crash fire in its
    // background work): the recovery comes first, as it would have after a step.
    if (fs_ != nullptr && fs_->crashed()) {
      const std::string crash = Crash();
      if (core_.run.stopping() || !core_.db) return crash;
    }
    const uint64_t before = core_.run.violation_count();
    const bool final = step.run_op == SimStep::RunOp::kEnd;
    core_.QuiescencePoint(final ? "end of run" : fmt::format("quiescence point at step #{}", index),
                          final);
    if (!final) ReviveWriters();
    const uint64_t found = core_.run.violation_count() - before;
    return found == 0 ? "ok" : fmt::format("{} violation{}", found, found == 1 ? "" : "s");
  }

  // Runs `step` — at the top level, or inside the running one — and records it. `script_pos` is
  // its position in the script (replay).
  void Execute(SimStep step, size_t script_pos) {
    const uint64_t index = ++result_.steps;
    core_.run.SetStep(index);
    const bool nested = !running_.empty();
    faults::FaultController* faults = config_.faults;
    faults::FaultController::StepState saved;
    if (faults != nullptr) {
      if (nested) saved = faults->SaveStep();
      faults->BeginStep(script_ != nullptr ? step.fires : std::vector<faults::ScriptedFire>());
    }
    const size_t actor = step.actor == SimStep::Actor::kClient       ? step.client
                         : step.actor == SimStep::Actor::kBackground ? background_actor()
                                                                     : kRunActor;
    {
      std::lock_guard<std::mutex> guard(progress_mu_);
      running_.push_back({index, script_pos != 0 ? script_pos : index, actor, {}, &step});
    }
    std::string observed;
    switch (step.actor) {
      case SimStep::Actor::kClient: {
        const model::StepOutcome outcome = core_.clients[step.client]->Execute(step.op);
        if (outcome.finished) finished_[step.client] = true;
        observed = ToString(outcome);
        break;
      }
      case SimStep::Actor::kBackground:
        observed = core_.db ? RunBackground() : "no DB";
        break;
      case SimStep::Actor::kRun:
        observed = RunOp(step, index);
        break;
    }
    if (faults != nullptr && nested) faults->RestoreStep(std::move(saved));
    {
      std::lock_guard<std::mutex> guard(progress_mu_);
      step.fires = std::move(running_.back().fires);
      running_.pop_back();
      core_.run.SetStep(running_.empty() ? index : running_.back().index);
      if (clock_) clock_->Advance(uint64_t{config_.spec.sim.step_cost_us} * 1000);
      Record(StepRecord{index, std::move(step), std::move(observed)});
    }
    core_.run.Beat();
  }

  // REQUIRES: progress_mu_ held.
  void Record(StepRecord record) {
    const std::string line = FormatStep(record, result_.client_names);
    result_.trace_hash = XXH3_64bits_withSeed(line.data(), line.size(), result_.trace_hash);
    // Hashes chain in the order steps complete (a nested step completes before its outer one).
    const size_t completed = completed_++;
    if (options_.step_hashes) result_.step_hashes.push_back(result_.trace_hash);
    if (const std::vector<uint64_t>* expected = options_.expected_hashes;
        expected != nullptr && result_.mismatch_step == 0 &&
        (completed >= expected->size() || (*expected)[completed] != result_.trace_hash)) {
      result_.mismatch_step = record.index;
      core_.run.Stop();
    }
    const uint64_t index = record.index;
    if (options_.history_ops == 0) {
      if (all_lines_.size() < index) all_lines_.resize(index);
      all_lines_[index - 1] = line;
    } else {
      ring_[(index - 1) % ring_.size()] = line;
    }
    if (options_.capture) {
      if (result_.captured.size() < index) result_.captured.resize(index);
      result_.captured[index - 1] = std::move(record.step);
    }
  }

  std::string ProgressLine() const {
    const reports::MetricsSnapshot& m = core_.out.final_metrics;
    return fmt::format(
        "[{:6.1f}s simulated] steps {} | ops {} | reads checked {} | live versions {} | faults {} "
        "| quiescence points {} | violations {}",
        m.seconds, result_.steps, m.OpsTotal(), m.ReadsCheckedTotal(), m.live_versions,
        m.FaultsTotal(), core_.out.quiescence_points.size(), m.ViolationsTotal());
  }

  SimRun Finish() {
    core_.out.duration_seconds = core_.run.Seconds();
    core_.TakeSample();
    result_.outcome = core_.Finish();
    if (!result_.outcome.violations.empty()) {
      result_.first_violation_step = result_.outcome.violations.front().step;
    }
    result_.header.seed = config_.spec.seed;
    result_.header.preset = config_.spec.name;
    result_.header.schedule = config_.spec.sim.schedule;
    result_.header.steps_total = result_.steps;
    if (options_.history_ops == 0) {
      result_.history = std::move(all_lines_);
    } else {
      HistoryInto(result_.steps, &result_);
    }
    return std::move(result_);
  }

  const RunConfig config_;
  const SimOptions options_;
  std::shared_ptr<engine::ManualClock> clock_;
  faults::FaultFS* fs_;  // null when the file system is not a FaultFS
  DriverCore core_;
  const std::vector<SimStep>* script_;
  size_t script_pos_ = 0;                        // steps of the script taken so far
  std::vector<faults::ScriptedFire> end_fires_;  // the script's end step's fires
  size_t end_pos_ = 0;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<bool> finished_;
  // Guards running_, the history (ring_, all_lines_, completed_, the trace hash) against the
  // watchdog's DescribeStall; held for a few instructions per step, never across one.
  mutable std::mutex progress_mu_;
  std::vector<Running> running_;  // the step running, and the one it runs inside
  std::vector<std::string> ring_;
  std::vector<std::string> all_lines_;
  size_t completed_ = 0;  // steps recorded so far
  SimRun result_;
};

}  // namespace

void ClientNames(const workloads::WorkloadSpec& spec, std::vector<std::string>* names,
                 std::vector<model::ClientRole>* roles) {
  names->clear();
  roles->clear();
  for (const auto& [role, count] :
       {std::pair{model::ClientRole::kWriter, spec.writers.threads},
        {model::ClientRole::kReader, spec.readers.threads},
        {model::ClientRole::kScanner, spec.scanners.threads},
        {model::ClientRole::kSnapshotReader, spec.snapshot_readers.threads}}) {
    for (int i = 0; i < count; i++) {
      names->push_back(fmt::format("{}-{}", model::RoleName(role), i));
      roles->push_back(role);
    }
  }
}

SimRun RunSimulated(const RunConfig& config, const SimOptions& options) {
  return SimExecutor(config, options, nullptr).Run();
}

SimRun Replay(const RunConfig& config, const std::vector<SimStep>& steps,
              const SimOptions& options) {
  return SimExecutor(config, options, &steps).Run();
}

}  // namespace harness::drivers
