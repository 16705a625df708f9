#include "reports/run_files.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/file_system.h"
#include "reports/failure_signature.h"

namespace reports {
namespace {

using nlohmann::json;

// A gauge the store does not expose is null: absent, not 0.
json GaugeJson(const EngineSummary& e, std::string_view gauge, uint64_t value) {
  return e.Exposes(gauge) ? json(value) : json(nullptr);
}

json EngineJson(const EngineSummary& e) {
  return {
      {"max_live_versions", GaugeJson(e, "live_versions", e.max_live_versions)},
      {"final_live_versions", GaugeJson(e, "live_versions", e.final_live_versions)},
      {"max_deferred_deletions", GaugeJson(e, "deferred_deletions", e.max_deferred_deletions)},
      {"final_deferred_deletions", GaugeJson(e, "deferred_deletions", e.final_deferred_deletions)},
      {"files_deleted", e.files_deleted},
      {"compactions", e.compactions},
      {"flushes", e.flushes},
      {"version_installs", e.version_installs},
      {"background_errors", e.background_errors},
      {"background_retries", e.background_retries},
      {"max_deepest_level", e.max_deepest_level}};
}

json ViolationJson(const Violation& v) {
  return {{"kind", v.kind},
          {"message", v.message},
          {"op", v.op},
          {"key", v.key},
          {"expected", v.expected},
          {"observed", v.observed},
          {"read_sequence", v.read_sequence},
          {"lower_bound", v.lower_bound},
          {"upper_bound", v.upper_bound},
          {"key_history", v.key_history},
          {"key_locations", v.key_locations},
          {"step", v.step},
          {"thread", v.thread},
          {"thread_recent_ops", v.thread_recent_ops},
          {"seconds", v.seconds}};
}

// Every point's time (rounded to ms, so a day-long run's list stays small), the longest, and the
// ones that found a violation in full.
json QuiescenceJson(const std::vector<QuiescencePoint>& points) {
  json at = json::array();
  json failed = json::array();
  double longest = 0;
  uint64_t reopens = 0;
  uint64_t reopens_replaying_wal = 0;
  for (const QuiescencePoint& p : points) {
    at.push_back(std::round(p.seconds * 1000) / 1000);
    longest = std::max(longest, p.duration_seconds);
    reopens += p.reopened ? 1 : 0;
    reopens_replaying_wal += p.wal_batches_replayed > 0 ? 1 : 0;
    if (p.violations > 0) {
      failed.push_back({{"seconds", p.seconds},
                        {"when", p.when},
                        {"sequence", p.sequence},
                        {"background_error", p.background_error},
                        {"violations", p.violations}});
    }
  }
  return {{"points", points.size()},
          {"reopens", reopens},
          {"reopens_replaying_wal", reopens_replaying_wal},
          {"longest_s", longest},
          {"at_seconds", at},
          {"with_violations", failed}};
}

// The q-quantile of `values` (sorted here), 0 for none.
double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

// Which (point, action) pairs fired, what the engine did about them, and whether every pair the
// workload expects to fire did.
json CoverageJson(const RunInfo& info, const RunOutcome& outcome) {
  json fired = json::object();
  for (const auto& [point, by_action] : info.faults_by_point_action) {
    for (const auto& [action, n] : by_action) {
      if (n > 0) fired[point + ":" + action] = n;
    }
  }
  const auto count = [](const std::map<std::string, uint64_t>& m, const char* key) {
    auto it = m.find(key);
    return it == m.end() ? uint64_t{0} : it->second;
  };
  uint64_t recovered = 0;
  for (const CrashCycle& c : outcome.crash_cycles) recovered += c.ok ? 1 : 0;
  json expected = json::array();
  for (const std::string& pair : info.expect_reached) {
    const uint64_t n = info.FiresOf(pair);
    expected.push_back({{"pair", pair}, {"fires", n}, {"reached", n > 0}});
  }
  return {{"fired", fired},
          {"reactions",
           {{"error_returned", count(outcome.ops, "errors_injected")},
            {"retried", outcome.engine.background_retries},
            {"background_error", outcome.engine.background_errors},
            {"reopened", outcome.reopens_after_background_error},
            {"resumed", outcome.resumes_after_background_error},
            {"open_failed_then_opened", count(outcome.checks, "initial_open_failures")},
            {"crash_recovered", recovered}}},
          {"expect_reached", expected}};
}

// Every crash cycle's recovery, summed up; the first kCrashCyclesListedMax in full.
json CrashJson(const RunOutcome& outcome) {
  constexpr size_t kCrashCyclesListedMax = 1000;
  uint64_t recovered = 0;
  uint64_t lost = 0;
  uint64_t dropped = 0;
  std::vector<double> recovery_ms;
  std::map<std::string, uint64_t> by_mode;
  json cycles = json::array();
  for (const CrashCycle& c : outcome.crash_cycles) {
    recovered += c.ok ? 1 : 0;
    lost += c.lost_writes;
    dropped += c.dropped_writes;
    recovery_ms.push_back(c.recovery_seconds * 1000);
    by_mode[c.mode]++;
    if (cycles.size() < kCrashCyclesListedMax) {
      cycles.push_back({{"cycle", c.cycle},
                        {"seconds", c.seconds},
                        {"mode", c.mode},
                        {"floor", c.floor},
                        {"recovered", c.recovered},
                        {"last_sequence", c.last_sequence},
                        {"lost_writes", c.lost_writes},
                        {"dropped_writes", c.dropped_writes},
                        {"recovery_ms", c.recovery_seconds * 1000},
                        {"ok", c.ok},
                        {"kept_db", c.kept_db},
                        {"recovery_io_hits", c.recovery_io_hits},
                        {"recovery_fault", c.recovery_fault}});
    }
  }
  return {
      {"mode", outcome.crash_mode},
      {"cycles", outcome.crash_cycles.size()},
      {"by_mode", by_mode},
      {"recovered", recovered},
      {"lost_acknowledged_writes", lost},
      {"dropped_unsynced_writes", dropped},
      {"recovery_ms",
       {{"p50", Quantile(recovery_ms, 0.5)},
        {"p99", Quantile(recovery_ms, 0.99)},
        {"max",
         recovery_ms.empty() ? 0.0 : *std::max_element(recovery_ms.begin(), recovery_ms.end())}}},
      {"reopens_after_background_error", outcome.reopens_after_background_error},
      {"resumes_after_background_error", outcome.resumes_after_background_error},
      {"list", cycles}};
}

}  // namespace

uint64_t RunInfo::FiresOf(const std::string& pair) const {
  const size_t colon = pair.rfind(':');
  if (colon == std::string::npos) return 0;
  const auto point = faults_by_point_action.find(pair.substr(0, colon));
  if (point == faults_by_point_action.end()) return 0;
  const auto fires = point->second.find(pair.substr(colon + 1));
  return fires == point->second.end() ? 0 : fires->second;
}

engine::FileSystem* RealFileSystem() {
  static const std::shared_ptr<engine::FileSystem> fs = engine::NewPosixFileSystem();
  return fs.get();
}

engine::Status ReadFile(const std::string& path, std::string* contents) {
  return engine::ReadFileToString(RealFileSystem(), path, contents);
}

engine::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string dir = engine::ParentDir(path);
  return engine::WriteFileAtomically(RealFileSystem(), dir.empty() ? "." : dir, path, contents);
}

