#include "reports/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace reports {
namespace {

// A Chart that breaks its contract is a bug in the page that built it; drawing it anyway would
// write NaN coordinates or an empty chart that hides the bug.
void CheckChart(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "reports/svg_chart: bad Chart: %s\n", what);
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// Numbers on axes and in legends.

// About three significant digits, in exponent form only below 0.0001: "0.0115", "7.5", "442",
// "2680".
std::string FormatShort(double v) {
  const double magnitude = std::abs(v);
  if (magnitude != 0 && magnitude < 1) return fmt::format("{:.3g}", v);
  const int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  std::string text = fmt::format("{:.{}f}", v, decimals);
  if (decimals > 0) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

// Axis labels: k/M/G for big numbers.
std::string FormatCompact(double v) {
  const double magnitude = std::abs(v);
  if (magnitude >= 1e9) return FormatShort(v / 1e9) + "G";
  if (magnitude >= 1e6) return FormatShort(v / 1e6) + "M";
  if (magnitude >= 1e4) return FormatShort(v / 1e3) + "k";
  return FormatShort(v);
}

// A label for a time on an axis running to `time_end` seconds, in one unit picked by `time_end`
// (the page's duration uses the same thresholds), so one axis never mixes units.
std::string FormatAxisTime(double seconds, double time_end) {
  if (time_end < 120) return FormatShort(seconds) + " s";
  if (time_end < 7200) return FormatShort(seconds / 60) + " min";
  return FormatShort(seconds / 3600) + " h";
}

// ---------------------------------------------------------------------------------------------
// Geometry.

// In viewBox units. The plot is kPlotWidth columns wide; fault fires are ticks in a strip under
// the x axis, at most one per column.
constexpr double kChartWidth = 640;
constexpr double kChartHeight = 250;
constexpr double kPlotLeft = 72;
constexpr double kPlotWidth = 558;
constexpr double kPlotTop = 12;
constexpr double kPlotBottom = 194;
constexpr double kRugTop = kPlotBottom + 3;
constexpr double kRugHeight = 9;
constexpr double kXLabelBaseline = kPlotBottom + 30;

double XPosition(double seconds, double time_end) {
  return kPlotLeft + seconds / time_end * kPlotWidth;
}

// The y range of a chart: [0, max] (or [min, max] below zero) on a linear axis, whole decades on a
// log axis.
struct YScale {
  double low = 0;
  double high = 1;
  bool log = false;

  double Position(double v) const {
    const double fraction =
        log ? (std::log10(v) - std::log10(low)) / (std::log10(high) - std::log10(low))
            : (v - low) / (high - low);
    return kPlotBottom - fraction * (kPlotBottom - kPlotTop);
  }
};

// REQUIRES: some series holds a point, and on a log axis every y is > 0.
YScale MakeYScale(const std::vector<std::vector<ChartPoint>>& series, bool log) {
  double low = INFINITY, high = -INFINITY;
  for (const auto& points : series) {
    for (const ChartPoint& p : points) {
      low = std::min(low, p.y);
      high = std::max(high, p.y);
    }
  }
  if (log) {
    low = std::pow(10, std::floor(std::log10(low)));
    high = std::pow(10, std::ceil(std::log10(high)));
    return {low, high > low ? high : low * 10, true};
  }
  low = std::min(low, 0.0);
  return {low, high > low ? high : low + 1, false};
}

// The values a y axis labels and draws a grid line at.
std::vector<double> YTicks(const YScale& scale) {
  if (!scale.log) return {scale.low, (scale.low + scale.high) / 2, scale.high};
  std::vector<double> ticks;
  const int decades = static_cast<int>(std::lround(std::log10(scale.high / scale.low)));
  const int step = decades <= 6 ? 1 : decades;
  for (int d = 0; d <= decades; d += step) ticks.push_back(scale.low * std::pow(10, d));
  return ticks;
}

// The fault-fire strip: one tick per plot column holding at least one fire, so a run with a
// million fires draws no more than kPlotWidth ticks.
struct FaultRug {
  std::string path;  // SVG path data
  size_t fires = 0;
  size_t ticks = 0;
};

FaultRug MakeFaultRug(std::span<const double> fire_seconds, double time_end) {
  FaultRug rug;
  rug.fires = fire_seconds.size();
  std::vector<bool> used(static_cast<size_t>(kPlotWidth), false);
  for (double t : fire_seconds) {
    if (!std::isfinite(t)) continue;
    // Clamped as a double: a fire at exactly the end of the axis belongs to the last column, and
    // casting a negative double to size_t would be undefined.
    const double column = std::clamp(std::floor(t / time_end * kPlotWidth), 0.0, kPlotWidth - 1);
    used[static_cast<size_t>(column)] = true;
  }
  for (size_t column = 0; column < used.size(); column++) {
    if (!used[column]) continue;
    rug.path += fmt::format("M{:.1f} {:.0f}v{:.0f}", kPlotLeft + column + 0.5, kRugTop, kRugHeight);
    rug.ticks++;
  }
  return rug;
}

// ---------------------------------------------------------------------------------------------
// Markup.

// The samples of `series` that `chart`'s axis can place, reduced to the chart's bound.
std::vector<ChartPoint> DrawablePoints(const Chart& chart, const ChartSeries& series) {
  CheckChart(series.x.size() == series.y.size(), "a series' x and y differ in length");
  std::vector<ChartPoint> points;
  for (size_t i = 0; i < series.x.size(); i++) {
    const double x = series.x[i], y = series.y[i];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    // On the page's latency chart, 0 means "no op of this kind in the interval".
    if (chart.log_scale && y <= 0) continue;
    points.push_back({x, y});
  }
  return Downsample(points, chart.series_points_max);
}

std::string FormatAxisX(double x, double x_end, ChartXAxis axis) {
  return axis == ChartXAxis::kIndex ? "shard " + FormatShort(x) : FormatAxisTime(x, x_end);
}

std::string RenderAxes(const YScale& scale, ChartUnit unit, ChartXAxis x_axis, double time_end) {
  std::string svg = "<g class=\"axes\">";
  for (double tick : YTicks(scale)) {
    const double y = scale.Position(tick);
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>",
        kPlotLeft, y, kPlotLeft + kPlotWidth, y, kPlotLeft - 4, y + 4,
        EscapeHtml(unit == ChartUnit::kBytes ? FormatBytes(tick) : FormatCompact(tick)));
  }
  // An index axis labels whole items only.
  const double middle = x_axis == ChartXAxis::kIndex ? std::floor(time_end / 2) : time_end / 2;
  const std::array<std::pair<double, const char*>, 3> x_ticks = {
      {{0, "start"}, {middle, "middle"}, {time_end, "end"}}};
  for (const auto& [seconds, anchor] : x_ticks) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>",
                       XPosition(seconds, time_end), kXLabelBaseline, anchor,
                       EscapeHtml(FormatAxisX(seconds, time_end, x_axis)));
  }
  svg += fmt::format(
      "<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" "
      "y2=\"{1:.1f}\"/>",
      kPlotLeft, kPlotBottom, kPlotLeft + kPlotWidth);
  return svg + "</g>";
}

