// A time chart drawn as inline SVG: one or more series of (seconds, value) samples over a shared
// time axis, with fault fires as ticks under that axis and events (violations, quiescence points,
// crash cycles) as full-height lines, one class per kind of event, framed
// in a <figure> with a caption and a legend. The markup needs no script, font or image, so a page
// that holds it renders with JS off, and a test can read it through the DOM: the <svg
// class="chart"> names its drawn series in data-series, each series is a <polyline class="series"
// data-column="NAME" data-points="N">, and the markers carry data-fires / data-markers counts.
// The x axis can also count items instead of seconds (ChartXAxis::kIndex: nightly.html's
// per-shard charts); such a chart has events but no fault strip, fires being moments.
//
// Invariants of the output: a series holds at most Chart::series_points_max points (a longer one
// keeps each bucket's min and max, so a one-sample spike survives); fault fires make at most one
// tick per column of the plot; at most kChartEventMarkersMax lines of each kind are drawn; every
// coordinate is finite (a log axis leaves out samples <= 0, and non-finite samples are left out).
// Every string from a Chart reaches the markup escaped.
//
// The number formatting and EscapeHtml live here too because the page around the charts
// (reports/html_report.h) must spell counts, byte sizes and escapes exactly as the charts do.
//
// Thread contract: thread-compatible (Chart is a plain value; the functions keep no state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

// Past this many, one kind's event lines would hide the data they mark; the rest are left out.
inline constexpr size_t kChartEventMarkersMax = 100;

// What a chart's y axis counts, which decides how its labels are written.
enum class ChartUnit {
  kCount,  // 12k, 3.4M
  kBytes,  // 12 KiB, 3.4 MiB
};

// What a chart's x axis counts, which decides how its labels are written.
enum class ChartXAxis {
  kSeconds,  // time since the start: "12 s", "3 min", "2 h"
  kIndex,    // items in order, e.g. a sweep's shards: "shard 0", "shard 12"
};

// One line of a chart. `x` and `y` are views, not copies: a day-long soak has 345,600 samples per
// column, and a chart of a dozen series should not hold a dozen copies of them.
struct ChartSeries {
  std::string name;   // data-column of the polyline, and one entry of the chart's data-series
  std::string label;  // the legend's text and the line's tooltip
  std::string color;  // any CSS colour
  bool dashed = false;
  std::span<const double> x;  // seconds, in time order, within [0, Chart::time_end_seconds]
  std::span<const double> y;  // same length as x
};

// Moments of one kind drawn as full-height lines: <path class="NAME-markers" data-markers="N">,
// with a legend entry "LABEL: N" whose tick has class "NAME-tick".
struct ChartEvents {
  std::string name;   // "violation", "quiescence"
  std::string label;  // "violations", "quiescence points"
  std::span<const double> seconds;
};

struct Chart {
  std::string id;     // the figure's id is "chart-" + id
  std::string title;  // the caption
  ChartUnit unit = ChartUnit::kCount;
  bool log_scale = false;  // whole decades; samples <= 0 have no place on it and are left out
  // The x axis: seconds (the time charts) or an index; either way it runs from 0 to
  // time_end_seconds.
  ChartXAxis x_axis = ChartXAxis::kSeconds;
  // End of the time axis; must be > 0. Charts on one page share it, so the caller picks it.
  double time_end_seconds = 1;
  // Most points one drawn series holds; must be >= 2 (one bucket keeps a min and a max).
  size_t series_points_max = 0;
  std::vector<ChartSeries> series;             // a series with no drawable sample is left out
  std::span<const double> fault_fire_seconds;  // any order
  std::vector<ChartEvents> events;             // each kind's first kChartEventMarkersMax drawn
  std::string no_data_text;  // what the figure says instead when no series has a sample to draw
};

// One sample of a series, in data units (seconds, value).
struct ChartPoint {
  double x;
  double y;
};

// The whole <figure class="chart-box">: caption, SVG (axes, series, markers) and legend, or the
// caption and `no_data_text` when no series has a drawable sample. Crashes on a Chart that breaks
// the "must" above: that is a bug in the caller, not in the run's data.
std::string RenderSvgChart(const Chart& chart);

// Reduces `points` to at most `points_max` (>= 2) by keeping, for each of points_max/2 equal runs
// of samples, its lowest and highest point in time order. A spike of one sample survives any
// reduction, which an average or a stride would hide. Fewer points than the bound come back as is.
std::vector<ChartPoint> Downsample(std::span<const ChartPoint> points, size_t points_max);

// `text` with & < > " ' escaped, safe in HTML text and in a quoted attribute; NUL becomes U+FFFD.
std::string EscapeHtml(std::string_view text);

// 1234567 -> "1,234,567".
std::string FormatCount(uint64_t n);

// About three significant digits in the largest binary unit that keeps the number >= 1:
// "512 B", "1.5 KiB", "442 MiB".
std::string FormatBytes(double bytes);

}  // namespace reports
