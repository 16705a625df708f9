#include "reports/report_charts.h"
#include "reports/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/coverage_table.h"
#include "reports/crash_table.h"
#include "reports/html_page.h"
#include "reports/run_files.h"
#include "reports/svg_chart.h"

namespace reports {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Loading.

std::string PathIn(const std::string& dir, const char* name) {
  return (fs::path(dir) / name).string();
}

// Reads `path` whole. A missing file is NotFound; anything else that stops the read (a directory,
// no permission) is InvalidArgument, since either way the run directory is not what it should be.
engine::Status ReadWholeFile(const std::string& path, std::string* contents) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return engine::Status::NotFound(path + ": no such file");
  const engine::Status s = ReadFile(path, contents);
  return s.ok() ? s : engine::Status::InvalidArgument("cannot read " + s.message());
}

// Like ReadWholeFile, but a missing file leaves `contents` empty and `present` false.
engine::Status ReadOptionalFile(const std::string& path, std::string* contents, bool* present) {
  engine::Status s = ReadWholeFile(path, contents);
  *present = s.ok();
  return s.IsNotFound() ? engine::Status::Ok() : s;
}

engine::Status ParseJson(const std::string& path, const std::string& text, json* out) {
  try {
    *out = json::parse(text);
  } catch (const json::exception& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line L, column C: ...".
    std::string_view what = e.what();
    const size_t tag_end = what.find("] ");
    if (tag_end != std::string_view::npos) what.remove_prefix(tag_end + 2);
    return engine::Status::InvalidArgument(fmt::format("{}: {}", path, what));
  }
  if (!out->is_object()) return engine::Status::InvalidArgument(path + ": not a JSON object");
  return engine::Status::Ok();
}

bool Convert(const json& v, std::string* out) {
  if (!v.is_string()) return false;
  *out = v.get<std::string>();
  return true;
}
bool Convert(const json& v, uint64_t* out) {
  if (!v.is_number_unsigned()) return false;
  *out = v.get<uint64_t>();
  return true;
}
bool Convert(const json& v, int* out) {
  if (!v.is_number_integer()) return false;
  const int64_t wide = v.get<int64_t>();
  if (wide < INT32_MIN || wide > INT32_MAX) return false;
  *out = static_cast<int>(wide);
  return true;
}
bool Convert(const json& v, double* out) {
  if (!v.is_number()) return false;
  *out = v.get<double>();
  return true;
}
bool Convert(const json& v, bool* out) {
  if (!v.is_boolean()) return false;
  *out = v.get<bool>();
  return true;
}
const char* TypeName(const std::string*) { return "a string"; }
const char* TypeName(const uint64_t*) { return "a non-negative integer"; }
const char* TypeName(const int*) { return "an integer"; }
const char* TypeName(const double*) { return "a number"; }
const char* TypeName(const bool*) { return "true or false"; }

// Reads typed fields out of parsed JSON. A missing or null field keeps its default (older files
// lack newer fields); a field of the wrong type is remembered, so the whole file becomes one
// Status naming the file and the field instead of an exception or a crash.
class JsonReader {
 public:
  explicit JsonReader(std::string path) : path_(std::move(path)) {}
  const engine::Status& status() const { return status_; }

  template <typename T>
  void Read(const json& object, const std::string& where, const char* key, T* out) {
    const json* v = Find(object, key);
    if (v != nullptr && !Convert(*v, out)) Fail(Field(where, key), TypeName(out));
  }

  // An object of counters, e.g. "ops": {"put": 12, ...}.
  void ReadCounters(const json& object, const std::string& where, const char* key,
                    std::map<std::string, uint64_t>* out) {
    const json* v = Find(object, key);
    if (v == nullptr) return;
    if (!v->is_object()) return Fail(Field(where, key), "an object");
    for (const auto& [name, count] : v->items()) {
      if (count.is_null()) continue;  // a gauge the store does not expose
      uint64_t* value = &(*out)[name];
      if (!Convert(count, value)) Fail(Field(where, key) + "." + name, TypeName(value));
    }
  }

