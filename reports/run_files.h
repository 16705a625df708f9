// The machine-readable files of a run directory: summary.json and violations.json.
//
// summary.json has the fields shared/DESIGN.md lists (result, exit_code, seed, preset, duration_s,
// ops, checks, violations, engine, faults, repro) plus peak_rss_bytes and mutant. Each file is
// written with engine::WriteFileAtomically, so a reader never sees half a file.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "reports/run_record.h"

namespace reports {

// A simulated run's own facts (summary.json's `sim`).
struct SimSummary {
  std::string schedule;
  uint64_t steps = 0;
  uint64_t trace_hash = 0;
  uint64_t first_violation_step = 0;
  uint64_t history_first_step = 1;  // history.log starts here (1: it is complete)
  bool determinism_checked = false;
  double wall_seconds = 0;  // how long the simulation took (its own clock is simulated)
  // A store with its own threads: the run ended at its wall-clock budget, not its duration.
  bool ended_on_wall_clock = false;
};

// What a run was, as opposed to what happened (RunOutcome).
struct RunInfo {
  std::string driver = "run";  // run | sim
  uint64_t seed = 0;
  std::string preset;
  std::string store = "vstress";  // the engine under test, and its library's version
  std::string store_version;
  std::string mutant;  // empty: the correct engine
  std::string repro;   // a command that replays the run
  std::string run_dir;
  uint64_t faults_injected_total = 0;
  std::map<std::string, uint64_t> faults_by_point;      // point -> fires
  std::map<std::string, uint64_t> fault_hits_by_point;  // point -> hits (points a rule names)
  std::map<std::string, std::map<std::string, uint64_t>> faults_by_point_action;
  std::optional<SimSummary> sim;
  // POINT:ACTION pairs the workload expects to fire (expect_reached).
  std::vector<std::string> expect_reached;

  // How often the pair "POINT:ACTION" fired (0: never, or not a pair).
  uint64_t FiresOf(const std::string& pair) const;
};

// Where a run's postmortem keeps every thread's stack, beside summary.json.
inline constexpr const char* kStacksFile = "stacks.txt";

// summary.json's `postmortem` section: step, in_flight, seconds_without_progress, signal and
// signal_name (crash), last_progress, stacks (the file), stacks_source, top_frames.
nlohmann::ordered_json PostmortemJson(const Postmortem& p);

engine::Status WriteSummaryJson(const std::string& path, const RunInfo& info,
                                const RunOutcome& outcome);
engine::Status WriteViolationsJson(const std::string& path, const RunOutcome& outcome);
// One row per sample: elapsed seconds, ops/s since the previous sample (all, then per op kind),
// reads checked, live Versions, deferred deletions and bytes, oldest Version age, faults fired,
// violations, RSS, then p50/p99 latency in µs per op kind over the interval. The columns are
// TimeseriesCsvHeader()'s.
engine::Status WriteTimeseriesCsv(const std::string& path, const RunOutcome& outcome);
std::string TimeseriesCsvHeader();
// Reads `path` whole from the real file system (engine::ReadFileToString).
engine::Status ReadFile(const std::string& path, std::string* contents);
// `text` as one POSIX shell word: unchanged when it holds only characters no shell treats
// specially, else in single quotes (a quote inside becomes '\''). Repro commands quote every path,
// so a run directory with spaces or non-ASCII letters replays by copy and paste.
std::string ShellQuote(std::string_view text);
// "runs/KIND-<UTC time>Z" (runs/mutants-20261207T171500Z): where a command that writes a
// directory of results puts it when --out is not given.
std::string DefaultRunDir(std::string_view kind);
// Writes `contents` to `path` on the real file system through engine::WriteFileAtomically (synced
// temp file, rename, directory sync).
engine::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace reports
