#include "reports/svg_chart.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

namespace reports {
namespace {

// A chart of `series` over [0, 10] s, with the page's bound on points.
Chart TenSecondChart(std::vector<ChartSeries> series) {
  Chart chart;
  chart.id = "test";
  chart.title = "Test chart";
  chart.time_end_seconds = 10;
  chart.series_points_max = 2000;
  chart.series = std::move(series);
  chart.no_data_text = "Nothing to draw.";
  return chart;
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    count++;
  }
  return count;
}

// Every number in every points="..." and d="..." attribute, and every x/y attribute.
std::vector<std::string> Coordinates(const std::string& svg) {
  std::vector<std::string> numbers;
  const std::regex attribute("\\s(points|d|x|y|x1|y1|x2|y2)=\"([^\"]*)\"");
  const std::regex number("[^ ,MVv]+");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), attribute);
       it != std::sregex_iterator(); ++it) {
    const std::string value = (*it)[2];
    for (auto n = std::sregex_iterator(value.begin(), value.end(), number);
         n != std::sregex_iterator(); ++n) {
      numbers.push_back(n->str());
    }
  }
  return numbers;
}

// A log axis has no place for 0 or a negative sample: they are left out, not drawn at -inf, and a
// series of nothing but zeros leaves the chart to say it has no data.
TEST(SvgChartTest, LogScaleLeavesOutZerosAndWritesOnlyFiniteCoordinates) {
  const std::vector<double> x = {1, 2, 3, 4, 5};
  const std::vector<double> y = {0, 10, 0, 2500, -1};
  Chart chart = TenSecondChart({{"p99", "p99", "#000", false, x, y}});
  chart.log_scale = true;
  const std::string svg = RenderSvgChart(chart);
  EXPECT_NE(svg.find("data-column=\"p99\" data-points=\"2\""), std::string::npos) << svg;
  const std::vector<std::string> numbers = Coordinates(svg);
  ASSERT_GT(numbers.size(), 10u);
  for (const std::string& n : numbers) {
    EXPECT_TRUE(std::isfinite(std::stod(n))) << n;  // stod reads "nan" and "inf" too
  }
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  EXPECT_NE(svg.find(">10k</text>"), std::string::npos);  // the axis closes on the next decade

  const std::vector<double> zeros = {0, 0, 0, 0, 0};
  chart.series = {{"p99", "p99", "#000", false, x, zeros}};
  const std::string empty = RenderSvgChart(chart);
  EXPECT_EQ(empty.find("<svg"), std::string::npos);
  EXPECT_NE(empty.find("<p class=\"no-data\">Nothing to draw.</p>"), std::string::npos);
}

// Non-finite samples (which a caller other than the page might pass) are left out like zeros on a
// log axis, so they cannot reach a coordinate either.
TEST(SvgChartTest, NonFiniteSamplesAreLeftOut) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> x = {1, 2, nan, 4};
  const std::vector<double> y = {5, inf, 7, 8};
  const std::string svg = RenderSvgChart(TenSecondChart({{"v", "v", "#000", false, x, y}}));
  EXPECT_NE(svg.find("data-points=\"2\""), std::string::npos) << svg;
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

// Min/max buckets keep a one-sample spike and a one-sample dip that a stride would skip, stay
// within the bound, and keep time order.
TEST(SvgChartTest, DownsampleKeepsSingleSampleSpikeAndDip) {
  std::vector<ChartPoint> points;
  for (size_t i = 0; i < 100000; i++) {
    const double y = i == 31337 ? 1e6 : i == 77777 ? -5 : static_cast<double>(i % 3);
    points.push_back({static_cast<double>(i), y});
  }
  const std::vector<ChartPoint> out = Downsample(points, 100);
  EXPECT_LE(out.size(), 100u);
  EXPECT_GE(out.size(), 50u);
  size_t spikes = 0, dips = 0;
  for (size_t i = 0; i < out.size(); i++) {
    if (out[i].y == 1e6) spikes++;
    if (out[i].y == -5) dips++;
    if (i > 0) {
      EXPECT_LT(out[i - 1].x, out[i].x);
    }
  }
  EXPECT_EQ(spikes, 1u);
  EXPECT_EQ(dips, 1u);

  const std::vector<ChartPoint> few = {{0, 1}, {1, 9}, {2, 3}};
  const std::vector<ChartPoint> kept = Downsample(few, 100);
  ASSERT_EQ(kept.size(), 3u);  // under the bound, nothing is reduced
  EXPECT_EQ(kept[1].y, 9);
}

// Fires in one plot column make one tick however many there are; a fire at the very end of the
// axis lands in the last column rather than past it.
TEST(SvgChartTest, FaultFiresMakeOneTickPerColumn) {
  const std::vector<double> x = {0, 10};
  const std::vector<double> y = {1, 2};
  std::vector<double> fires(1000, 5.0);
  fires.push_back(10.0);
  Chart chart = TenSecondChart({{"v", "v", "#000", false, x, y}});
  chart.fault_fire_seconds = fires;
  const std::string svg = RenderSvgChart(chart);
  EXPECT_NE(svg.find("class=\"fault-markers\" data-fires=\"1001\" data-markers=\"2\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("M629.5 197v9"), std::string::npos);  // the last column, not column 558
  EXPECT_NE(svg.find("fault fires: 1,001 (2 ticks"), std::string::npos);
}

// Violation lines stop at kChartEventMarkersMax, so a run with thousands cannot hide the data.
TEST(SvgChartTest, ViolationMarkersAreBounded) {
  const std::vector<double> x = {0, 10};
  const std::vector<double> y = {1, 2};
  const std::vector<double> violations(kChartEventMarkersMax + 50, 3.0);
  Chart chart = TenSecondChart({{"v", "v", "#000", false, x, y}});
  chart.events = {{"violation", "violations", violations}};
  const std::string svg = RenderSvgChart(chart);
  EXPECT_NE(svg.find(fmt::format("class=\"violation-markers\" data-markers=\"{}\"",
                                 kChartEventMarkersMax)),
            std::string::npos);
  EXPECT_EQ(CountOf(svg, "V194"), kChartEventMarkersMax);
}

// Names, labels, titles and colours reach the markup escaped, in attributes and in text.
TEST(SvgChartTest, EscapesEveryString) {
  const std::vector<double> x = {1};
  const std::vector<double> y = {1};
  Chart chart = TenSecondChart({{"a\"b", "<b>label</b>", "red\" onload=\"x", true, x, y}});
  chart.title = "<script>";
  const std::string svg = RenderSvgChart(chart);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("\" onload"), std::string::npos);
  EXPECT_NE(svg.find("data-series=\"a&quot;b\""), std::string::npos);
  EXPECT_NE(svg.find("&lt;b&gt;label&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_EQ(EscapeHtml(std::string("a\0b", 3)), "a&#xFFFD;b");
}

// Bytes and counts are spelled the way the page's header spells them.
TEST(SvgChartTest, FormatsCountsAndBytes) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(1048576), "1 MiB");
}

}  // namespace
}  // namespace reports
