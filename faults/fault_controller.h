// FaultController: turns a run's fault rules into fault-point decisions, reproducibly.
//
// Install() enables every engine point a rule matches with libfiu's fiu_enable_external; the
// callback, and FaultFS through OnHit(), ask Decide() for each hit of a point. A decision depends
// only on the run's seed, the point, the rule and the point's hit number (and the op index or time
// for windowed rules), so a run with the same seed and schedule fires the same faults at the same
// hits. Every fire is counted per point and action and appended to faults.log as
//   <seconds> op=<op index> point=<name> hit=<n> action=<action>
// (a fire inside a crash recovery ends in " recovery", its hit counting every fs/ point).
// The controller never calls libfiu's control API from inside a callback (the callback runs under
// libfiu's lock); `crash` and `torn` at engine points call hooks the owner of the FaultFS sets.
//
// Thread contract: thread-safe (Install/Uninstall and the hook setters before/after the run).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/status.h"
#include "faults/fault_rule.h"

namespace faults {

struct FaultControllerOptions {
  uint64_t seed = 0;
  std::vector<Rule> rules;
  // Where each fire is logged (empty: nowhere).
  std::string log_path;
  // Time for windows, delays and the log; null means engine::RealClock().
  std::shared_ptr<engine::Clock> clock;
  // Steps (a simulated run, a replay): hits are also counted per step (BeginStep), and each fire
  // is recorded with its hit number within the step, so a history can name it.
  bool step_tracking = false;
  // A replay: `rules` are ignored and every point is watched; each step fires exactly what
  // BeginStep was given.
  bool scripted = false;
};

// A fire a replay makes happen: the `hit_in_step`-th hit of `point` within one step.
struct ScriptedFire {
  std::string point;
  uint64_t hit_in_step = 1;
  Action action = Action::kError;
  bool operator==(const ScriptedFire&) const = default;
};

// A fault inside a crash recovery: the `hit`-th hit of any fs/ point during the recovery's reopen
// fires `action` (a crash inside recovery, or an I/O error).
struct RecoveryFault {
  uint64_t hit = 1;
  Action action = Action::kError;
};

// Parses "HIT:ACTION" (HIT >= 1; ACTION error, nospace or crash).
bool ParseRecoveryFault(std::string_view text, RecoveryFault* out);

// What a recovery's reopen did: how many fs/ hits it made, and the point a RecoveryFault fired at
// (empty: none fired).
struct RecoveryHits {
  uint64_t hits = 0;
  std::string fired_point;
};

// One fire, as recorded in faults.log.
struct FireRecord {
  double seconds = 0;
  uint64_t op_index = 0;
  std::string point;
  uint64_t hit = 0;
  uint64_t hit_in_step = 0;  // with step tracking: the hit's number within its step
  Action action = Action::kError;
};

struct PointCounts {
  uint64_t hits = 0;
  std::map<std::string, uint64_t> fires_by_action;  // action name -> fires
};

class FaultController {
 public:
  explicit FaultController(FaultControllerOptions options);
  ~FaultController();
  FaultController(const FaultController&) = delete;
  FaultController& operator=(const FaultController&) = delete;

  // Initialises libfiu and enables each engine point some rule matches. Opens the log.
  engine::Status Install();
  // Disables what Install enabled and stops every later fire (FaultFS points too). Called by the
  // destructor too.
  void Uninstall();
  // While suspended no rule fires and hits are not counted (as if no rule named any point): a
  // quiescence point checks the DB at rest, then resumes the run's faults where they were.
  void Suspend() { suspended_.store(true, std::memory_order_release); }
  void Resume() { suspended_.store(false, std::memory_order_release); }

  // A crash recovery's reopen begins: until EndRecovery the run's rules fire nothing (as when
  // suspended), every hit of an fs/ point is counted, and `fault`, if given, fires at its hit.
  void BeginRecovery(std::optional<RecoveryFault> fault);
  RecoveryHits EndRecovery();

  // Called at a `crash` fire at an engine point (e.g. FaultFS::Crash), and at a `torn` fire at an
  // engine point (arm a torn next append). Set before Install.
  void SetCrashHook(std::function<void()> hook) { crash_hook_ = std::move(hook); }
  void SetTornHook(std::function<void()> hook) { torn_hook_ = std::move(hook); }

