#include "reports/detection_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "reports/html_page.h"
#include "reports/svg_chart.h"

namespace reports {
namespace {

using json = nlohmann::json;

std::vector<double> CaughtSeconds(const MutantRow& row) {
  std::vector<double> seconds;
  for (const MutantRun& run : row.runs) {
    if (run.caught && run.detect_seconds) seconds.push_back(*run.detect_seconds);
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds;
}

std::string Seconds(std::optional<double> s) {
  return s ? fmt::format("{:.2f}s", *s) : std::string("-");
}

std::string Kinds(const MutantRow& row) {
  std::string out;
  for (const auto& [kind, n] : row.kinds) {
    out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", kind, n);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

uint64_t MutantRow::caught() const {
  return static_cast<uint64_t>(
      std::count_if(runs.begin(), runs.end(), [](const MutantRun& r) { return r.caught; }));
}

std::optional<double> MutantRow::MedianSeconds() const {
  const std::vector<double> s = CaughtSeconds(*this);
  if (s.empty()) return std::nullopt;
  const size_t mid = s.size() / 2;
  return s.size() % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

std::optional<double> MutantRow::MaxSeconds() const {
  const std::vector<double> s = CaughtSeconds(*this);
  if (s.empty()) return std::nullopt;
  return s.back();
}

bool DetectionTable::AllCaught() const {
  return std::all_of(rows.begin(), rows.end(),
                     [](const MutantRow& r) { return r.caught() == r.runs.size(); });
}

std::string DetectionText(const DetectionTable& table) {
  size_t width = 40;
  for (const MutantRow& row : table.rows) width = std::max(width, row.name.size());
  std::string out = fmt::format("{:<{}} {:>7} {:>8} {:>8}  {}\n", "mutant", width, "caught",
                                "median", "max", "first violation kinds");
  for (const MutantRow& row : table.rows) {
    out += fmt::format("{:<{}} {:>7} {:>8} {:>8}  {}\n", row.name, width,
                       fmt::format("{}/{}", row.caught(), row.runs.size()),
                       Seconds(row.MedianSeconds()), Seconds(row.MaxSeconds()), Kinds(row));
  }
  return out;
}

std::string DetectionJson(const DetectionTable& table) {
  json rows = json::array();
  for (const MutantRow& row : table.rows) {
    json runs = json::array();
    for (const MutantRun& run : row.runs) {
      runs.push_back({{"seed", run.seed},
                      {"caught", run.caught},
                      {"detect_s", run.detect_seconds ? json(*run.detect_seconds) : json()},
                      {"first_kind", run.first_kind},
                      {"outcome", run.outcome},
                      {"run_dir", run.run_dir}});
    }
    const auto median = row.MedianSeconds();
    const auto max = row.MaxSeconds();
    rows.push_back({{"mutant", row.name},
                    {"imitates", row.imitates},
                    {"command", row.command},
                    {"caught", row.caught()},
                    {"runs_total", row.runs.size()},
                    {"median_s", median ? json(*median) : json()},
                    {"max_s", max ? json(*max) : json()},
                    {"kinds", row.kinds},
                    {"runs", runs}});
  }
  const json doc = {{"seeds", {table.seed_first, table.seed_last}},
                    {"budget_s", table.budget_seconds},
                    {"all_caught", table.AllCaught()},
                    {"mutants", rows}};
  return doc.dump(2) + "\n";
}

std::string DetectionHtml(const DetectionTable& table, const std::string& command) {
  const bool all = table.AllCaught();
  std::string html = HtmlPageStart("vstress mutant detection");
  html += fmt::format(
      "<header class=\"run-header result-{}\" id=\"detection-header\" data-all-caught=\"{}\">"
      "<h1>Mutant detection <span class=\"badge\">{}</span></h1><p>Every planted bug run with "
      "its command on seeds {}–{}, each for at most {}; time to detect is the run time at its "
      "first violation.</p></header>",
      all ? "pass" : "fail", all ? "true" : "false", all ? "all caught" : "missed",
      table.seed_first, table.seed_last, fmt::format("{:.0f}s", table.budget_seconds));
  html +=
      "<section><div class=\"table-wrap\"><table id=\"detection-table\"><thead><tr><th>mutant</th>"
      "<th>imitates</th><th class=\"num\">caught</th><th class=\"num\">median</th>"
      "<th class=\"num\">max</th><th>first violation "
      "kinds</th><th>command</th></tr></thead><tbody>";
  for (const MutantRow& row : table.rows) {
    const bool caught_all = row.caught() == row.runs.size();
    html += fmt::format(
        "<tr data-mutant=\"{}\" data-caught=\"{}\" data-runs=\"{}\"><th>{}</th><td>{}</td>"
        "<td class=\"num {}\">{}/{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td>{}</td><td><code>{}</code></td></tr>",
        EscapeHtml(row.name), row.caught(), row.runs.size(), EscapeHtml(row.name),
        EscapeHtml(row.imitates), caught_all ? "caught" : "missed", row.caught(), row.runs.size(),
        Seconds(row.MedianSeconds()), Seconds(row.MaxSeconds()), EscapeHtml(Kinds(row)),
        EscapeHtml(row.command));
  }
  html += "</tbody></table></div></section><section><h2>Runs not caught</h2>";
  std::string missed;
  for (const MutantRow& row : table.rows) {
    for (const MutantRun& run : row.runs) {
      if (run.caught) continue;
      missed += fmt::format("<li>{} seed {}: {} (<code>{}</code>)</li>", EscapeHtml(row.name),
                            run.seed, EscapeHtml(run.outcome), EscapeHtml(run.run_dir));
    }
  }
  html += missed.empty() ? "<p>None.</p>" : "<ul>" + missed + "</ul>";
  return html + "</section>" + HtmlPageEnd(command);
}

}  // namespace reports
