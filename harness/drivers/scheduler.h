// Scheduler: which actor takes the next step of a simulated run, from the run's seed alone.
//
// Actors are numbered 0..n-1: the run's clients in MakeClients order, then the background work.
// Each step the simulator says which actors can step (a finished client cannot; the background
// only when work is pending) and the scheduler picks one:
//   - random: uniformly among the runnable clients, the background weighted by
//     sim.background_weight;
//   - pct: PCT (Burckhardt et al., ASPLOS 2010) in rounds of sim.pct_round_steps. Each round draws
//     a random priority order over the actors and pct_depth - 1 change points among its steps; the
//     highest-priority runnable actor steps, and at a change point the actor that steps drops
//     below every other. Clients never terminate, so plain PCT would let the first actor run
//     forever; rounds keep every actor scheduled while each round still orders steps the PCT way.
// At an engine yield point the simulator asks YieldHere() (probability sim.yield_ratio) whether
// other actors step there first, and PickNested() which (weighted as by random, whatever the
// schedule). Inside a compaction a yield starts a burst — the foreground goes on while a long
// compaction writes its outputs — that BurstGoesOn() ends after kBurstStepsMean steps on average.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "workloads/random.h"
#include "workloads/workload_spec.h"

namespace harness::drivers {

class Scheduler {
 public:
  // `actors` includes the background actor, which is the last one.
  static std::unique_ptr<Scheduler> Make(const workloads::SimSpec& spec, size_t actors,
                                         uint64_t seed);
  virtual ~Scheduler() = default;

  // REQUIRES: runnable.size() == actors and some entry is true.
  virtual size_t Pick(const std::vector<bool>& runnable) = 0;

  bool YieldHere();
  // REQUIRES: some entry of `runnable` is true.
  size_t PickNested(const std::vector<bool>& runnable) { return PickWeighted(runnable); }
  bool BurstGoesOn();
  static constexpr uint64_t kBurstStepsMean = 512;

 protected:
  Scheduler(const workloads::SimSpec& spec, size_t actors, uint64_t seed)
      : spec_(spec), actors_(actors), random_(seed) {}
  // Uniform among runnable actors, the background (last) weighted by background_weight.
  size_t PickWeighted(const std::vector<bool>& runnable);

  const workloads::SimSpec spec_;
  const size_t actors_;
  workloads::Random random_;
};

}  // namespace harness::drivers