  void ReadNumbers(const json& object, const std::string& where, const char* key,
                   std::vector<double>* out) {
    const json* v = Find(object, key);
    if (v == nullptr) return;
    if (!v->is_array()) return Fail(Field(where, key), "an array of numbers");
    for (const json& item : *v) {
      if (!Convert(item, &out->emplace_back())) {
        return Fail(Field(where, key), "an array of numbers");
      }
    }
  }

  void ReadStrings(const json& object, const std::string& where, const char* key,
                   std::vector<std::string>* out) {
    const json* v = Find(object, key);
    if (v == nullptr) return;
    if (!v->is_array()) return Fail(Field(where, key), "an array of strings");
    for (const json& item : *v) {
      if (!Convert(item, &out->emplace_back())) {
        return Fail(Field(where, key), "an array of strings");
      }
    }
  }

  // The member `key` of `object`, or nullptr when it is absent or null.
  static const json* Find(const json& object, const char* key) {
    auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
  }

  void Fail(const std::string& field, const char* want) {
    if (status_.ok()) {
      status_ = engine::Status::InvalidArgument(
          fmt::format("{}: field '{}' must be {}", path_, field, want));
    }
  }

 private:
  static std::string Field(const std::string& where, const char* key) {
    return where.empty() ? std::string(key) : where + "." + key;
  }

  std::string path_;
  engine::Status status_;
};

// summary.json's `crash`: the mode, the number of cycles and the listed ones.
void LoadCrash(const json& doc, JsonReader* r, ReportSummary* out) {
  const json* crash = JsonReader::Find(doc, "crash");
  if (crash == nullptr) return;
  if (!crash->is_object()) return r->Fail("crash", "an object");
  r->Read(*crash, "crash", "mode", &out->crash_mode);
  r->Read(*crash, "crash", "cycles", &out->crash_cycles_total);
  const json* list = JsonReader::Find(*crash, "list");
  if (list == nullptr) return;
  if (!list->is_array()) return r->Fail("crash.list", "an array");
  for (size_t i = 0; i < list->size(); i++) {
    const json& item = (*list)[i];
    const std::string where = fmt::format("crash.list[{}]", i);
    if (!item.is_object()) return r->Fail(where, "an object");
    CrashCycle& c = out->crash_cycles.emplace_back();
    r->Read(item, where, "cycle", &c.cycle);
    r->Read(item, where, "seconds", &c.seconds);
    r->Read(item, where, "mode", &c.mode);
    r->Read(item, where, "floor", &c.floor);
    r->Read(item, where, "recovered", &c.recovered);
    r->Read(item, where, "last_sequence", &c.last_sequence);
    r->Read(item, where, "lost_writes", &c.lost_writes);
    r->Read(item, where, "dropped_writes", &c.dropped_writes);
    double recovery_ms = 0;
    r->Read(item, where, "recovery_ms", &recovery_ms);
    c.recovery_seconds = recovery_ms / 1000;
    r->Read(item, where, "ok", &c.ok);
    r->Read(item, where, "kept_db", &c.kept_db);
  }
  // An older or hand-made file may lack the count: the list is then all there is.
  out->crash_cycles_total = std::max<uint64_t>(out->crash_cycles_total, out->crash_cycles.size());
}

