#include "reports/enumerate_matrix.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "reports/html_page.h"
#include "reports/svg_chart.h"

namespace reports {
namespace {

using json = nlohmann::json;

struct OutcomeText {
  const char* name;
  char mark;
};

// Indexed by CellOutcome.
constexpr OutcomeText kOutcomes[] = {
    {"ok", '.'}, {"error", 'e'}, {"violation", 'X'}, {"not-reached", '-'}};

char CellChar(CellOutcome o) { return kOutcomes[static_cast<size_t>(o)].mark; }

// The cells of one grid: a mode's plain cells (recovery_action empty), or the --during-recovery
// cells with one recovery action, keyed by row and column.
struct Grid {
  std::string title;
  std::vector<std::string> rows;  // in order
  uint64_t columns = 0;
  std::map<std::pair<std::string, uint64_t>, const MatrixCell*> cells;
};

std::vector<Grid> Grids(const FaultMatrix& m) {
  std::vector<Grid> grids;
  for (const std::string& mode : m.modes) {
    Grid g;
    g.title = mode;
    for (const auto& [point, hits] : m.point_hits) g.rows.push_back(point);
    for (const MatrixCell& c : m.cells) {
      if (c.mode != mode || c.recovery_hit != 0) continue;
      g.cells[{c.point, c.hit}] = &c;
      g.columns = std::max(g.columns, c.hit);
    }
    grids.push_back(std::move(g));
  }
  for (const std::string action : {"error", "crash"}) {
    Grid g;
    g.title = fmt::format("crash, then {} inside its recovery", action);
    std::set<std::string> seen;
    for (const MatrixCell& c : m.cells) {
      if (c.recovery_action != action) continue;
      const std::string row = fmt::format("{} #{}", c.point, c.hit);
      if (seen.insert(row).second) g.rows.push_back(row);
      g.cells[{row, c.recovery_hit}] = &c;
      g.columns = std::max(g.columns, c.recovery_hit);
    }
    if (!g.cells.empty()) grids.push_back(std::move(g));
  }
  return grids;
}

std::string CountsLine(const FaultMatrix& m) {
  const auto counts = m.Counts();
  const auto get = [&counts](const char* name) {
    auto it = counts.find(name);
    return it == counts.end() ? uint64_t{0} : it->second;
  };
  return fmt::format("{} cells: {} ok, {} error surfaced, {} violation, {} not reached",
                     m.cells.size(), get("ok"), get("error"), get("violation"), get("not-reached"));
}

}  // namespace

const char* CellOutcomeName(CellOutcome outcome) {
  return kOutcomes[static_cast<size_t>(outcome)].name;
}

std::string MatrixCell::Name() const {
  std::string name = fmt::format("{} hit {} {}", point, hit, mode);
  if (recovery_hit != 0) {
    name += fmt::format(" + recovery call {} {}", recovery_hit, recovery_action);
  }
  return name;
}

std::map<std::string, uint64_t> FaultMatrix::Counts() const {
  std::map<std::string, uint64_t> counts;
  for (const MatrixCell& c : cells) counts[CellOutcomeName(c.outcome)]++;
  return counts;
}

bool FaultMatrix::AnyViolation() const {
  return std::any_of(cells.begin(), cells.end(),
                     [](const MatrixCell& c) { return c.outcome == CellOutcome::kViolation; });
}

std::string MatrixText(const FaultMatrix& m) {
  std::string out;
  size_t width = 5;
  for (const Grid& g : Grids(m)) {
    for (const std::string& row : g.rows) width = std::max(width, row.size());
  }
  for (const Grid& g : Grids(m)) {
    out +=
        fmt::format("{}  ('.' ok, 'e' error surfaced, 'X' violation, '-' not reached)\n", g.title);
    for (const std::string& row : g.rows) {
      std::string marks;
      for (uint64_t col = 1; col <= g.columns; col++) {
        auto it = g.cells.find({row, col});
        marks += it == g.cells.end() ? ' ' : CellChar(it->second->outcome);
      }
      const auto hits = m.point_hits.find(row);
      out += fmt::format(
          "  {:<{}}  {}{}\n", row, width, marks,
          hits != m.point_hits.end() && hits->second == 0 ? "(never reached by the workload)" : "");
    }
  }
  out += CountsLine(m) + "\n";
  for (const MatrixCell& c : m.cells) {
    if (c.outcome != CellOutcome::kViolation) continue;
    out += fmt::format("violation: {}: {}\n  run directory: {}\n  rerun: {}\n", c.Name(), c.detail,
                       c.run_dir, c.repro);
  }
  return out;
}

std::string MatrixJson(const FaultMatrix& m, const std::string& command) {
  json cells = json::array();
  for (const MatrixCell& c : m.cells) {
    json cell = {{"point", c.point},
                 {"hit", c.hit},
                 {"mode", c.mode},
                 {"rule", c.rule},
                 {"outcome", CellOutcomeName(c.outcome)},
                 {"detail", c.detail},
                 {"run_dir", c.run_dir},
                 {"repro", c.repro}};
    if (c.mode == "crash" && c.recovery_hit == 0) cell["recovery_calls"] = c.recovery_calls;
    if (c.recovery_hit != 0) {
      cell["recovery_hit"] = c.recovery_hit;
      cell["recovery_action"] = c.recovery_action;
    }
    cells.push_back(std::move(cell));
  }
  const json doc = {{"command", command},
                    {"result", m.AnyViolation() ? "violation" : "pass"},
                    {"seed", m.seed},
                    {"preset", m.preset},
                    {"mutant", m.mutant},
                    {"max_hits", m.max_hits},
                    {"during_recovery", m.during_recovery},
                    {"modes", m.modes},
                    {"point_hits", m.point_hits},
                    {"counts", m.Counts()},
                    {"cells_total", m.cells.size()},
                    {"seconds", m.seconds},
                    {"cells", cells}};
  return doc.dump(2) + "\n";
}

std::string MatrixJunit(const FaultMatrix& m) {
  std::string cases;
  uint64_t failures = 0;
  uint64_t skipped = 0;
  uint64_t tests = 1;
  for (const MatrixCell& c : m.cells) {
    if (c.outcome == CellOutcome::kOk) continue;
    tests++;
    std::string body;
    switch (c.outcome) {
      case CellOutcome::kViolation:
        failures++;
        body = fmt::format(
            "<failure message=\"{}\" type=\"violation\">{}&#10;run directory: {}&#10;rerun: "
            "{}</failure>",
            EscapeHtml(c.detail), EscapeHtml(c.rule), EscapeHtml(c.run_dir), EscapeHtml(c.repro));
        break;
      case CellOutcome::kNotReached:
        skipped++;
        body = fmt::format("<skipped message=\"{}\"/>",
                           EscapeHtml("the run never reached this hit: " + c.rule));
        break;
      default:
        body = fmt::format("<system-out>{}: {}</system-out>", EscapeHtml(c.rule),
                           EscapeHtml(c.detail));
        break;
    }
    cases += fmt::format(
        "    <testcase classname=\"vstress.enumerate.{}\" name=\"{}\" time=\"0\">{}"
        "</testcase>\n",
        EscapeHtml(c.mode), EscapeHtml(c.Name()), body);
  }
  const std::string whole =
      m.AnyViolation()
          ? fmt::format("<failure message=\"{}\" type=\"violation\"/>", EscapeHtml(CountsLine(m)))
          : fmt::format("<system-out>{}</system-out>", EscapeHtml(CountsLine(m)));
  if (m.AnyViolation()) failures++;
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"vstress enumerate\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" "
      "skipped=\"{2}\" time=\"{3:.3f}\">\n"
      "  <testsuite name=\"vstress.enumerate\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" "
      "skipped=\"{2}\" time=\"{3:.3f}\">\n"
      "    <testcase classname=\"vstress.enumerate\" name=\"matrix\" time=\"{3:.3f}\">{4}"
      "</testcase>\n"
      "{5}"
      "  </testsuite>\n"
      "</testsuites>\n",
      tests, failures, skipped, m.seconds, whole, cases);
}

