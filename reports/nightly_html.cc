#include "reports/nightly_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "reports/coverage_table.h"
#include "reports/html_page.h"
#include "reports/svg_chart.h"

namespace reports {
namespace {

// Short cells (numbers, results, links) keep to one line: the page lets any text break anywhere,
// and a table squeezed onto a phone would otherwise break "violation" into "violati / on".
constexpr const char* kOneLine = " style=\"white-space:nowrap;overflow-wrap:normal\"";

// A signature found by thousands of shards lists this many seeds and links, then a count.
constexpr size_t kGroupShardsListedMax = 50;

// A day-long sweep of thousands of shards still draws a readable line.
constexpr size_t kShardSeriesPointsMax = 2000;

// The thresholds report.html uses, so a shard's duration reads the same on both pages.
std::string FormatDuration(double seconds) {
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  if (seconds < 120) return fmt::format("{:.1f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

std::string FormatRate(double per_second) {
  return FormatCount(static_cast<uint64_t>(std::llround(std::max(per_second, 0.0))));
}

std::string Fact(const std::string& name, const std::string& value) {
  return fmt::format("<div><dt>{}</dt><dd>{}</dd></div>", EscapeHtml(name), EscapeHtml(value));
}

std::string ShardLink(const ShardRecord& r) {
  return fmt::format("<a href=\"{}\"{}>shard {}</a>", EscapeHtml(r.report), kOneLine, r.plan.index);
}

std::string RenderHeader(const NightlyReport& report) {
  const SweepTotals& t = report.totals;
  std::string html = fmt::format(
      "<header class=\"run-header result-{}\" id=\"sweep-header\" data-result=\"{}\">"
      "<h1>vstress sweep <span class=\"badge\" id=\"result\">{}</span></h1><dl class=\"facts\" "
      "id=\"totals\">",
      report.result == "pass" ? "pass" : "fail", EscapeHtml(report.result),
      EscapeHtml(report.result));
  html += Fact("shards", FormatCount(t.shards));
  html += Fact("passed", FormatCount(t.passed));
  html += Fact("failed", FormatCount(t.failed));
  html += Fact("errors", FormatCount(t.errors));
  html += Fact("failure signatures", FormatCount(report.signatures.size()));
  html += Fact("violations", FormatCount(t.violations));
  html += Fact("reads checked", FormatCount(t.reads_checked));
  html += Fact("faults fired", FormatCount(t.faults_injected));
  html += Fact("crash cycles", FormatCount(t.crash_cycles));
  html += Fact("ops", FormatCount(t.ops));
  html += Fact("shard time", FormatDuration(t.shard_seconds));
  if (!report.sweep.executor.empty()) html += Fact("executor", report.sweep.executor);
  if (!report.sweep.created.empty()) html += Fact("planned", report.sweep.created);
  html += "</dl>";
  if (!report.sweep.command.empty()) {
    html += "<h3>The sweep</h3><pre id=\"sweep-command\">" + EscapeHtml(report.sweep.command) +
            "</pre>";
  }
  return html + "</header>";
}

std::string SignatureList(const char* id, const std::vector<std::string>& signatures) {
  if (signatures.empty()) return fmt::format("<p id=\"{}\">none</p>", id);
  std::string html = fmt::format("<ul id=\"{}\">", id);
  for (const std::string& s : signatures) html += "<li><code>" + EscapeHtml(s) + "</code></li>";
  return html + "</ul>";
}

std::string RenderCompare(const SweepCompare& c) {
  std::string html = "<section id=\"compare\"><h2>Since the previous sweep</h2>";
  html += "<p>Compared with <code>" + EscapeHtml(c.previous) + "</code>.</p>";
  html += fmt::format("<h3>New failure signatures: {}</h3>", c.new_signatures.size());
  html += SignatureList("new-signatures", c.new_signatures);
  html += fmt::format("<h3>Fixed (gone) since then: {}</h3>", c.fixed_signatures.size());
  html += SignatureList("fixed-signatures", c.fixed_signatures);
  std::string ratio = "no previous throughput to compare with";
  if (c.throughput_ratio) {
    ratio = fmt::format("×{:.2f} ({:+.0f}%)", *c.throughput_ratio, (*c.throughput_ratio - 1) * 100);
  }
  html += fmt::format(
      "<p id=\"throughput-ratio\">Median shard throughput: {} ops/s, was {} ops/s: {}.</p>",
      FormatRate(c.median_ops_per_s), FormatRate(c.previous_median_ops_per_s), EscapeHtml(ratio));
  return html + "</section>";
}

// The group's seeds and report links, the first kGroupShardsListedMax of each.
std::pair<std::string, std::string> SeedsAndLinks(const SignatureGroup& g,
                                                  const NightlyReport& report) {
  std::string seeds, links;
  const size_t listed = std::min(g.shards.size(), kGroupShardsListedMax);
  for (size_t i = 0; i < listed; i++) {
    seeds += fmt::format("{}{}", i == 0 ? "" : ", ", g.seeds[i]);
    links += (i == 0 ? "" : " ") + ShardLink(report.shards[g.shards[i]]);
  }
  if (g.shards.size() > listed) {
    const std::string more = fmt::format(" and {} more", g.shards.size() - listed);
    seeds += more;
    links += more;
  }
  return {seeds, links};
}

// One bug, one row: three columns, so the row still reads on a phone.
std::string RenderSignatureRow(const SignatureGroup& g, const NightlyReport& report) {
  const auto [seeds, links] = SeedsAndLinks(g, report);
  std::string seen;
  for (const std::string& s : g.seen_as) seen += (seen.empty() ? "" : ", ") + s;
  const ShardRecord& soonest = report.shards[g.repro_shard];
  return fmt::format(
      "<tr class=\"signature\" data-count=\"{0}\"><td style=\"min-width:12em\"><code "
      "class=\"signature-text\">{1}</code>"
      "<br>seen as: {2}</td><td class=\"num\">{0}</td><td>seeds: {3}<br>shortest repro (shard "
      "{4}, {5}):<br><code class=\"repro\">{6}</code><br>reports: {7}</td></tr>",
      g.shards.size(), EscapeHtml(g.signature.Text()), EscapeHtml(seen), EscapeHtml(seeds),
      soonest.plan.index,
      soonest.exit.empty() ? "which never ran"
                           : "failed after " + FormatDuration(soonest.duration_seconds),
      EscapeHtml(g.repro), links);
}

std::string RenderFailures(const NightlyReport& report) {
  std::string html = "<section id=\"failures\"><h2>Failures, one row per signature</h2>";
  if (report.signatures.empty()) {
    return html + "<p id=\"no-failures\">No shard failed.</p></section>";
  }
  html += fmt::format(
      "<div class=\"table-wrap\"><table id=\"signatures\"><thead><tr><th>signature</th>"
      "<th class=\"num\"{}>shards</th><th>seeds, the shortest repro, reports</th></tr></thead>"
      "<tbody>",
      kOneLine);
  for (const SignatureGroup& g : report.signatures) html += RenderSignatureRow(g, report);
  return html + "</tbody></table></div></section>";
}

std::string ResultCell(const std::string& result) {
  const char* cls = result == "pass" ? "m-ok" : result == "error" ? "m-error" : "m-violation";
  return fmt::format("<td{}><span class=\"m-cell {}\">{}</span></td>", kOneLine, cls,
                     EscapeHtml(result));
}

std::string RenderShards(const NightlyReport& report) {
  std::string html =
      "<section id=\"all-shards\"><h2>Every shard</h2><div class=\"table-wrap\"><table "
      "id=\"shards\"><thead><tr>";
  for (const char* column : {"shard", "workload", "driver", "seed", "result", "duration", "ops/s",
                             "failure", "report"}) {
    html += fmt::format("<th{}>{}</th>", kOneLine, column);
  }
  html += "</tr></thead><tbody>";
  for (const ShardRecord& r : report.shards) {
    std::string workload = r.plan.mutant.empty()
                               ? r.plan.workload
                               : r.plan.workload + " (mutant " + r.plan.mutant + ")";
    if (!r.store.empty()) workload += " on " + r.store;
    html += fmt::format(
        "<tr class=\"shard\" data-result=\"{0}\"><td class=\"num\"{1}>{2}</td><td>{3}</td>"
        "<td>{4}</td><td class=\"num\"{1}>{5}</td>{6}<td class=\"num\"{1}>{7}</td>"
        "<td class=\"num\"{1}>{8}</td><td>{9}</td><td>{10}</td></tr>",
        EscapeHtml(r.result), kOneLine, r.plan.index, EscapeHtml(workload),
        EscapeHtml(r.plan.driver), r.plan.seed, ResultCell(r.result),
        FormatDuration(r.duration_seconds), FormatRate(r.OpsPerSecond()),
        EscapeHtml(r.signature.empty() ? "" : r.signature.Text()), ShardLink(r));
  }
  return html + "</tbody></table></div></section>";
}

std::string RenderCoverage(const NightlyReport& report) {
  const CoverageUnion& c = report.coverage;
  std::string html = "<section id=\"coverage\"><h2>Fault coverage, all shards</h2>";
  if (c.fired.empty()) {
    html += "<p id=\"no-fault-fired\">No fault fired in any shard.</p>";
  } else {
    html += fmt::format(
        "<div class=\"table-wrap\"><table id=\"coverage-fired\"><thead><tr><th>fault point:action"
        "</th><th class=\"num\"{0}>fires</th><th class=\"num\"{0}>shards</th></tr></thead><tbody>",
        kOneLine);
    for (const auto& [pair, fires] : c.fired) {
      html +=
          fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                      EscapeHtml(pair), FormatCount(fires), FormatCount(c.fired_shards.at(pair)));
    }
    html += "</tbody></table></div>";
  }
  return html + RenderCoverageTables(c.reactions, {}) + "</section>";
}

// The per-shard values the charts draw; a shard that never ran has no point.
struct ShardSeries {
  std::vector<double> index;
  std::vector<double> seconds;
  std::vector<double> ops_per_second;
  std::vector<double> failed_at;  // indexes of failing shards, drawn as event lines
};

ShardSeries MakeShardSeries(const NightlyReport& report) {
  ShardSeries s;
  for (const ShardRecord& r : report.shards) {
    const double index = static_cast<double>(r.plan.index);
    const bool ran = !r.exit.empty();
    s.index.push_back(index);
    s.seconds.push_back(ran ? r.duration_seconds : std::numeric_limits<double>::quiet_NaN());
    s.ops_per_second.push_back(ran ? r.OpsPerSecond() : std::numeric_limits<double>::quiet_NaN());
    if (r.result != "pass") s.failed_at.push_back(index);
  }
  return s;
}

Chart ShardChart(const std::string& id, const std::string& title, const ShardSeries& s,
                 const std::vector<double>& values, const std::string& color) {
  Chart chart;
  chart.id = id;
  chart.title = title;
  chart.x_axis = ChartXAxis::kIndex;
  chart.time_end_seconds = s.index.empty() ? 1 : std::max(1.0, s.index.back());
  chart.series_points_max = kShardSeriesPointsMax;
  chart.series.push_back({id, title, color, false, s.index, values});
  chart.events.push_back({"violation", "failing shards", s.failed_at});
  chart.no_data_text = "No shard ran.";
  return chart;
}

std::string RenderCharts(const NightlyReport& report) {
  const ShardSeries s = MakeShardSeries(report);
  return "<section id=\"charts\"><h2>Per shard</h2><div class=\"charts\">" +
         RenderSvgChart(ShardChart("duration", "duration (s)", s, s.seconds, "#0969da")) +
         RenderSvgChart(
             ShardChart("throughput", "throughput (ops/s)", s, s.ops_per_second, "#1a7f37")) +
         "</div></section>";
}

}  // namespace

std::string RenderNightlyHtml(const NightlyReport& report, const std::string& command) {
  std::string html = HtmlPageStart(
      fmt::format("vstress sweep: {}, {} shards", report.result, report.shards.size()));
  html += RenderHeader(report);
  if (report.compare) html += RenderCompare(*report.compare);
  html += RenderFailures(report);
  html += RenderShards(report);
  html += RenderCoverage(report);
  html += RenderCharts(report);
  return html + HtmlPageEnd(command);
}

}  // namespace reports
