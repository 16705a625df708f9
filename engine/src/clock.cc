#include "engine/clock.h"

#include <chrono>
#include <thread>

namespace engine {
namespace {

class SteadyClock final : public Clock {
 public:
  uint64_t NowNanos() const override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
  void SleepForNanos(uint64_t nanos) const override {
    std::this_thread::sleep_for(std::chrono::nanoseconds(nanos));
  }
};

}  // namespace

const std::shared_ptr<Clock>& RealClock() {
  static const auto* const kClock = new std::shared_ptr<Clock>(std::make_shared<SteadyClock>());
  return *kClock;
}

}  // namespace engine
