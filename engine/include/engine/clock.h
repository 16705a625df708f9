// Clock: where the engine and the harness read time and wait, so that a simulated run can own
// time. RealClock() is the monotonic (steady) clock and really sleeps; a ManualClock advances only
// when told to (or when someone "sleeps" on it), so a deterministic driver decides what time it is
// and no wall clock reaches a decision.
//
// Times are nanoseconds since an arbitrary origin fixed per clock; only differences mean anything.
//
// Thread contract: thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace engine {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint64_t NowNanos() const = 0;
  // Waits `nanos` (a ManualClock advances by it instead).
  virtual void SleepForNanos(uint64_t nanos) const = 0;

  double NowSeconds() const { return static_cast<double>(NowNanos()) / 1e9; }
};

// The process's steady clock. Shared and never destroyed.
const std::shared_ptr<Clock>& RealClock();

// A clock that starts at `start_nanos` and moves only through Advance and SleepForNanos.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(uint64_t start_nanos = 0) : now_(start_nanos) {}
  uint64_t NowNanos() const override { return now_.load(std::memory_order_relaxed); }
  void SleepForNanos(uint64_t nanos) const override { Advance(nanos); }
  void Advance(uint64_t nanos) const { now_.fetch_add(nanos, std::memory_order_relaxed); }

 private:
  mutable std::atomic<uint64_t> now_;
};

}  // namespace engine
