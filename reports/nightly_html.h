// nightly.html: a sweep's morning report as one self-contained page (the reports/html_page.h
// frame: no script, nothing fetched), written by `vstress merge` from a NightlyReport.
//
// Top to bottom: the sweep's result and totals (#sweep-header); with --compare, what changed since
// the previous sweep (#compare: new and fixed signatures, the median throughput ratio); the
// failures, one row per signature (#signatures: count, seeds, how the bug showed itself, the
// shortest repro command, links to each failing shard's report.html); every shard (#shards); the
// union fault coverage (#coverage); and duration and throughput per shard as inline SVG charts
// (reports/svg_chart.h, x axis = shard index, failing shards marked). Links are relative
// (shards/<index>/report.html), so the sweep directory can be copied or served as it is. Every
// string that came from a file is escaped.
//
// Thread contract: thread-safe (a pure function).
#pragma once

#include <string>

#include "reports/nightly_report.h"

namespace reports {

// The whole page; `command` is the merge's own command line, for the footer.
std::string RenderNightlyHtml(const NightlyReport& report, const std::string& command);

}  // namespace reports
