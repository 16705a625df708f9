#include "reports/html_page.h"

#include <fmt/format.h>

#include "reports/svg_chart.h"

namespace reports {
namespace {

// Narrow screens get one column: the grids below size their columns with min(100%, N px), and
// every block that can be wider than a phone (tables, <pre>) scrolls or wraps inside itself. Any
// text may break anywhere (body's overflow-wrap is inherited), so no path, command, key, value or
// violation text is ever one token wider than the screen, however long the run's directory.
constexpr const char* kStyle = R"css(
:root{--pass:#1a7f37;--fail:#cf222e;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff;overflow-wrap:anywhere}
code{font-family:ui-monospace,monospace;font-size:13px}
main{max-width:1500px;margin:0 auto;padding:16px}
h1{font-size:1.4em;margin:0 0 8px}h2{font-size:1.15em;margin:28px 0 10px}h3{font-size:1em;margin:0 0 6px}
.run-header{border-left:8px solid var(--fail);background:var(--panel);border-radius:6px;padding:12px 16px}
.run-header.result-pass{border-left-color:var(--pass)}
.badge{display:inline-block;color:#fff;background:var(--fail);border-radius:4px;padding:0 10px;letter-spacing:.05em}
.result-pass .badge{background:var(--pass)}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,150px),1fr));gap:8px 16px;margin:12px 0}
.facts div{min-width:0}.facts dt{font-size:12px;color:var(--muted)}.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
pre{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:8px;margin:4px 0;font-size:13px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:32em;overflow:auto}
.error{color:var(--fail);font-weight:600;overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,540px),1fr));gap:16px}
.chart-box{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px;min-width:0}
.chart-box figcaption{font-weight:600;margin-bottom:4px}
svg.chart{display:block;width:100%;height:auto}
svg.chart text{font:12px sans-serif;fill:var(--muted)}
svg.chart .grid{stroke:#e6e9ec;stroke-width:1}svg.chart .axis{stroke:var(--muted);stroke-width:1}
svg.chart .series{fill:none;stroke-width:1.5;stroke-linejoin:round}
svg.chart .fault-markers{stroke:#bc4c00;stroke-width:1}
svg.chart .violation-markers{stroke:var(--fail);stroke-width:1.5;stroke-dasharray:4 3}
.legend{list-style:none;margin:6px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 14px;font-size:13px}
.swatch{display:inline-block;width:20px;border-top:3px solid;vertical-align:middle;margin-right:5px}
.swatch.dashed{border-top-style:dashed}
.tick{display:inline-block;width:2px;height:11px;vertical-align:middle;margin-right:5px;background:#bc4c00}
.tick.violation-tick{background:var(--fail)}
.caught{color:var(--pass);font-weight:600}.missed{color:var(--fail);font-weight:600}
svg.chart .quiescence-markers{stroke:#8250df;stroke-width:1;stroke-dasharray:1 3}
.tick.quiescence-tick{background:#8250df}
svg.chart .crash-markers{stroke:#0969da;stroke-width:1;stroke-dasharray:6 2}
.tick.crash-tick{background:#0969da}
svg.chart .crash-failed-markers{stroke:var(--fail);stroke-width:2}
.tick.crash-failed-tick{background:var(--fail)}
tr.crash-failed td{background:#ffebe9}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,320px),1fr));gap:16px;align-items:start}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:14px}th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.matrix td.m-cell{text-align:center;padding:3px 6px;font-family:monospace}
.m-cell{display:inline-block;padding:0 6px;border-radius:3px}table.matrix td.m-cell{display:table-cell}
.m-ok{background:#dafbe1}.m-error{background:#fff8c5}.m-violation{background:#ffebe9;color:var(--fail);font-weight:700}.m-not-reached{color:var(--muted)}
.violation{border:1px solid var(--fail);border-radius:6px;padding:10px 14px;margin:12px 0;min-width:0}
.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:6px 0}
.kv dt{color:var(--muted)}.kv dd{margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
@media (max-width:640px){main{padding:8px}svg.chart text{font-size:15px}.kv{grid-template-columns:minmax(0,1fr)}.kv dd{margin-bottom:6px}}
)css";

}  // namespace

std::string HtmlPageStart(std::string_view title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{}</title><style>{}</style></head><body><main>",
      EscapeHtml(title), kStyle);
}

std::string HtmlPageEnd(std::string_view command) {
  return fmt::format("<footer><p>Written by <code>{}</code>.</p></footer></main></body></html>\n",
                     EscapeHtml(command));
}

}  // namespace reports