engine::Status LoadSummary(const std::string& path, const std::string& text, ReportSummary* out) {
  json doc;
  engine::Status s = ParseJson(path, text, &doc);
  if (!s.ok()) return s;
  JsonReader r(path);
  r.Read(doc, "", "result", &out->result);
  r.Read(doc, "", "exit_code", &out->exit_code);
  r.Read(doc, "", "seed", &out->seed);
  r.Read(doc, "", "preset", &out->preset);
  if (const json* store = JsonReader::Find(doc, "store"); store != nullptr && store->is_object()) {
    out->store = store->value("name", "") + " " + store->value("version", "");
    r.ReadStrings(*store, "store", "not_exposed", &out->not_exposed);
  }
  r.Read(doc, "", "mutant", &out->mutant);
  r.Read(doc, "", "duration_s", &out->duration_seconds);
  r.Read(doc, "", "repro", &out->repro);
  r.Read(doc, "", "error", &out->error);
  r.Read(doc, "", "violations", &out->violations);
  r.Read(doc, "", "peak_rss_bytes", &out->peak_rss_bytes);
  r.ReadCounters(doc, "", "ops", &out->ops);
  r.ReadCounters(doc, "", "checks", &out->checks);
  r.ReadCounters(doc, "", "engine", &out->engine);
  if (const json* faults = JsonReader::Find(doc, "faults")) {
    if (!faults->is_object()) {
      r.Fail("faults", "an object");
      return r.status();
    }
    r.Read(*faults, "faults", "injected_total", &out->faults_injected_total);
    if (const json* by_action = JsonReader::Find(*faults, "by_point_action")) {
      if (!by_action->is_object()) {
        r.Fail("faults.by_point_action", "an object");
        return r.status();
      }
      for (const auto& [point, actions] : by_action->items()) {
        r.ReadCounters(*by_action, "faults.by_point_action", point.c_str(),
                       &out->faults_by_point_action[point]);
      }
    } else {
      std::map<std::string, uint64_t> by_point;
      r.ReadCounters(*faults, "faults", "by_point", &by_point);
      for (const auto& [point, fires] : by_point) out->faults_by_point_action[point]["any"] = fires;
    }
  }
  if (const json* coverage = JsonReader::Find(doc, "coverage")) {
    if (!coverage->is_object()) {
      r.Fail("coverage", "an object");
      return r.status();
    }
    r.ReadCounters(*coverage, "coverage", "reactions", &out->coverage_reactions);
    if (const json* expected = JsonReader::Find(*coverage, "expect_reached")) {
      if (!expected->is_array()) {
        r.Fail("coverage.expect_reached", "an array");
        return r.status();
      }
      for (const json& e : *expected) {
        if (!e.is_object() || !e.contains("pair") || !e["pair"].is_string() ||
            !e.contains("fires") || !e["fires"].is_number_unsigned()) {
          r.Fail("coverage.expect_reached", "a list of {pair, fires}");
          return r.status();
        }
        out->expect_reached.emplace_back(e["pair"].get<std::string>(), e["fires"].get<uint64_t>());
      }
    }
  }
  if (const json* q = JsonReader::Find(doc, "quiescence")) {
    if (!q->is_object()) {
      r.Fail("quiescence", "an object");
      return r.status();
    }
    r.Read(*q, "quiescence", "points", &out->quiescence_points);
    r.Read(*q, "quiescence", "longest_s", &out->quiescence_longest_seconds);
    r.ReadNumbers(*q, "quiescence", "at_seconds", &out->quiescence_seconds);
    if (const json* failed = JsonReader::Find(*q, "with_violations")) {
      if (!failed->is_array())
        r.Fail("quiescence.with_violations", "an array");
      else
        out->quiescence_points_with_violations = failed->size();
    }
  }
  LoadCrash(doc, &r, out);
  if (const json* p = JsonReader::Find(doc, "postmortem"); p != nullptr && p->is_object()) {
    ReportPostmortem& pm = out->postmortem;
    r.Read(*p, "postmortem", "step", &pm.step);
    r.Read(*p, "postmortem", "seconds_without_progress", &pm.seconds_without_progress);
    r.Read(*p, "postmortem", "signal_name", &pm.signal_name);
    r.Read(*p, "postmortem", "last_progress", &pm.last_progress);
    r.Read(*p, "postmortem", "stacks", &pm.stacks);
    r.Read(*p, "postmortem", "stacks_source", &pm.stacks_source);
    r.Read(*p, "postmortem", "top_frames", &pm.top_frames);
    if (const json* ops = JsonReader::Find(*p, "in_flight"); ops != nullptr && ops->is_array()) {
      for (const json& op : *ops) {
        if (op.is_string()) pm.in_flight.push_back(op.get<std::string>());
      }
    }
  }
  if (out->result.empty()) r.Fail("result", "a non-empty string");
  return r.status();
}

