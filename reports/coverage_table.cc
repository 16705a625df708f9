#include "reports/coverage_table.h"

#include <fmt/format.h>

#include "reports/svg_chart.h"

namespace reports {

std::string RenderCoverageTables(const std::map<std::string, uint64_t>& reactions,
                                 const std::vector<std::pair<std::string, uint64_t>>& expected) {
  if (reactions.empty() && expected.empty()) return "";
  std::string html = "<div class=\"tables\">";
  if (!reactions.empty()) {
    html +=
        "<div class=\"table-wrap\"><table id=\"coverage-reactions\"><thead><tr><th>the engine's "
        "reaction</th><th class=\"num\">times</th></tr></thead><tbody>";
    for (const auto& [reaction, n] : reactions) {
      html += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>", EscapeHtml(reaction),
                          FormatCount(n));
    }
    html += "</tbody></table></div>";
  }
  if (!expected.empty()) {
    html +=
        "<div class=\"table-wrap\"><table id=\"coverage-expected\"><thead><tr><th>expected to "
        "fire</th><th class=\"num\">fires</th><th>reached</th></tr></thead><tbody>";
    for (const auto& [pair, fires] : expected) {
      html += fmt::format("<tr{}><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                          fires == 0 ? " class=\"crash-failed\"" : "", EscapeHtml(pair),
                          FormatCount(fires), fires == 0 ? "no: the run failed (coverage)" : "yes");
    }
    html += "</tbody></table></div>";
  }
  return html + "</div>";
}

}  // namespace reports
