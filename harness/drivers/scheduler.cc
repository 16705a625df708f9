#include "harness/drivers/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace harness::drivers {
namespace {

// A broken precondition is a bug in the simulator, not in the run: crash loudly, in every build.
void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "vstress: scheduler: %s\n", what);
  std::abort();
}

class RandomScheduler final : public Scheduler {
 public:
  RandomScheduler(const workloads::SimSpec& spec, size_t actors, uint64_t seed)
      : Scheduler(spec, actors, seed) {}
  size_t Pick(const std::vector<bool>& runnable) override { return PickWeighted(runnable); }
};

class PctScheduler final : public Scheduler {
 public:
  PctScheduler(const workloads::SimSpec& spec, size_t actors, uint64_t seed)
      : Scheduler(spec, actors, seed), priority_(actors) {
    NewRound();
  }

  size_t Pick(const std::vector<bool>& runnable) override {
    if (step_in_round_ == spec_.pct_round_steps) NewRound();
    size_t best = actors_;
    for (size_t a = 0; a < actors_; a++) {
      if (runnable[a] && (best == actors_ || priority_[a] > priority_[best])) best = a;
    }
    step_in_round_++;
    if (next_change_ < change_points_.size() && change_points_[next_change_] == step_in_round_) {
      // Below every initial priority (which are >= pct_depth), each change lower than the last.
      priority_[best] = spec_.pct_depth - 1 - next_change_;
      next_change_++;
    }
    return best;
  }

 private:
  void NewRound() {
    step_in_round_ = 0;
    next_change_ = 0;
    std::vector<uint64_t> order(actors_);
    std::iota(order.begin(), order.end(), 0);
    for (size_t i = actors_; i > 1; i--) std::swap(order[i - 1], order[random_.Uniform(i)]);
    for (size_t i = 0; i < actors_; i++) priority_[order[i]] = spec_.pct_depth + i;
    change_points_.clear();
    for (uint32_t i = 0; i + 1 < spec_.pct_depth; i++) {
      change_points_.push_back(random_.UniformBetween(1, spec_.pct_round_steps));
    }
    std::sort(change_points_.begin(), change_points_.end());
  }

  std::vector<uint64_t> priority_;
  std::vector<uint64_t> change_points_;  // steps of the round, in order
  size_t next_change_ = 0;
  uint64_t step_in_round_ = 0;
};

}  // namespace

std::unique_ptr<Scheduler> Scheduler::Make(const workloads::SimSpec& spec, size_t actors,
                                           uint64_t seed) {
  Check(actors > 0, "no actor to schedule");
  if (spec.schedule == "pct") return std::make_unique<PctScheduler>(spec, actors, seed);
  return std::make_unique<RandomScheduler>(spec, actors, seed);
}

size_t Scheduler::PickWeighted(const std::vector<bool>& runnable) {
  double total = 0;
  for (size_t a = 0; a < actors_; a++) {
    if (runnable[a]) total += a + 1 == actors_ ? spec_.background_weight : 1.0;
  }
  Check(total > 0, "Pick with no runnable actor");
  double draw = random_.UniformDouble() * total;
  size_t last = 0;
  for (size_t a = 0; a < actors_; a++) {
    if (!runnable[a]) continue;
    last = a;
    draw -= a + 1 == actors_ ? spec_.background_weight : 1.0;
    if (draw < 0) return a;
  }
  return last;  // rounding left a sliver: the last runnable one
}

bool Scheduler::YieldHere() {
  return spec_.yield_ratio > 0 && random_.UniformDouble() < spec_.yield_ratio;
}

bool Scheduler::BurstGoesOn() { return random_.Uniform(kBurstStepsMean) != 0; }

}  // namespace harness::drivers