engine::Status LoadViolations(const std::string& path, const std::string& text, RunReport* out) {
  json doc;
  engine::Status s = ParseJson(path, text, &doc);
  if (!s.ok()) return s;
  JsonReader r(path);
  r.Read(doc, "", "violations_total", &out->violations_total);
  const json* list = JsonReader::Find(doc, "violations");
  if (list == nullptr) return r.status();
  if (!list->is_array()) {
    r.Fail("violations", "an array");
    return r.status();
  }
  for (size_t i = 0; i < list->size(); i++) {
    const json& item = (*list)[i];
    const std::string where = fmt::format("violations[{}]", i);
    if (!item.is_object()) {
      r.Fail(where, "an object");
      break;
    }
    Violation& v = out->violations.emplace_back();
    r.Read(item, where, "kind", &v.kind);
    r.Read(item, where, "message", &v.message);
    r.Read(item, where, "op", &v.op);
    r.Read(item, where, "key", &v.key);
    r.Read(item, where, "expected", &v.expected);
    r.Read(item, where, "observed", &v.observed);
    r.Read(item, where, "read_sequence", &v.read_sequence);
    r.Read(item, where, "lower_bound", &v.lower_bound);
    r.Read(item, where, "upper_bound", &v.upper_bound);
    r.Read(item, where, "key_history", &v.key_history);
    r.Read(item, where, "key_locations", &v.key_locations);
    r.Read(item, where, "step", &v.step);
    r.Read(item, where, "thread", &v.thread);
    r.ReadStrings(item, where, "thread_recent_ops", &v.thread_recent_ops);
    r.Read(item, where, "seconds", &v.seconds);
  }
  // An older violations.json may lack the total; the list is then all there is.
  out->violations_total = std::max<uint64_t>(out->violations_total, out->violations.size());
  return r.status();
}

// Splits `text` into lines (without "\n" or a trailing "\r"), calling `line(number, view)` for
// each non-empty one until it returns a non-ok Status.
template <typename LineFn>
engine::Status ForEachLine(std::string_view text, LineFn line) {
  size_t number = 0;
  while (!text.empty()) {
    number++;
    const size_t end = text.find('\n');
    std::string_view current = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!current.empty() && current.back() == '\r') current.remove_suffix(1);
    if (current.empty()) continue;
    engine::Status s = line(number, current);
    if (!s.ok()) return s;
  }
  return engine::Status::Ok();
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> fields;
  while (true) {
    const size_t end = text.find(separator);
    fields.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return fields;
    text.remove_prefix(end + 1);
  }
}