  // With step tracking: a step begins. Hit counts within the step restart at zero; a scripted
  // controller fires exactly `fires` during it. A step nested inside another (the simulator runs
  // one at an engine yield point) saves the outer step's counts first and restores them after.
  void BeginStep(std::vector<ScriptedFire> fires = {});
  struct StepState {
    std::vector<uint64_t> hits;
    std::vector<ScriptedFire> fires;
  };
  StepState SaveStep() const;
  void RestoreStep(StepState state);
  // Called with every fire, after it is counted and logged (a simulator attaches fires to the
  // step that made them). Set before Install.
  void SetFireListener(std::function<void(const FireRecord&)> listener) {
    fire_listener_ = std::move(listener);
  }

  // The index of the op the caller is about to run (for op windows and the log).
  void SetOpIndex(uint64_t op_index) { op_index_.store(op_index, std::memory_order_relaxed); }

  // One hit of `point`: counts it, sleeps for a firing `delay`, and returns the action to inject
  // (nullopt: go on). Used by FaultFS for fs/ points and by the libfiu callback.
  // `path` is the file an fs/ point is about (empty for engine points).
  std::optional<Action> OnHit(std::string_view point, std::string_view path = {});

  uint64_t fires_total() const { return fires_total_.load(std::memory_order_relaxed); }
  // Hits and fires per point that any rule names (points never hit are included with zeros).
  std::map<std::string, PointCounts> Counts() const;
  // The fires so far (at most kFireRecordsMax kept in memory; the log has them all).
  std::vector<FireRecord> Fires() const;
  static constexpr size_t kFireRecordsMax = 100000;

  // Opens libfiu's remote-control fifo "<prefix>-<pid>", so `fiu-ctrl -c "enable name=..." PID`
  // can switch points in this process. InvalidArgument for a prefix with whitespace (fiu-ctrl
  // cannot reach it), IOError when the fifo cannot be made.
  static engine::Status OpenRemoteControl(const std::string& prefix);

 private:
  struct PointState;
  static int FiuCallback(const char* name, int* failnum, void** failinfo, unsigned int* flags);
  bool InWindow(const Rule& rule) const;
  bool Fires(const PointState& state, size_t rule_index, uint64_t hit);
  void Record(PointState& state, uint64_t hit, uint64_t hit_in_step, Action action);
  std::optional<Action> ScriptedHit(PointState& state, uint64_t hit, uint64_t hit_in_step);
  std::optional<Action> RecoveryHit(std::string_view point);

  const FaultControllerOptions options_;
  // Built in the constructor and never changed, so lookups need no lock.
  std::map<std::string, std::unique_ptr<PointState>, std::less<>> points_;
  std::function<void()> crash_hook_;
  std::function<void(const FireRecord&)> fire_listener_;
  std::vector<ScriptedFire> step_fires_;  // scripted: this step's fires (single-threaded use)
  std::function<void()> torn_hook_;
  std::atomic<uint64_t> op_index_{0};
  std::atomic<uint64_t> fires_total_{0};
  double SecondsSinceInstall() const;

  const std::shared_ptr<engine::Clock> clock_;
  uint64_t start_nanos_ = 0;  // set by Install
  bool installed_ = false;
  std::atomic<bool> stopped_{false};     // set by Uninstall: OnHit fires nothing any more
  std::atomic<bool> suspended_{false};   // Suspend/Resume
  std::atomic<bool> recovering_{false};  // BeginRecovery/EndRecovery
  mutable std::mutex recovery_mu_;
  std::optional<RecoveryFault> recovery_fault_;  // guarded by recovery_mu_
  RecoveryHits recovery_hits_;                   // guarded by recovery_mu_
  // Fires inside recoveries, by point and action (points no rule names included).
  std::map<std::string, std::map<std::string, uint64_t>>
      recovery_fires_;  // guarded by recovery_mu_

  mutable std::mutex log_mu_;
  std::ofstream log_;              // guarded by log_mu_
  std::vector<FireRecord> fires_;  // guarded by log_mu_
};

}  // namespace faults
