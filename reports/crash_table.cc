#include "reports/crash_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "reports/svg_chart.h"

namespace reports {
namespace {

// The q-quantile of `values` (sorted), nearest rank; 0 for none.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5)];
}

std::string RenderResult(const CrashCycle& c) {
  if (c.ok) return "<span class=\"caught\">recovered</span>";
  std::string html = "<span class=\"missed\">failed</span>";
  if (!c.kept_db.empty()) {
    html += " — the DB as the crash left it: <code>" + EscapeHtml(c.kept_db) + "</code>";
  }
  return html;
}

std::string RenderRow(const CrashCycle& c) {
  return fmt::format(
      "<tr class=\"crash-{}\" id=\"crash-cycle-{}\"><td class=\"num\">{}</td>"
      "<td class=\"num\">{:.3f} s</td><td>{}</td><td class=\"num\">{:.1f}</td>"
      "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
      "<td class=\"num\">{}</td><td>{}</td></tr>",
      c.ok ? "recovered" : "failed", c.cycle, c.cycle, c.seconds, EscapeHtml(c.mode),
      c.recovery_seconds * 1000, c.recovered, c.floor, FormatCount(c.dropped_writes),
      FormatCount(c.lost_writes), RenderResult(c));
}

// How many cycles recovered, how long recovery took, and which rows are left out.
std::string RenderParagraph(const std::string& mode, uint64_t cycles_total,
                            const std::vector<CrashCycle>& cycles, size_t rows) {
  uint64_t failed = 0;
  std::vector<double> recovery_ms;
  for (const CrashCycle& c : cycles) {
    failed += c.ok ? 0 : 1;
    recovery_ms.push_back(c.recovery_seconds * 1000);
  }
  std::sort(recovery_ms.begin(), recovery_ms.end());
  std::string html = fmt::format(
      "<p id=\"crash-summary\" data-cycles=\"{}\" data-failed=\"{}\">{} crash cycle{}{}: each "
      "crashed the DB, reopened it and checked the recovery against the oracle. {} recovered, {} "
      "failed. Recovery took {:.1f} ms at the median, {:.1f} ms at p99 and {:.1f} ms at most.",
      cycles_total, failed, FormatCount(cycles_total), cycles_total == 1 ? "" : "s",
      mode.empty() ? std::string() : " (" + EscapeHtml(mode) + ")",
      FormatCount(cycles.size() - failed), FormatCount(failed), Quantile(recovery_ms, 0.5),
      Quantile(recovery_ms, 0.99), recovery_ms.empty() ? 0.0 : recovery_ms.back());
  if (cycles.size() < cycles_total) {
    html += fmt::format(" summary.json lists the first {} cycles; the numbers above are theirs.",
                        FormatCount(cycles.size()));
  }
  if (rows < cycles.size()) {
    html += fmt::format(" The table shows {} of them: the first {} and every failed one.",
                        FormatCount(rows), FormatCount(kReportCrashRowsMax));
  }
  return html + "</p>";
}

}  // namespace

std::string RenderCrashSection(const std::string& mode, uint64_t cycles_total,
                               const std::vector<CrashCycle>& cycles) {
  if (cycles_total == 0 && cycles.empty()) return "";
  std::string rows;
  size_t shown = 0;
  for (size_t i = 0; i < cycles.size(); i++) {
    if (i >= kReportCrashRowsMax && cycles[i].ok) continue;
    rows += RenderRow(cycles[i]);
    shown++;
  }
  return "<section id=\"crash-cycles\"><h2>Crash cycles</h2>" +
         RenderParagraph(mode, cycles_total, cycles, shown) +
         "<div class=\"table-wrap\"><table id=\"crash-table\"><thead><tr>"
         "<th class=\"num\">cycle</th><th class=\"num\">time</th><th>mode</th>"
         "<th class=\"num\">recovery ms</th><th class=\"num\">recovered seq</th>"
         "<th class=\"num\">floor</th><th class=\"num\">dropped writes</th>"
         "<th class=\"num\">lost writes</th><th>result</th></tr></thead><tbody>" +
         rows + "</tbody></table></div></section>";
}

}  // namespace reports
