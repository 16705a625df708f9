// Which timeseries.csv columns each chart of report.html shows (svg_chart.h draws them): one
// ChartSpec per chart, in page order. An internal header of reports/.
//
// Thread contract: immutable (pure functions).
#pragma once

#include <string>
#include <vector>

namespace reports {

struct SeriesSpec {
  std::string column;
  std::string label;
  std::string color;
  bool dashed = false;
};

struct ChartSpec {
  std::string id;
  std::string title;
  bool log_scale = false;
  bool bytes = false;  // label the y axis in KiB/MiB rather than k/M
  std::vector<SeriesSpec> series;
};

// Every chart of report.html, in order.
std::vector<ChartSpec> ChartSpecs();

}  // namespace reports
