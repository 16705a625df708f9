#include "reports/postmortem_section.h"

#include <fmt/format.h>

#include "reports/svg_chart.h"

namespace reports {

std::string RenderPostmortem(const ReportPostmortem& p) {
  if (p.step == 0 && p.in_flight.empty() && p.signal_name.empty() && p.top_frames.empty() &&
      p.stacks.empty()) {
    return "";
  }
  std::string html = "<section id=\"postmortem\"><h2>Where it stopped</h2><dl class=\"facts\">";
  const auto fact = [&html](const std::string& name, const std::string& value) {
    html += "<dt>" + EscapeHtml(name) + "</dt><dd>" + EscapeHtml(value) + "</dd>";
  };
  if (!p.signal_name.empty()) fact("died of", p.signal_name);
  if (p.signal_name.empty() && p.seconds_without_progress > 0) {
    fact("no progress for", fmt::format("{:.0f} s", p.seconds_without_progress));
  }
  if (p.step != 0) fact("step in flight", fmt::format("#{}", p.step));
  if (!p.top_frames.empty()) fact("stuck or dying in", p.top_frames);
  if (!p.last_progress.empty()) fact("last progress", p.last_progress);
  html += "</dl>";
  if (!p.in_flight.empty()) {
    html += "<h3>Ops in flight</h3><ul class=\"in-flight\">";
    for (const std::string& op : p.in_flight)
      html += "<li><code>" + EscapeHtml(op) + "</code></li>";
    html += "</ul>";
  }
  if (!p.stacks.empty()) {
    html += fmt::format("<p>Every thread's stack ({}): <a href=\"{}\">{}</a></p>",
                        EscapeHtml(p.stacks_source), EscapeHtml(p.stacks), EscapeHtml(p.stacks));
  }
  return html + "</section>";
}

}  // namespace reports
