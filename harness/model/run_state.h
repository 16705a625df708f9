// RunState: what the threads of one run share — the stop flag, per-thread counters, the violation
// sink and each thread's recent ops.
//
// Hot paths touch only their own ThreadState (relaxed atomics on its own cache line); the monitor
// sums them when it samples. Violations are rare and go through a mutex. The first violation stops
// the run unless keep_going is set; at most kViolationsMax are kept.
//
// Thread contract: thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.h"
#include "engine/status.h"
#include "engine/types.h"
#include "reports/run_record.h"

namespace harness::model {

using engine::SequenceNumber;
using reports::Violation;

using reports::OpKind;
using reports::OpResult;

// Counters besides ops by kind and result (ThreadState::RecordOp), indexed by OpCounter.
enum OpCounter : size_t {
  kScans,
  kErrorsInjected,
  kErrorsUnexpected,
  kReadsChecked,
  kScansChecked,
  kScanKeysChecked,
  kSnapshotReadsChecked,
  kOpCounterCount,
};

// One op a thread ran, kept cheaply (no allocation) and spelled out only when a violation is
// reported, e.g. "get k00000042 // v0.7 seq=1187".
struct OpNote {
  enum class Kind : uint8_t { kPut, kDelete, kBatch, kGet, kSnapshotGet, kScan };
  Kind kind = Kind::kGet;
  uint64_t key = 0;
  SequenceNumber seq = 0;
  uint32_t entries = 1;   // kBatch
  bool reverse = false;   // kScan
  bool ok = true;         // the op succeeded (for reads: found or not-found)
  bool found = false;     // reads: a value came back
  bool injected = false;  // a failure came from a fault point
  engine::Status::Code code = engine::Status::Code::kOk;
  uint8_t value_prefix_bytes = 0;
  std::array<char, 23> value_prefix{};  // the value's leading bytes (its id)

  void SetValue(std::string_view value);
  std::string ToString() const;
};

// How a status counts in vstress_ops_total.
OpResult ResultOf(const engine::Status& s);

// Times one op on the run's clock. Loops that also need the time compare against started() or
// pass the end they read to NanosUntil, so an op costs two clock reads, not three.
class OpTimer {
 public:
  explicit OpTimer(const engine::Clock* clock) : clock_(clock), start_(clock->NowNanos()) {}
  uint64_t started() const { return start_; }
  uint64_t NanosUntil(uint64_t end_nanos) const {
    return end_nanos > start_ ? end_nanos - start_ : 0;
  }
  uint64_t Nanos() const { return NanosUntil(clock_->NowNanos()); }

 private:
  const engine::Clock* clock_;
  uint64_t start_;
};

// The latency bucket of an op that took `nanos`: the first bound (1 µs × 2^i) at or above it.
size_t LatencyBucket(uint64_t nanos);

// Per-thread counters. Only the owning thread writes them, so a write is a relaxed load and store
// (no read-modify-write, no lock prefix); the sampler reads them with relaxed loads.
struct alignas(64) ThreadState {
  explicit ThreadState(std::string name) : name(std::move(name)) {}
  const std::string name;
  std::array<std::atomic<uint64_t>, kOpCounterCount> counters{};
  void Count(OpCounter c, uint64_t n = 1) { Bump(&counters[c], n); }

  // Ops by kind and result, and their latency histograms (reports::LatencyBound buckets).
  std::array<std::array<std::atomic<uint64_t>, reports::kOpResultCount>, reports::kOpKindCount>
      ops{};
  std::array<std::array<std::atomic<uint64_t>, reports::kLatencyBounds + 1>, reports::kOpKindCount>
      latency{};
  std::array<std::atomic<uint64_t>, reports::kOpKindCount> latency_nanos{};
  void RecordOp(OpKind op, OpResult result, uint64_t nanos) {
    const auto k = static_cast<size_t>(op);
    Bump(&ops[k][static_cast<size_t>(result)], 1);
    Bump(&latency[k][LatencyBucket(nanos)], 1);
    Bump(&latency_nanos[k], nanos);
  }