// A finite decimal number filling all of `text`.
bool ParseNumber(std::string_view text, double* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

engine::Status LoadTimeseries(const std::string& path, const std::string& text,
                              ReportTimeseries* out) {
  // A day-long soak has 345,600 rows: sizing the columns up front keeps memory at the data's size.
  const size_t rows_max = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  std::vector<std::vector<double>*> targets;  // in header order
  return ForEachLine(text, [&](size_t number, std::string_view line) {
    const std::vector<std::string_view> fields = Split(line, ',');
    if (out->names.empty()) {
      for (std::string_view name : fields) {
        if (name.empty() || out->columns.count(std::string(name)) != 0) {
          return engine::Status::InvalidArgument(
              fmt::format("{}: line {}: empty or repeated column name '{}'", path, number, name));
        }
        out->names.emplace_back(name);
        targets.push_back(&out->columns[std::string(name)]);
        targets.back()->reserve(rows_max);
      }
      if (out->columns.count("seconds") == 0) {
        return engine::Status::InvalidArgument(path + ": line 1: no 'seconds' column");
      }
      return engine::Status::Ok();
    }
    if (fields.size() != out->names.size()) {
      return engine::Status::InvalidArgument(
          fmt::format("{}: line {}: {} fields, the header has {}", path, number, fields.size(),
                      out->names.size()));
    }
    for (size_t i = 0; i < fields.size(); i++) {
      // An empty cell: a gauge the store does not expose (no point is drawn).
      double value = std::numeric_limits<double>::quiet_NaN();
      if (!fields[i].empty() && !ParseNumber(fields[i], &value)) {
        return engine::Status::InvalidArgument(
            fmt::format("{}: line {}: column '{}': '{}' is not a number", path, number,
                        out->names[i], fields[i]));
      }
      targets[i]->push_back(value);
    }
    return engine::Status::Ok();
  });
}

// faults.log lines read "<seconds> op=<n> point=<name> hit=<n> action=<name>"; only the time is
// drawn (the per-point table comes from summary.json), but a line without a point is malformed.
engine::Status LoadFaultLog(const std::string& path, const std::string& text,
                            std::vector<double>* fire_seconds) {
  return ForEachLine(text, [&](size_t number, std::string_view line) {
    const std::vector<std::string_view> fields = Split(line, ' ');
    double seconds = 0;
    if (!ParseNumber(fields[0], &seconds) || seconds < 0) {
      return engine::Status::InvalidArgument(
          fmt::format("{}: line {}: '{}' is not a time in seconds", path, number, fields[0]));
    }
    const bool has_point = std::any_of(fields.begin() + 1, fields.end(), [](std::string_view f) {
      return f.starts_with("point=") && f.size() > 6;
    });
    if (!has_point) {
      return engine::Status::InvalidArgument(
          fmt::format("{}: line {}: no point=NAME", path, number));
    }
    fire_seconds->push_back(seconds);
    return engine::Status::Ok();
  });
}
// ---------------------------------------------------------------------------------------------
// Formatting the page's own facts (the charts' numbers are spelled by svg_chart.h).

std::string FormatDuration(double seconds) {
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  if (seconds < 120) return fmt::format("{:.1f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

uint64_t CountOr0(const std::map<std::string, uint64_t>& counters, const std::string& name) {
  auto it = counters.find(name);
  return it == counters.end() ? 0 : it->second;
}

// The moments every chart marks with lines, besides the quiescence points (summary.json has them
// as a list of times already).
struct EventSeconds {
  std::vector<double> violations;
  std::vector<double> crashes_recovered;
  std::vector<double> crashes_failed;

  explicit EventSeconds(const RunReport& report) {
    for (const Violation& v : report.violations) violations.push_back(v.seconds);
    for (const CrashCycle& c : report.summary.crash_cycles) {
      (c.ok ? crashes_recovered : crashes_failed).push_back(c.seconds);
    }
  }
};

// The end of the time axis every chart of the page shares: far enough for the run's duration,
// every sample, fault fire, violation, crash and quiescence point, so no marker falls off the right
// edge.
double TimeEndSeconds(const RunReport& report, const EventSeconds& events) {
  double end = report.summary.duration_seconds;
  for (double t : report.summary.quiescence_seconds) end = std::max(end, t);
  if (const std::vector<double>* seconds = report.timeseries.Column("seconds")) {
    for (double t : *seconds) end = std::max(end, t);
  }
  for (double t : report.fault_fire_seconds) end = std::max(end, t);
  for (const std::vector<double>* kind :
       {&events.violations, &events.crashes_recovered, &events.crashes_failed}) {
    for (double t : *kind) end = std::max(end, t);
  }
  return end > 0 ? end : 1;
}

// `spec`'s chart over `report`; a column the file lacks (an older run directory) leaves its series
// out. The Chart points into `report` and `events`, which must outlive it.
Chart MakeChart(const ChartSpec& spec, const RunReport& report, const EventSeconds& events,
                double time_end_seconds) {
  Chart chart;
  chart.id = spec.id;
  chart.title = spec.title;
  chart.unit = spec.bytes ? ChartUnit::kBytes : ChartUnit::kCount;
  chart.log_scale = spec.log_scale;
  chart.time_end_seconds = time_end_seconds;
  chart.series_points_max = kReportSeriesPointsMax;
  chart.fault_fire_seconds = report.fault_fire_seconds;
  chart.events = {{"violation", "violations", events.violations},
                  {"quiescence", "quiescence points", report.summary.quiescence_seconds},
                  {"crash", "crash cycles (recovered)", events.crashes_recovered},
                  {"crash-failed", "crash cycles (recovery failed)", events.crashes_failed}};
  chart.no_data_text = "No data for this chart in timeseries.csv.";
  const std::vector<double>* seconds = report.timeseries.Column("seconds");
  for (const SeriesSpec& series : spec.series) {
    const std::vector<double>* values = report.timeseries.Column(series.column);
    if (seconds == nullptr || values == nullptr) continue;
    chart.series.push_back(
        {series.column, series.label, series.color, series.dashed, *seconds, *values});
  }
  return chart;
}

// ---------------------------------------------------------------------------------------------
// The page.

std::string RenderFact(const std::string& name, const std::string& value) {
  return fmt::format("<div><dt>{}</dt><dd>{}</dd></div>", EscapeHtml(name), EscapeHtml(value));
}

std::string RenderRunHeader(const RunReport& report) {
  const ReportSummary& s = report.summary;
  uint64_t ops = 0;
  for (const char* kind : {"put", "delete", "batch", "get", "scan", "snapshot_get"}) {
    ops += CountOr0(s.ops, kind);
  }
  std::string html = fmt::format(
      "<header class=\"run-header result-{}\" id=\"run-header\" data-result=\"{}\">"
      "<h1>vstress run <span class=\"badge\" id=\"result\">{}</span></h1><dl class=\"facts\">",
      s.result == "pass" ? "pass" : "fail", EscapeHtml(s.result), EscapeHtml(s.result));
  html += RenderFact("seed", std::to_string(s.seed));
  html += RenderFact("preset", s.preset.empty() ? "(config file)" : s.preset);
  if (!s.store.empty()) html += RenderFact("store", s.store);
  if (!s.mutant.empty()) html += RenderFact("mutant", s.mutant);
  html += RenderFact("duration", FormatDuration(s.duration_seconds));
  html += RenderFact("exit code", std::to_string(s.exit_code));
  html += RenderFact("ops", FormatCount(ops));
  html += RenderFact("reads checked", FormatCount(CountOr0(s.checks, "reads_checked")));
  html += RenderFact("snapshot reads checked",
                     FormatCount(CountOr0(s.checks, "snapshot_reads_checked")));
  html += RenderFact("scan keys checked", FormatCount(CountOr0(s.checks, "scan_keys_checked")));
  html += RenderFact("violations", FormatCount(s.violations));
  html += RenderFact("faults injected", FormatCount(s.faults_injected_total));
  const bool versions_absent = std::find(s.not_exposed.begin(), s.not_exposed.end(),
                                         "live_versions") != s.not_exposed.end();
  html += RenderFact("max live Versions",
                     versions_absent ? std::string("not exposed by this store")
                                     : FormatCount(CountOr0(s.engine, "max_live_versions")));
  html += RenderFact("peak RSS", FormatBytes(static_cast<double>(s.peak_rss_bytes)));
  html += "</dl>";
  if (!s.error.empty()) html += "<p class=\"error\">" + EscapeHtml(s.error) + "</p>";
  html += "<h3>Reproduce</h3><pre class=\"repro\" id=\"repro\">" + EscapeHtml(s.repro) + "</pre>";
  return html + "</header>" + RenderPostmortem(s.postmortem);
}

std::string RenderCharts(const RunReport& report) {
  std::string html = "<section id=\"charts\"><h2>Over time</h2>";
  if (report.timeseries.names.empty()) {
    return html + "<p class=\"no-data\">This run directory has no timeseries.csv.</p></section>";
  }
  const EventSeconds events(report);
  const double time_end_seconds = TimeEndSeconds(report, events);
  html += "<div class=\"charts\">";
  const std::vector<std::string>& absent = report.summary.not_exposed;
  for (const ChartSpec& spec : ChartSpecs()) {
    const std::string column = spec.series.front().column;
    if (std::find(absent.begin(), absent.end(), column) != absent.end()) {
      html += fmt::format(
          "<figure class=\"chart not-exposed\" id=\"chart-{}\"><figcaption>{}</figcaption>"
          "<p class=\"no-data\">Not exposed by this store ({}).</p></figure>",
          spec.id, EscapeHtml(spec.title), EscapeHtml(report.summary.store));
      continue;
    }
    html += RenderSvgChart(MakeChart(spec, report, events, time_end_seconds));
  }
  return html + "</div></section>";
}

std::string RenderCounterTable(const std::string& title,
                               const std::map<std::string, uint64_t>& counters) {
  std::string html = fmt::format("<div class=\"table-wrap\"><table><caption>{}</caption><tbody>",
                                 EscapeHtml(title));
  for (const auto& [name, value] : counters) {
    html += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td></tr>", EscapeHtml(name),
                        FormatCount(value));
  }
  return html + "</tbody></table></div>";
}

// What the quiescence points did, in one paragraph (each is also a line on the charts).
std::string RenderQuiescence(const ReportSummary& s) {
  if (s.quiescence_points == 0) return "<p id=\"quiescence\">No quiescence point ran.</p>";
  return fmt::format(
      "<p id=\"quiescence\" data-points=\"{}\">{} quiescence point{} (the last at the end of the "
      "run): each paused every client, drained background work, compared the whole DB with the "
      "oracle, checked the at-rest invariants and reopened the DB. The longest took {}; {} found a "
      "violation.</p>",
      s.quiescence_points, FormatCount(s.quiescence_points), s.quiescence_points == 1 ? "" : "s",
      FormatDuration(s.quiescence_longest_seconds),
      s.quiescence_points_with_violations == 0 ? std::string("none")
                                               : FormatCount(s.quiescence_points_with_violations));
}

std::string RenderTotals(const RunReport& report) {
  const ReportSummary& s = report.summary;
  return "<section id=\"totals\"><h2>Totals</h2>" + RenderQuiescence(s) + "<div class=\"tables\">" +
         RenderCounterTable("ops", s.ops) + RenderCounterTable("checks", s.checks) +
         RenderCounterTable("engine", s.engine) + "</div></section>";
}

std::string RenderFaultTable(const RunReport& report) {
  const ReportSummary& s = report.summary;
  std::string html = "<section id=\"faults\"><h2>Fault fires</h2>";
  if (s.faults_by_point_action.empty()) {
    return html + "<p>No fault rules.</p></section>";
  }
  html +=
      "<div class=\"table-wrap\"><table id=\"fault-table\"><thead><tr><th>point</th>"
      "<th>action</th><th class=\"num\">fires</th></tr></thead><tbody>";
  uint64_t total = 0;
  for (const auto& [point, actions] : s.faults_by_point_action) {
    // A point whose rules never fired still gets a row: that a rule never fired is worth seeing.
    if (actions.empty()) {
      html +=
          fmt::format("<tr><td>{}</td><td>-</td><td class=\"num\">0</td></tr>", EscapeHtml(point));
    }
    for (const auto& [action, fires] : actions) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                          EscapeHtml(point), EscapeHtml(action), FormatCount(fires));
      total += fires;
    }
  }
  html += fmt::format(
      "</tbody><tfoot><tr><th colspan=\"2\">total</th><td class=\"num\">{}</td>"
      "</tr></tfoot></table></div>",
      FormatCount(total));
  return html + RenderCoverageTables(s.coverage_reactions, s.expect_reached) + "</section>";
}