std::string RenderPolyline(const ChartSeries& series, const std::vector<ChartPoint>& points,
                           const YScale& scale, double time_end) {
  std::string coordinates;
  coordinates.reserve(points.size() * 12);
  for (const ChartPoint& p : points) {
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += fmt::format("{:.1f},{:.1f}", XPosition(p.x, time_end), scale.Position(p.y));
  }
  return fmt::format(
      "<polyline class=\"series\" data-column=\"{}\" data-points=\"{}\" stroke=\"{}\"{} "
      "points=\"{}\"><title>{}</title></polyline>",
      EscapeHtml(series.name), points.size(), EscapeHtml(series.color),
      series.dashed ? " stroke-dasharray=\"5 3\"" : "", coordinates, EscapeHtml(series.label));
}

size_t DrawnMarkers(const ChartEvents& events) {
  return std::min(events.seconds.size(), kChartEventMarkersMax);
}

// The fault strip, always drawn on a time axis (its counts say "none fired" too), and each kind's
// event lines.
std::string RenderMarkers(const FaultRug& rug, bool fault_strip,
                          const std::vector<ChartEvents>& events, double time_end) {
  std::string svg =
      !fault_strip
          ? ""
          : fmt::format(
                "<path class=\"fault-markers\" data-fires=\"{}\" data-markers=\"{}\" d=\"{}\"/>",
                rug.fires, rug.ticks, rug.path);
  for (const ChartEvents& kind : events) {
    const size_t markers = DrawnMarkers(kind);
    if (markers == 0) continue;
    std::string path;
    for (double seconds : kind.seconds.first(markers)) {
      path += fmt::format("M{:.1f} {:.0f}V{:.0f}", XPosition(std::max(seconds, 0.0), time_end),
                          kPlotTop, kPlotBottom);
    }
    svg += fmt::format("<path class=\"{}-markers\" data-markers=\"{}\" d=\"{}\"/>",
                       EscapeHtml(kind.name), markers, path);
  }
  return svg;
}

