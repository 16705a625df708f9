// report.html: one self-contained page that shows what a run did, rebuilt from the files of its run
// directory (summary.json, timeseries.csv, faults.log, violations.json, config.toml).
//
// The page fetches nothing: no scripts, fonts, images or style sheets from anywhere, and no
// JavaScript at all. Charts are inline SVG drawn by reports/svg_chart.h: each is an
// <svg class="chart" data-series="a,b"> whose series are <polyline class="series"
// data-points="N">, so a browser with JS off renders them and a test can check them through the
// DOM. This file picks which timeseries.csv columns each chart shows and gives every chart the same
// time axis. A series holds at most kReportSeriesPointsMax points however long the run was; fault
// fires are marked as ticks on every chart's time axis, at most one per column of the plot; crash
// cycles (recovered, and failed) and quiescence points are lines across every chart. A run with
// crash cycles adds a "Crash cycles" section with a table of their recoveries.
//
// Only summary.json is required; a missing optional file leaves its part of the page out, and a
// timeseries.csv column that is missing (an older run directory) leaves its series out. A file that
// is present but malformed is an error naming the file (and the line, for CSV and faults.log).
//
// The end of `vstress run` and `vstress report RUN_DIR` both call WriteHtmlReport, so the two
// produce the same page.
//
// Thread contract: thread-compatible (RunReport is a plain value; the functions keep no state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/status.h"
#include "reports/postmortem_section.h"
#include "reports/run_record.h"

namespace reports {

// Most points one chart series holds: beyond it, samples are reduced to each bucket's min and max.
inline constexpr size_t kReportSeriesPointsMax = 2000;

// summary.json, as far as the page needs it. Counters missing from an older file read as 0.
struct ReportSummary {
  std::string result;  // pass | violation | error | liveness | crash
  int exit_code = 0;
  uint64_t seed = 0;
  std::string preset;
  std::string store;   // "leveldb 1.23" ("" in an older summary)
  // The gauges the store does not expose (summary.json store.not_exposed): "live_versions", ...
  std::vector<std::string> not_exposed;
  std::string mutant;  // empty: the correct engine
  double duration_seconds = 0;
  std::string repro;
  std::string error;
  ReportPostmortem postmortem;  // liveness and crash
  uint64_t violations = 0;
  uint64_t peak_rss_bytes = 0;
  std::map<std::string, uint64_t> ops;     // put, delete, get, ...
  std::map<std::string, uint64_t> checks;  // reads_checked, scans_checked, ...
  std::map<std::string, uint64_t> engine;  // max_live_versions, flushes, ...
  uint64_t faults_injected_total = 0;
  // point -> action -> fires. From by_point_action, or by_point under the action "any" when an
  // older summary has only that.
  std::map<std::string, std::map<std::string, uint64_t>> faults_by_point_action;
  // Fault coverage: what the engine did about the faults (reaction -> count), and each pair the
  // workload expects to fire with its fires (absent in older summaries).
  std::map<std::string, uint64_t> coverage_reactions;
  std::vector<std::pair<std::string, uint64_t>> expect_reached;
  // Quiescence points: how many, when, the longest check, how many found a violation.
  uint64_t quiescence_points = 0;
  std::vector<double> quiescence_seconds;
  double quiescence_longest_seconds = 0;
  uint64_t quiescence_points_with_violations = 0;
  // Crash cycles (summary.json's `crash`; an older file or a run without crashes has none): the
  // mode, how many ran, and those listed (summary.json lists the first 1,000).
  std::string crash_mode;
  uint64_t crash_cycles_total = 0;
  std::vector<CrashCycle> crash_cycles;
};

// timeseries.csv by column name: `columns[name][row]`. Every column has one value per row.
struct ReportTimeseries {
  std::vector<std::string> names;  // in the file's order
  std::map<std::string, std::vector<double>> columns;

  // The column called `name`, or nullptr when the file has no such column.
  const std::vector<double>* Column(const std::string& name) const;
};

// A run directory, loaded.
struct RunReport {
  std::string run_dir;
  ReportSummary summary;
  ReportTimeseries timeseries;             // empty without timeseries.csv
  std::vector<double> fault_fire_seconds;  // from faults.log, in file order
  uint64_t violations_total = 0;           // from violations.json (may exceed violations.size())
  std::vector<Violation> violations;
  std::string config_toml;  // verbatim; empty without config.toml
};

// Reads `dir` into `out` (reset first). A missing directory or summary.json is NotFound; an
// unreadable or malformed file is InvalidArgument. Either way the message names the file (and line,
// where there is one).
engine::Status LoadRunDirectory(const std::string& dir, RunReport* out);

// The files of a run directory that `vstress report` parses.
enum class RunFile { kSummary, kTimeseries, kFaultLog, kViolations };

// Parses `text`, the contents of `file` (its path names it in errors), into `out`: what
// LoadRunDirectory does for each file it finds. InvalidArgument names the file and the line or
// field when `text` is malformed; no input makes it throw, crash or allocate by a length it read.
engine::Status LoadRunFile(RunFile file, const std::string& path, const std::string& text,
                           RunReport* out);

// The whole page. Every string that came from a file is escaped.
std::string RenderHtmlReport(const RunReport& report);

// Loads `run_dir`, renders it and writes `run_dir`/report.html atomically. Load failures keep
// LoadRunDirectory's codes (NotFound, InvalidArgument); a failed write is IOError or NoSpace.
engine::Status WriteHtmlReport(const std::string& run_dir);

}  // namespace reports
