// Watchdog: the wall-clock bound on every run. A driver beats it whenever it makes progress (a
// simulated step completes, the threaded driver's monitor turns, a crash cycle or check moves on);
// when `stall_seconds` of wall-clock time pass without a beat, the watchdog's own thread collects
// every thread's stack (gdb when it is installed, else each thread's kernel wait channel), asks the
// driver being watched to describe the run as far as it got (the step and the op in flight, the
// history so far), hands that to the owner to write the run's outputs, and ends the process with
// exit 3 (liveness). The stuck thread is never unwound: it may hold any lock, so the handler reads
// only what the driver published for it (under the driver's own short-held locks), and nothing
// here calls into the DB or libfiu.
//
// Why a thread of the process and not only a parent: the simulator's single thread is the one that
// is stuck and its clock is simulated, so nothing else in the process would notice; a parent (the
// sweep's shard, the kill driver) bounds the whole process too, as the last resort.
//
// Thread contract: thread-safe (Beat from any thread; Watch/Unwatch from the driver's thread).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "reports/run_record.h"

namespace harness::drivers {

struct SimRun;

// Every thread's stack in a process: gdb's "thread apply all bt" when gdb is installed and may
// attach, else each thread's state and kernel wait channel from /proc.
struct Stacks {
  std::string text;
  std::string source;  // "gdb" or "wchan"
};

// The stacks of process `pid` (this process when 0); gdb gets at most `gdb_limit_seconds`.
Stacks CollectStacks(pid_t pid = 0, double gdb_limit_seconds = 60);

// Lets a debugger attach to this process: under Yama's ptrace_scope 1 only ancestors may, and the
// watchdog's gdb is a child. A no-op where Yama is absent.
void AllowStackCollection();

class Watchdog {
 public:
  struct Stall {
    double seconds_without_progress = 0;
    Stacks stacks;
  };
  // The driver's part: the run as far as it got (called on the watchdog's thread).
  using Describe = std::function<reports::RunOutcome(const Stall&, std::optional<SimRun>* sim)>;
  // The owner's part: write the run's outputs from the description.
  using OnStall = std::function<void(reports::RunOutcome outcome, const SimRun* sim)>;

  struct Options {
    double stall_seconds = 60;
    OnStall on_stall;
    // End the process (exit 3) after on_stall; tests turn it off and look at what was handed over.
    bool exit_process = true;
  };

  explicit Watchdog(Options options);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void Beat() { beats_.fetch_add(1, std::memory_order_release); }
  // A driver starts (Watch) and ends (Unwatch) being the one that describes the run. Unwatch waits
  // for a description in progress (the process then ends anyway).
  void Watch(Describe describe);
  void Unwatch();
  // True once a stall was handled (with exit_process off).
  bool fired() const { return fired_.load(); }
  double stall_seconds() const { return options_.stall_seconds; }

 private:
  void Main();
  void HandleStall(double seconds);

  const Options options_;
  std::atomic<uint64_t> beats_{0};
  std::atomic<bool> fired_{false};
  std::mutex describe_mu_;
  Describe describe_;  // guarded by describe_mu_
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

// A driver's time as the one a watchdog asks to describe the run (`watchdog` may be null).
class WatchScope {
 public:
  WatchScope(Watchdog* watchdog, Watchdog::Describe describe) : watchdog_(watchdog) {
    if (watchdog_ != nullptr) watchdog_->Watch(std::move(describe));
  }
  ~WatchScope() {
    if (watchdog_ != nullptr) watchdog_->Unwatch();
  }
  WatchScope(const WatchScope&) = delete;
  WatchScope& operator=(const WatchScope&) = delete;

 private:
  Watchdog* const watchdog_;
};

// The wall-clock bound for a workload: no progress for twice its watchdog_seconds (the threaded
// driver's own check of completed ops fires first, at once its watchdog_seconds).
double StallBoundSeconds(double watchdog_seconds);

// Wall-clock seconds a run is allowed per second of its own work. A simulated run on a store whose
// background work runs on its own threads (no Simulation capability: LevelDB, RocksDB) ends when
// its wall clock reaches this many times its duration, whichever clock gets there first, since a
// throttled store (a write stall) has no wall-clock bound in simulated seconds; a sweep's shard
// limit starts from the same multiple.
inline constexpr double kWallSecondsPerWorkSecond = 3;

}  // namespace harness::drivers