std::string RenderViolation(size_t index, const Violation& v) {
  std::string html = fmt::format(
      "<article class=\"violation\" id=\"violation-{}\"><h3>#{} {}: {}</h3><dl class=\"kv\">",
      index + 1, index + 1, EscapeHtml(v.kind), EscapeHtml(v.message));
  const std::pair<const char*, std::string> fields[] = {
      {"op", v.op},
      {"key", v.key},
      {"expected", v.expected},
      {"observed", v.observed},
      {"read sequence", std::to_string(v.read_sequence)},
      {"allowed sequences", fmt::format("[{}, {}]", v.lower_bound, v.upper_bound)},
      {"thread", v.thread},
      {"time", fmt::format("{:.3f} s", v.seconds)},
      {"step", v.step == 0 ? std::string("-") : fmt::format("#{} (history.log)", v.step)},
  };
  for (const auto& [name, value] : fields) {
    html += fmt::format("<dt>{}</dt><dd>{}</dd>", name, EscapeHtml(value));
  }
  html += "</dl>";
  if (!v.key_history.empty()) {
    html += "<h4>The oracle's versions of the key</h4><pre class=\"key-history\">" +
            EscapeHtml(v.key_history) + "</pre>";
  }
  if (!v.key_locations.empty()) {
    html +=
        "<h4>Where the key lives in the engine (when the violation was seen)</h4>"
        "<pre class=\"key-locations\">" +
        EscapeHtml(v.key_locations) + "</pre>";
  }
  if (!v.thread_recent_ops.empty()) {
    std::string ops;
    for (const std::string& op : v.thread_recent_ops) ops += EscapeHtml(op) + "\n";
    html +=
        "<h4>The thread's last ops, oldest first</h4><pre class=\"recent-ops\">" + ops + "</pre>";
  }
  return html + "</article>";
}