nlohmann::ordered_json PostmortemJson(const Postmortem& p) {
  nlohmann::ordered_json j;
  if (p.step != 0) j["step"] = p.step;
  j["in_flight"] = p.in_flight;
  if (p.signal != 0) {
    j["signal"] = p.signal;
    const char* name = sigabbrev_np(p.signal);
    j["signal_name"] =
        name == nullptr ? fmt::format("signal {}", p.signal) : fmt::format("SIG{}", name);
  } else {
    j["seconds_without_progress"] = p.seconds_without_progress;
  }
  if (!p.last_progress.empty()) j["last_progress"] = p.last_progress;
  j["stacks"] = p.stacks.empty() ? "" : kStacksFile;
  j["stacks_source"] = p.stacks_source.empty() ? "none" : p.stacks_source;
  j["top_frames"] = TopFramesOfStacks(p.stacks);
  return j;
}

engine::Status WriteSummaryJson(const std::string& path, const RunInfo& info,
                                const RunOutcome& outcome) {
  json faults = {{"injected_total", info.faults_injected_total},
                 {"by_point", info.faults_by_point},
                 {"hits_by_point", info.fault_hits_by_point},
                 {"by_point_action", info.faults_by_point_action}};
  json summary = {{"result", outcome.result},
                  {"exit_code", outcome.exit_code},
                  {"seed", info.seed},
                  {"preset", info.preset},
                  {"store",
                   {{"name", info.store},
                    {"version", info.store_version},
                    {"not_exposed", outcome.engine.not_exposed}}},
                  {"mutant", info.mutant},
                  {"duration_s", outcome.duration_seconds},
                  {"ops", outcome.ops},
                  {"checks", outcome.checks},
                  {"violations", outcome.violation_count},
                  {"engine", EngineJson(outcome.engine)},
                  {"faults", faults},
                  {"repro", info.repro},
                  {"peak_rss_bytes", outcome.peak_rss_bytes}};
  if (!outcome.error.empty()) summary["error"] = outcome.error;
  if (outcome.postmortem) summary["postmortem"] = PostmortemJson(*outcome.postmortem);
  summary["quiescence"] = QuiescenceJson(outcome.quiescence_points);
  summary["driver"] = info.driver;
  summary["coverage"] = CoverageJson(info, outcome);
  if (!outcome.crash_cycles.empty() || info.driver == "crash" ||
      outcome.reopens_after_background_error > 0 || outcome.resumes_after_background_error > 0) {
    summary["crash"] = CrashJson(outcome);
  }
  if (info.sim) {
    summary["sim"] = {{"schedule", info.sim->schedule},
                      {"steps", info.sim->steps},
                      {"trace_hash", fmt::format("{:016x}", info.sim->trace_hash)},
                      {"first_violation_step", info.sim->first_violation_step},
                      {"history_first_step", info.sim->history_first_step},
                      {"determinism_checked", info.sim->determinism_checked},
                      {"wall_s", info.sim->wall_seconds},
                      {"ended_on_wall_clock", info.sim->ended_on_wall_clock}};
  }
  return WriteFileAtomically(path, summary.dump(2) + "\n");
}

