#include "reports/report_charts.h"

#include <array>

#include "reports/run_record.h"

namespace reports {
namespace {

// One colour per op kind, in kOpKindNames order (the Okabe-Ito palette, which stays apart under
// the common colour blindnesses).
constexpr std::array<const char*, kOpKindCount> kOpKindColors = {"#0072b2", "#d55e00", "#cc79a7",
                                                                 "#009e73", "#e69f00", "#56b4e9"};
constexpr const char* kTotalColor = "#1f2328";

// A chart of one series on a linear axis.
ChartSpec OneSeries(const char* id, const char* title, const char* column, const char* label,
                    const char* color, bool bytes) {
  return {id, title, false, bytes, {{column, label, color, false}}};
}

}  // namespace

std::vector<ChartSpec> ChartSpecs() {
  ChartSpec throughput = OneSeries("throughput", "Throughput (ops/s)", "ops_per_second", "all ops",
                                   kTotalColor, false);
  ChartSpec latency{"latency", "Latency (µs, log scale): p99 solid, p50 dashed", true, false, {}};
  for (size_t i = 0; i < kOpKindCount; i++) {
    const std::string op(kOpKindNames[i]);
    throughput.series.push_back({op + "_per_second", op, kOpKindColors[i], false});
    latency.series.push_back({op + "_p99_us", op + " p99", kOpKindColors[i], false});
    latency.series.push_back({op + "_p50_us", op + " p50", kOpKindColors[i], true});
  }
  return {
      throughput,
      latency,
      OneSeries("live_versions", "Live Versions", "live_versions", "live Versions", "#0072b2",
                false),
      OneSeries("deferred_deletions", "Deferred deletions (files)", "deferred_deletions",
                "deferred files", "#d55e00", false),
      OneSeries("deferred_deletion_bytes", "Deferred deletion bytes", "deferred_deletion_bytes",
                "deferred bytes", "#cc79a7", true),
      OneSeries("oldest_version_age", "Oldest live Version age (s)", "oldest_version_age_seconds",
                "age", "#009e73", false),
      OneSeries("rss", "Resident memory", "rss_bytes", "RSS", "#56b4e9", true),
  };
}

}  // namespace reports