std::string RenderViolations(const RunReport& report) {
  std::string html = "<section id=\"violations\"><h2>Violations</h2>";
  if (report.violations_total == 0) return html + "<p>None.</p></section>";
  if (report.violations.size() < report.violations_total) {
    html += fmt::format("<p>Showing the first {} of {} violations.</p>", report.violations.size(),
                        report.violations_total);
  }
  for (size_t i = 0; i < report.violations.size(); i++) {
    html += RenderViolation(i, report.violations[i]);
  }
  return html + "</section>";
}

std::string RenderConfig(const RunReport& report) {
  std::string html = "<section id=\"config\"><h2>Effective config</h2>";
  if (report.config_toml.empty()) return html + "<p>No config.toml.</p></section>";
  return html + "<pre class=\"config\">" + EscapeHtml(report.config_toml) + "</pre></section>";
}

}  // namespace

const std::vector<double>* ReportTimeseries::Column(const std::string& name) const {
  auto it = columns.find(name);
  return it == columns.end() ? nullptr : &it->second;
}

engine::Status LoadRunFile(RunFile file, const std::string& path, const std::string& text,
                           RunReport* out) {
  switch (file) {
    case RunFile::kSummary:
      return LoadSummary(path, text, &out->summary);
    case RunFile::kTimeseries:
      return LoadTimeseries(path, text, &out->timeseries);
    case RunFile::kFaultLog:
      return LoadFaultLog(path, text, &out->fault_fire_seconds);
    case RunFile::kViolations:
      return LoadViolations(path, text, out);
  }
  return engine::Status::InvalidArgument(path + ": not a run file");
}