engine::Status WriteViolationsJson(const std::string& path, const RunOutcome& outcome) {
  json list = json::array();
  for (const auto& v : outcome.violations) list.push_back(ViolationJson(v));
  json doc = {{"violations_total", outcome.violation_count}, {"violations", list}};
  return WriteFileAtomically(path, doc.dump(2) + "\n");
}

std::string TimeseriesCsvHeader() {
  std::string header = "seconds,ops_per_second";
  for (auto op : kOpKindNames) header += fmt::format(",{}_per_second", op);
  header +=
      ",reads_checked,live_versions,deferred_deletions,deferred_deletion_bytes,"
      "oldest_version_age_seconds,faults_fired,violations,rss_bytes";
  for (auto op : kOpKindNames) header += fmt::format(",{}_p50_us,{}_p99_us", op, op);
  return header + "\n";
}

engine::Status WriteTimeseriesCsv(const std::string& path, const RunOutcome& outcome) {
  std::string csv = TimeseriesCsvHeader();
  for (const Sample& s : outcome.samples) {
    double total = 0;
    for (double rate : s.ops_per_second) total += rate;
    csv += fmt::format("{:.3f},{:.0f}", s.seconds, total);
    for (double rate : s.ops_per_second) csv += fmt::format(",{:.0f}", rate);
    // A gauge the store does not expose is an empty cell.
    const auto gauge = [&outcome](std::string_view name, std::string value) {
      return outcome.engine.Exposes(name) ? value : std::string();
    };
    csv += fmt::format(
        ",{},{},{},{},{},{},{},{}", s.reads_checked,
        gauge("live_versions", std::to_string(s.live_versions)),
        gauge("deferred_deletions", std::to_string(s.deferred_deletions)),
        gauge("deferred_deletion_bytes", std::to_string(s.deferred_deletion_bytes)),
        gauge("oldest_version_age_seconds", fmt::format("{:.3f}", s.oldest_version_age_seconds)),
        s.faults_fired, s.violations, s.rss_bytes);
    for (size_t i = 0; i < kOpKindCount; i++) {
      csv += fmt::format(",{:.1f},{:.1f}", s.p50_seconds[i] * 1e6, s.p99_seconds[i] * 1e6);
    }
    csv += "\n";
  }
  return WriteFileAtomically(path, csv);
}

std::string DefaultRunDir(std::string_view kind) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("runs/{}-{:%Y%m%dT%H%M%S}Z", kind, now);
}

std::string ShellQuote(std::string_view text) {
  // ASCII only, whatever the locale says is a letter.
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("/._-+=:,@%").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(text);
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace reports
