// The morning report of a sweep, as a value: one ShardRecord per planned shard (what its plan line,
// shard.json, summary.json and violations.json say), the failures grouped by signature
// (reports/failure_signature.h), totals, the union of the fault coverage, and optionally the
// comparison with a previous sweep. `vstress merge` (harness/sweep/merge.h) reads the files and
// writes this model out as nightly.html (reports/nightly_html.h), summary.json (here), junit.xml
// (reports/junit_merge.h) and metrics.prom (reports/prom_merge.h).
//
// Invariants: every planned shard has exactly one record, in index order, whatever happened to
// it; a record's result is pass, violation, liveness or error, and every record whose result is
// not pass has a non-empty signature; a signature group lists its shards in index order and its
// count is their number; the groups are sorted by count (most first), then by text.
//
// A shard's result comes from its summary.json; a shard without shard.json never ran, and a
// shard whose summary.json is missing or malformed, or whose process exit (shard.json) says it
// died after writing a passing summary, is an error row whose error says why. Everything here is
// a pure function of its arguments, so the tests need no files.
//
// Thread contract: thread-compatible (plain values; the functions keep no state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "reports/failure_signature.h"
#include "reports/run_record.h"

namespace reports {

// summary.json's plan_version for a merged sweep: what --compare accepts. Do not change without
// changing what reads previous merges.
inline constexpr int kSweepSummaryVersion = 1;

// What the plan says about one shard (harness/sweep/plan.h's ShardPlan, as far as the report
// needs).
struct ShardPlanFacts {
  uint64_t index = 0;
  uint64_t seed = 0;
  std::string workload;
  std::string driver;
  std::string mutant;
  std::string command;  // the shard's `vstress ...` line, copy-paste ready
};

// The files of one shard directory, as read: nullopt where the file is missing. `dir` is the
// shard directory, relative to the sweep directory ("shards/3"), for links and messages.
struct ShardFiles {
  std::string dir;
  std::optional<std::string> shard_json;
  std::optional<std::string> summary_json;
  std::optional<std::string> violations_json;
  std::optional<std::string> stacks_txt;  // a liveness or crash postmortem's stacks
};

struct ShardRecord {
  ShardPlanFacts plan;
  std::string result = "error";  // pass | violation | liveness | crash | error
  int exit_code = 4;
  std::string exit;  // shard.json's "exit 1" / "signal 9"; empty: never ran
  std::string host;
  std::string store;   // summary.json's store: "rocksdb 7.8.3" ("" in an older summary)
  std::string report;  // link to the shard's report.html, relative to the sweep directory
  double duration_seconds = 0;
  uint64_t ops = 0;  // put, delete, batch, get, scan, snapshot_get: what report.html counts
  uint64_t reads_checked = 0;  // point reads, snapshot reads and scanned keys checked
  uint64_t violations = 0;
  uint64_t faults_injected = 0;
  uint64_t crash_cycles = 0;
  std::string error;  // why the shard failed without a violation, or why it is an error row
  std::string repro;  // summary.json's repro
  // A liveness or crash postmortem: where it was stuck or died (TopFramesOfStacks), the signal.
  std::string top_frames;
  std::string signal_name;
  std::optional<Violation> first_violation;
  std::map<std::string, uint64_t> faults_fired;  // "POINT:ACTION" -> fires
  std::map<std::string, uint64_t> reactions;     // summary coverage.reactions
  FailureSignature signature;                    // empty for a passing shard

  double OpsPerSecond() const;
  // The shortest way to run this shard again: its summary's repro, else its plan command.
  const std::string& ReproCommand() const;
};

// Builds a shard's record from its files. Never fails: what is missing or malformed makes the
// record an error row that names the file.
ShardRecord LoadShardRecord(const ShardPlanFacts& plan, const ShardFiles& files);

struct SignatureGroup {
  FailureSignature signature;
  std::vector<size_t> shards;  // positions in NightlyReport::shards
  std::vector<uint64_t> seeds;
  std::vector<std::string> seen_as;  // the distinct "kind op" of the first violations, sorted
  size_t repro_shard = 0;            // the group's shard that failed soonest (least duration)
  std::string repro;                 // its ReproCommand()
};

struct SweepTotals {
  uint64_t shards = 0;
  uint64_t passed = 0;
  uint64_t failed = 0;  // violation or liveness
  uint64_t errors = 0;
  uint64_t violations = 0;
  uint64_t reads_checked = 0;
  uint64_t faults_injected = 0;
  uint64_t crash_cycles = 0;
  uint64_t ops = 0;
  double shard_seconds = 0;  // the shards' durations added up
};

// Which fault pairs fired anywhere in the sweep and what the engine did about them.
struct CoverageUnion {
  std::map<std::string, uint64_t> fired;         // "POINT:ACTION" -> fires, all shards
  std::map<std::string, uint64_t> fired_shards;  // "POINT:ACTION" -> shards it fired in
  std::map<std::string, uint64_t> reactions;     // reaction -> count, all shards
};

struct SweepCompare {
  std::string previous;                       // the previous summary.json's path
  std::vector<std::string> new_signatures;    // here, not there
  std::vector<std::string> fixed_signatures;  // there, not here
  double median_ops_per_s = 0;
  double previous_median_ops_per_s = 0;
  std::optional<double> throughput_ratio;  // median now / median then; none when then is 0
};

// How the sweep was made (DIR/sweep.json; empty fields when the sweep directory has none).
struct SweepFacts {
  std::string dir;
  std::string command;
  std::string executor;
  std::string created;
};

struct NightlyReport {
  SweepFacts sweep;
  std::vector<ShardRecord> shards;
  std::vector<SignatureGroup> signatures;
  SweepTotals totals;
  CoverageUnion coverage;
  std::optional<SweepCompare> compare;
  std::string result;  // pass | violation | liveness | error: the worst shard's
  int exit_code = 0;
};

// Groups, totals, coverage and the result over `shards` (in index order).
NightlyReport BuildNightlyReport(SweepFacts sweep, std::vector<ShardRecord> shards);

// The median ops/s over the shards that ran any op (0 when none did).
double MedianOpsPerSecond(const std::vector<double>& ops_per_second);

// Compares `report` with a previous merge's summary.json (`text`, read from `path`).
// InvalidArgument naming `path` when it is not a merged sweep's summary.json of this version.
engine::Result<SweepCompare> CompareWithPrevious(const NightlyReport& report,
                                                 const std::string& path, const std::string& text);

// The merged summary.json.
std::string NightlySummaryJson(const NightlyReport& report);

}  // namespace reports