engine::Status LoadRunDirectory(const std::string& dir, RunReport* out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return engine::Status::NotFound(dir + ": no such directory");
  *out = RunReport();
  out->run_dir = dir;
  std::string text;
  engine::Status s = ReadWholeFile(PathIn(dir, "summary.json"), &text);
  if (s.ok()) s = LoadRunFile(RunFile::kSummary, PathIn(dir, "summary.json"), text, out);
  // The other files are optional: an older or a crashed run may lack them.
  for (const auto& [file, name] : {std::pair{RunFile::kTimeseries, "timeseries.csv"},
                                   {RunFile::kFaultLog, "faults.log"},
                                   {RunFile::kViolations, "violations.json"}}) {
    bool present = false;
    if (s.ok()) s = ReadOptionalFile(PathIn(dir, name), &text, &present);
    if (s.ok() && present) s = LoadRunFile(file, PathIn(dir, name), text, out);
  }
  bool present = false;
  if (s.ok()) s = ReadOptionalFile(PathIn(dir, "config.toml"), &out->config_toml, &present);
  return s;
}

std::string RenderHtmlReport(const RunReport& report) {
  const ReportSummary& s = report.summary;
  std::string title = fmt::format("vstress {}: {} seed {}", s.result,
                                  s.preset.empty() ? "config" : s.preset, s.seed);
  if (!s.mutant.empty()) title += " mutant " + s.mutant;
  std::string html = HtmlPageStart(title);
  html += RenderRunHeader(report);
  html += RenderCharts(report);
  html += RenderViolations(report);
  html += RenderCrashSection(s.crash_mode, s.crash_cycles_total, s.crash_cycles);
  html += RenderFaultTable(report);
  html += RenderTotals(report);
  html += RenderConfig(report);
  return html + HtmlPageEnd("vstress report " + ShellQuote(report.run_dir));
}

engine::Status WriteHtmlReport(const std::string& run_dir) {
  RunReport report;
  engine::Status s = LoadRunDirectory(run_dir, &report);
  if (!s.ok()) return s;
  return WriteFileAtomically(PathIn(run_dir, "report.html"), RenderHtmlReport(report));
}

}  // namespace reports