std::string MatrixHtml(const FaultMatrix& m, const std::string& command) {
  std::string html = HtmlPageStart("vstress enumerate");
  html += fmt::format(
      "<header class=\"run-header result-{}\" id=\"matrix-header\"><h1>Fault matrix <span "
      "class=\"badge\">{}</span></h1><p>Every hit of every point, one short simulated run each "
      "(seed {}, preset {}{}), up to {} hits a point. {}.</p></header>\n",
      m.AnyViolation() ? "violation" : "pass", m.AnyViolation() ? "VIOLATION" : "PASS", m.seed,
      EscapeHtml(m.preset), m.mutant.empty() ? "" : ", mutant " + EscapeHtml(m.mutant),
      m.max_hits == 0 ? std::string("all") : std::to_string(m.max_hits), EscapeHtml(CountsLine(m)));
  html +=
      "<p class=\"legend\"><span class=\"m-cell m-ok\">ok</span> the engine went on "
      "<span class=\"m-cell m-error\">error</span> it surfaced the fault "
      "<span class=\"m-cell m-violation\">violation</span> the checker failed it "
      "<span class=\"m-cell m-not-reached\">not reached</span> the run never got there</p>\n";
  for (const Grid& g : Grids(m)) {
    html += fmt::format(
        "<section><h2>{}</h2><div class=\"table-wrap\"><table class=\"matrix\" "
        "data-mode=\"{}\"><thead><tr><th>point</th>",
        EscapeHtml(g.title), EscapeHtml(g.title));
    for (uint64_t col = 1; col <= g.columns; col++) html += fmt::format("<th>{}</th>", col);
    html += "</tr></thead><tbody>\n";
    for (const std::string& row : g.rows) {
      html += fmt::format("<tr><th><code>{}</code></th>", EscapeHtml(row));
      for (uint64_t col = 1; col <= g.columns; col++) {
        auto it = g.cells.find({row, col});
        if (it == g.cells.end()) {
          html += "<td></td>";
          continue;
        }
        const MatrixCell& c = *it->second;
        const std::string name = CellOutcomeName(c.outcome);
        const std::string mark(1, CellChar(c.outcome));
        const std::string title = EscapeHtml(c.rule + (c.detail.empty() ? "" : ": " + c.detail));
        html +=
            c.run_dir.empty()
                ? fmt::format("<td class=\"m-cell m-{}\" title=\"{}\">{}</td>", name, title, mark)
                : fmt::format(
                      "<td class=\"m-cell m-{}\" title=\"{}\"><a href=\"{}/report.html\">{}"
                      "</a></td>",
                      name, title, EscapeHtml(c.run_dir), mark);
      }
      html += "</tr>\n";
    }
    html += "</tbody></table></div></section>\n";
  }
  std::string violations;
  for (const MatrixCell& c : m.cells) {
    if (c.outcome != CellOutcome::kViolation) continue;
    violations += fmt::format("<li><b>{}</b>: {}<br><code>{}</code></li>\n", EscapeHtml(c.Name()),
                              EscapeHtml(c.detail), EscapeHtml(c.repro));
  }
  if (!violations.empty()) {
    html += "<section><h2>Violations</h2><ul id=\"matrix-violations\">\n" + violations +
            "</ul></section>\n";
  }
  html += HtmlPageEnd(command);
  return html;
}

}  // namespace reports