  static void Bump(std::atomic<uint64_t>* a, uint64_t n) {
    a->store(a->load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  // The last ops this thread ran. Only the owning thread writes and reads them (violations are
  // reported by the thread that saw them), so no lock is needed.
  // Kept for a threaded run's history.log (the last kRecentOpsMax of each thread); a violation
  // shows the last kViolationOpsMax.
  static constexpr size_t kRecentOpsMax = 256;
  static constexpr size_t kViolationOpsMax = 16;
  std::array<OpNote, kRecentOpsMax> recent{};
  uint64_t recent_count = 0;
  void Note(const OpNote& note) { recent[recent_count++ % kRecentOpsMax] = note; }
  // The last `max` ops, oldest first.
  std::vector<std::string> RecentOps(size_t max = kViolationOpsMax) const;
};

class RunState {
 public:
  // Time (Seconds(), violation times) is `clock`'s, from construction on.
  RunState(bool keep_going, const engine::Clock* clock)
      : keep_going_(keep_going), clock_(clock), start_nanos_(clock->NowNanos()) {}

  ThreadState* NewThread(std::string name) {
    std::lock_guard<std::mutex> guard(mu_);
    threads_.push_back(std::make_unique<ThreadState>(std::move(name)));
    return threads_.back().get();
  }
  // What tells the run's wall-clock watchdog (drivers/watchdog.h) of progress; Beat() calls it.
  // Set before any client runs (null: none).
  void SetBeat(std::function<void()> beat) { beat_ = std::move(beat); }
  // True while the run's file system is powered off (a simulated power loss, until the driver
  // recovers): what a client reports then is dropped and counted, since no machine answers a read
  // once its power is gone — a read running across the loss saw files the loss was rewriting under
  // it. Set before any client runs.
  void SetPoweredOff(std::function<bool()> powered_off) { powered_off_ = std::move(powered_off); }
  uint64_t dropped_at_power_loss() const { return dropped_at_power_loss_.load(); }
  void Beat() {
    if (beat_) beat_();
  }
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }
  void Stop() { stop_.store(true, std::memory_order_relaxed); }
  double Seconds() const { return static_cast<double>(clock_->NowNanos() - start_nanos_) / 1e9; }
  const engine::Clock* clock() const { return clock_; }

  // Records a violation seen by `thread` (null: the monitor or the final checks). A violation
  // with a key that will be kept gets the key locator's text (where the key lives in the engine).
  void Report(Violation v, ThreadState* thread);
  // Set before any client runs: the driver's way to describe where a key lives right now.
  void SetKeyLocator(std::function<std::string(std::string_view key)> locator) {
    key_locator_ = std::move(locator);
  }
  // A simulated run: the step now running, stamped on every violation reported.
  void SetStep(uint64_t step) { step_.store(step, std::memory_order_relaxed); }
  std::vector<Violation> violations() const;
  uint64_t violation_count() const { return violation_count_.load(); }

  uint64_t Sum(OpCounter c) const;
  // Every thread's recent ops, merged in sequence order (at one sequence, the write before the
  // reads that saw it), as "THREAD OP // RESULT seq=N" lines: a threaded run's best-effort
  // history. REQUIRES: no thread is running.
  std::vector<std::string> MergedHistory() const;
  // Fills the harness's counters of `m`: ops, latency, reads checked, violations by kind.
  void Snapshot(reports::MetricsSnapshot* m) const;
  // A global op index, for fault windows.
  uint64_t NextOpIndex() { return op_index_.fetch_add(1, std::memory_order_relaxed); }

  static constexpr size_t kViolationsMax = 100;

 private:
  const bool keep_going_;
  std::function<bool()> powered_off_;
  std::atomic<uint64_t> dropped_at_power_loss_{0};
  std::function<void()> beat_;
  std::function<std::string(std::string_view key)> key_locator_;
  std::atomic<uint64_t> step_{0};
  const engine::Clock* const clock_;
  const uint64_t start_nanos_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> violation_count_{0};
  std::atomic<uint64_t> op_index_{0};
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<ThreadState>> threads_;   // guarded by mu_ (never move)
  std::vector<Violation> violations_;                   // guarded by mu_
  std::map<std::string, uint64_t> violations_by_kind_;  // guarded by mu_ (every one, not only kept)
};

}  // namespace harness::model
