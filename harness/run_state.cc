#include "harness/run_state.h"

namespace harness {

void RunState::Report(Violation v, ThreadState* thread) {
  v.seconds = Seconds();
  if (thread != nullptr) {
    v.thread = thread->name;
    std::lock_guard<std::mutex> guard(thread->recent_mu);
    v.thread_recent_ops.assign(thread->recent_ops.begin(), thread->recent_ops.end());
  }
  violation_count_.fetch_add(1);
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (violations_.size() < kViolationsMax) violations_.push_back(std::move(v));
  }
  if (!keep_going_) Stop();
}

std::vector<Violation> RunState::violations() const {
  std::lock_guard<std::mutex> guard(mu_);
  return violations_;
}

uint64_t RunState::Sum(OpCounter c) const {
  std::lock_guard<std::mutex> guard(mu_);
  uint64_t total = 0;
  for (const auto& t : threads_) total += t->counters[c].load(std::memory_order_relaxed);
  return total;
}

uint64_t RunState::OpsCompleted() const {
  uint64_t total = 0;
  for (OpCounter c : {kPuts, kDeletes, kBatches, kGets, kScanSteps, kSnapshotGets}) total += Sum(c);
  return total;
}

}  // namespace harness
