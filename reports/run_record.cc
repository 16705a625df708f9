#include "reports/run_record.h"

#include <algorithm>
#include <numeric>

namespace reports {

uint64_t LatencyCounts::count() const {
  return std::accumulate(buckets.begin(), buckets.end(), uint64_t{0});
}

double LatencyCounts::Quantile(double q) const {
  const uint64_t total = count();
  if (total == 0) return 0;
  const double rank = q * static_cast<double>(total);
  double below = 0;
  for (size_t i = 0; i < buckets.size(); i++) {
    const double in_bucket = static_cast<double>(buckets[i]);
    if (in_bucket > 0 && below + in_bucket >= rank) {
      // The +Inf bucket has no upper bound: report its lower one.
      if (i == kLatencyBounds) return LatencyBound(kLatencyBounds - 1);
      const double lo = i == 0 ? 0 : LatencyBound(i - 1);
      const double hi = LatencyBound(i);
      return lo + (hi - lo) * ((rank - below) / in_bucket);
    }
    below += in_bucket;
  }
  return LatencyBound(kLatencyBounds - 1);
}

LatencyCounts LatencyCounts::Since(const LatencyCounts& earlier) const {
  LatencyCounts d;
  for (size_t i = 0; i < buckets.size(); i++) d.buckets[i] = buckets[i] - earlier.buckets[i];
  d.sum_seconds = sum_seconds - earlier.sum_seconds;
  return d;
}

uint64_t RecoveryCounts::count() const {
  return std::accumulate(buckets.begin(), buckets.end(), uint64_t{0});
}

void RecoveryCounts::Observe(double seconds) {
  // The first bucket whose upper bound holds `seconds`; past the last bound, +Inf.
  const auto bound = std::lower_bound(kRecoveryBounds.begin(), kRecoveryBounds.end(), seconds);
  buckets[static_cast<size_t>(bound - kRecoveryBounds.begin())]++;
  sum_seconds += seconds;
}

RecoveryCounts RecoveryCounts::Since(const RecoveryCounts& earlier) const {
  RecoveryCounts d;
  for (size_t i = 0; i < buckets.size(); i++) d.buckets[i] = buckets[i] - earlier.buckets[i];
  d.sum_seconds = sum_seconds - earlier.sum_seconds;
  return d;
}

CrashFamily CrashFamilyOf(std::string_view mode) {
  return mode.starts_with("kill") ? CrashFamily::kKill : CrashFamily::kPowerLoss;
}

uint64_t MetricsSnapshot::OpsOf(OpKind op) const {
  const auto& r = ops[static_cast<size_t>(op)];
  return std::accumulate(r.begin(), r.end(), uint64_t{0});
}

uint64_t MetricsSnapshot::OpsTotal() const {
  uint64_t total = 0;
  for (size_t i = 0; i < kOpKindCount; i++) total += OpsOf(static_cast<OpKind>(i));
  return total;
}

namespace {
template <typename Map>
uint64_t SumValues(const Map& m) {
  uint64_t total = 0;
  for (const auto& [k, v] : m) total += v;
  return total;
}
}  // namespace

uint64_t MetricsSnapshot::ReadsCheckedTotal() const {
  uint64_t total = 0;
  for (const char* k : {"point_read", "scan_key", "snapshot_read"}) {
    if (auto it = reads_checked.find(k); it != reads_checked.end()) total += it->second;
  }
  return total;
}

uint64_t MetricsSnapshot::FaultsTotal() const { return SumValues(faults); }
uint64_t MetricsSnapshot::ViolationsTotal() const { return SumValues(violations); }

uint64_t MetricsSnapshot::CrashCyclesTotal() const {
  uint64_t total = 0;
  for (const auto& by_result : crash_cycles) {
    total += std::accumulate(by_result.begin(), by_result.end(), uint64_t{0});
  }
  return total;
}

void MetricsSnapshot::CountCrashCycles(const std::vector<CrashCycle>& cycles) {
  for (size_t i = CrashCyclesTotal(); i < cycles.size(); i++) {
    const CrashCycle& c = cycles[i];
    const CrashResult result = c.ok ? CrashResult::kRecovered : CrashResult::kFailed;
    crash_cycles[static_cast<size_t>(CrashFamilyOf(c.mode))][static_cast<size_t>(result)]++;
    recovery.Observe(c.recovery_seconds);
  }
}

bool EngineSummary::Exposes(std::string_view gauge) const {
  return std::find(not_exposed.begin(), not_exposed.end(), gauge) == not_exposed.end();
}

Sample Sample::Between(const MetricsSnapshot* previous, const MetricsSnapshot& now) {
  Sample s;
  s.seconds = now.seconds;
  s.ops = now.OpsTotal();
  const double dt = previous ? now.seconds - previous->seconds : now.seconds;
  for (size_t i = 0; i < kOpKindCount; i++) {
    const auto op = static_cast<OpKind>(i);
    const uint64_t done = now.OpsOf(op) - (previous ? previous->OpsOf(op) : 0);
    s.ops_per_second[i] = dt > 0 ? static_cast<double>(done) / dt : 0;
    const LatencyCounts interval =
        previous ? now.latency[i].Since(previous->latency[i]) : now.latency[i];
    s.p50_seconds[i] = interval.Quantile(0.50);
    s.p99_seconds[i] = interval.Quantile(0.99);
  }
  s.reads_checked = now.ReadsCheckedTotal();
  s.live_versions = now.live_versions;
  s.deferred_deletions = now.deferred_deletions;
  s.deferred_deletion_bytes = now.deferred_deletion_bytes;
  s.oldest_version_age_seconds = now.oldest_version_age_seconds;
  s.faults_fired = now.FaultsTotal();
  s.violations = now.ViolationsTotal();
  s.rss_bytes = now.rss_bytes;
  return s;
}

}  // namespace reports