std::string RenderLegend(const std::vector<const ChartSeries*>& drawn, const FaultRug& rug,
                         bool fault_strip, const std::vector<ChartEvents>& events) {
  std::string html = "<ul class=\"legend\">";
  for (const ChartSeries* series : drawn) {
    html += fmt::format("<li><span class=\"swatch{}\" style=\"border-color:{}\"></span>{}</li>",
                        series->dashed ? " dashed" : "", EscapeHtml(series->color),
                        EscapeHtml(series->label));
  }
  if (fault_strip && rug.fires == 0) {
    html += "<li>no fault fired</li>";
  } else if (fault_strip) {
    html += fmt::format(
        "<li><span class=\"tick\"></span>fault fires: {} ({} ticks, one per column with any)</li>",
        FormatCount(rug.fires), FormatCount(rug.ticks));
  }
  for (const ChartEvents& kind : events) {
    if (DrawnMarkers(kind) == 0) continue;
    html +=
        fmt::format("<li><span class=\"tick {}-tick\"></span>{}: {}</li>", EscapeHtml(kind.name),
                    EscapeHtml(kind.label), FormatCount(kind.seconds.size()));
  }
  return html + "</ul>";
}

}  // namespace

std::string RenderSvgChart(const Chart& chart) {
  CheckChart(chart.time_end_seconds > 0 && std::isfinite(chart.time_end_seconds),
             "time_end_seconds must be finite and > 0");
  CheckChart(chart.series_points_max >= 2, "series_points_max must be >= 2");
  std::vector<const ChartSeries*> drawn;
  std::vector<std::vector<ChartPoint>> drawn_points;
  for (const ChartSeries& series : chart.series) {
    std::vector<ChartPoint> points = DrawablePoints(chart, series);
    if (points.empty()) continue;
    drawn.push_back(&series);
    drawn_points.push_back(std::move(points));
  }
  std::string html =
      fmt::format("<figure class=\"chart-box\" id=\"chart-{}\"><figcaption>{}</figcaption>",
                  EscapeHtml(chart.id), EscapeHtml(chart.title));
  if (drawn.empty()) {
    return html + "<p class=\"no-data\">" + EscapeHtml(chart.no_data_text) + "</p></figure>";
  }
  std::string names;
  for (const ChartSeries* series : drawn) names += (names.empty() ? "" : ",") + series->name;
  const YScale scale = MakeYScale(drawn_points, chart.log_scale);
  const double time_end = chart.time_end_seconds;
  html += fmt::format(
      "<svg class=\"chart\" data-series=\"{}\" viewBox=\"0 0 {:.0f} {:.0f}\" role=\"img\" "
      "aria-label=\"{} {}\">",
      EscapeHtml(names), kChartWidth, kChartHeight, EscapeHtml(chart.title),
      chart.x_axis == ChartXAxis::kIndex ? "by shard" : "over time");
  html += RenderAxes(scale, chart.unit, chart.x_axis, time_end);
  for (size_t i = 0; i < drawn.size(); i++) {
    html += RenderPolyline(*drawn[i], drawn_points[i], scale, time_end);
  }
  // Fault fires are moments: an index axis has no place for them, and no strip to say "none".
  const bool fault_strip = chart.x_axis == ChartXAxis::kSeconds;
  const FaultRug rug = MakeFaultRug(chart.fault_fire_seconds, time_end);
  html += RenderMarkers(rug, fault_strip, chart.events, time_end);
  html += "</svg>";
  return html + RenderLegend(drawn, rug, fault_strip, chart.events) + "</figure>";
}

std::vector<ChartPoint> Downsample(std::span<const ChartPoint> points, size_t points_max) {
  CheckChart(points_max >= 2, "Downsample needs points_max >= 2");
  if (points.size() <= points_max) return {points.begin(), points.end()};
  const size_t buckets = points_max / 2;
  std::vector<ChartPoint> out;
  out.reserve(points_max);
  for (size_t b = 0; b < buckets; b++) {
    const size_t begin = points.size() * b / buckets;
    const size_t end = points.size() * (b + 1) / buckets;
    size_t low = begin, high = begin;
    for (size_t i = begin + 1; i < end; i++) {
      if (points[i].y < points[low].y) low = i;
      if (points[i].y > points[high].y) high = i;
    }
    out.push_back(points[std::min(low, high)]);
    if (low != high) out.push_back(points[std::max(low, high)]);
  }
  return out;
}

std::string EscapeHtml(std::string_view text) {
  // NUL has no place in HTML at all, so it shows as U+FFFD rather than vanishing.
  static constexpr std::pair<char, std::string_view> kEntities[] = {
      {'&', "&amp;"},  {'<', "&lt;"},   {'>', "&gt;"},
      {'"', "&quot;"}, {'\'', "&#39;"}, {'\0', "&#xFFFD;"}};
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    const auto* entity = std::find_if(std::begin(kEntities), std::end(kEntities),
                                      [c](const auto& e) { return e.first == c; });
    if (entity == std::end(kEntities)) {
      out += c;
    } else {
      out += entity->second;
    }
  }
  return out;
}

std::string FormatCount(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

std::string FormatBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t unit = 0;
  while (std::abs(bytes) >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    unit++;
  }
  return (unit == 0 ? fmt::format("{:.0f}", bytes) : FormatShort(bytes)) + " " + kUnits[unit];
}

}  // namespace reports
