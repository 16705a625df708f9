// The records a run produces and every report is written from: violations, engine samples, and the
// run's outcome (what summary.json, violations.json, timeseries.csv, junit.xml, metrics.prom and
// report.html show). Drivers in harness/ fill them; writers in reports/ read them.
//
// Thread contract: immutable (plain values).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/types.h"

namespace reports {

// Every kind of violation the checker reports.
// `coverage`: a fault the workload expects to fire (expect_reached) never did.
inline constexpr std::array<std::string_view, 8> kViolationKinds = {
    "point_read",       "scan",      "snapshot_read", "failed_write_visible",
    "unexpected_error", "invariant", "recovery",      "coverage"};

struct Violation {
  std::string kind;  // one of kViolationKinds
  std::string op;    // the op with its recorded result, e.g. "get k00000042 // v0.7 seq=1187"
  std::string expected;
  std::string observed;
  engine::SequenceNumber read_sequence = 0;
  // The read's sequence had to lie in [lower_bound, upper_bound] (0/0 when not applicable).
  engine::SequenceNumber lower_bound = 0;
  engine::SequenceNumber upper_bound = 0;
  std::string key;
  std::string key_history;    // the oracle's versions of the key
  std::string key_locations;  // where the key lives in the engine when the violation was seen
  uint64_t step = 0;          // a simulated run: the step that found it (#N in history.log)
  std::vector<std::string> thread_recent_ops;  // oldest first
  std::string thread;                          // e.g. "reader-3"
  double seconds = 0;                          // since the run started
  std::string message;                         // one line: what went wrong
};

// The op kinds metrics, timeseries.csv and the report break throughput and latency down by.
enum class OpKind : uint8_t { kPut, kDelete, kBatch, kGet, kScanStep, kSnapshotGet };
inline constexpr size_t kOpKindCount = 6;
// Their names: the `op` label of vstress_ops_total and vstress_op_latency_seconds.
inline constexpr std::array<std::string_view, kOpKindCount> kOpKindNames = {
    "put", "delete", "batch", "get", "scan_step", "snapshot_get"};

// How an op ended: the `result` label of vstress_ops_total.
enum class OpResult : uint8_t { kOk, kNotFound, kInjectedError, kError };
inline constexpr size_t kOpResultCount = 4;
inline constexpr std::array<std::string_view, kOpResultCount> kOpResultNames = {
    "ok", "not_found", "injected_error", "error"};

// Op latency buckets: upper bounds 1 µs × 2^i for i in [0, kLatencyBounds), then +Inf.
inline constexpr size_t kLatencyBounds = 22;  // 1 µs .. ~2.1 s
inline constexpr double LatencyBound(size_t i) { return 1e-6 * static_cast<double>(1ull << i); }

// A latency histogram: per-bucket (not cumulative) counts, the last one +Inf, and the sum.
struct LatencyCounts {
  std::array<uint64_t, kLatencyBounds + 1> buckets{};
  double sum_seconds = 0;

  uint64_t count() const;
  // The q-quantile (0 < q < 1) in seconds, interpolated within its bucket; 0 with no ops.
  double Quantile(double q) const;
  // What was observed since `earlier` (a snapshot of the same histogram).
  LatencyCounts Since(const LatencyCounts& earlier) const;
};

// One crash of a run and the recovery after it (vstress crash, a crash rule in vstress sim).
struct CrashCycle {
  uint64_t cycle = 0;                        // from 1
  double seconds = 0;                        // since the run started, when the crash happened
  std::string mode;                          // power-loss | power-loss (crash fire) | torn | kill
  engine::SequenceNumber floor = 0;          // the recovery had to reach at least this sequence
  engine::SequenceNumber recovered = 0;      // the DB holds every write through it and none above
  engine::SequenceNumber last_sequence = 0;  // the DB's own last sequence after the reopen
  uint64_t lost_writes = 0;       // durable (acknowledged synced, or for a kill any) writes lost
  uint64_t dropped_writes = 0;    // recorded writes above `recovered`, gone with the crash
  double recovery_seconds = 0;    // reopening the DB
  bool ok = true;                 // opened and checked without a violation
  std::string kept_db;            // a failed recovery's DB, copied just after the crash
  uint64_t recovery_io_hits = 0;  // file-system calls the checked reopen made (fault points hit)
  std::string recovery_fault;     // a fault inside recovery that fired first ("" none): what, where
};

// The crash families, the `mode` label of vstress_crash_cycles_total: a power loss (torn writes and
// crash fires included) or a killed process.
enum class CrashFamily : uint8_t { kPowerLoss, kKill };
inline constexpr size_t kCrashFamilyCount = 2;
inline constexpr std::array<std::string_view, kCrashFamilyCount> kCrashFamilyNames = {"power-loss",
                                                                                      "kill"};
// The family of a CrashCycle::mode ("power-loss", "power-loss (crash fire)", "torn", "kill").
CrashFamily CrashFamilyOf(std::string_view mode);

// How a crash cycle's recovery ended (CrashCycle::ok): the `result` label of
// vstress_crash_cycles_total.
enum class CrashResult : uint8_t { kRecovered, kFailed };
inline constexpr size_t kCrashResultCount = 2;
inline constexpr std::array<std::string_view, kCrashResultCount> kCrashResultNames = {"recovered",
                                                                                      "failed"};

// Recovery-time buckets of vstress_recovery_seconds: upper bounds in seconds, then +Inf. A reopen
// of a small DB takes about a millisecond; one that replays a large log or hangs takes seconds.
inline constexpr std::array<double, 14> kRecoveryBounds = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

// Recovery times: per-bucket (not cumulative) counts, the last one +Inf, and the sum.
struct RecoveryCounts {
  std::array<uint64_t, kRecoveryBounds.size() + 1> buckets{};
  double sum_seconds = 0;

  uint64_t count() const;
  void Observe(double seconds);
  // What was observed since `earlier` (a snapshot of the same counts).
  RecoveryCounts Since(const RecoveryCounts& earlier) const;
};

// A run's cumulative counters and current gauges at one instant: what the sampler reads every
// 250 ms and what the Prometheus metrics, timeseries.csv and the report are made of.
struct MetricsSnapshot {
  double seconds = 0;
  // Engine gauges.
  uint64_t live_versions = 0;
  uint64_t deferred_deletions = 0;
  uint64_t deferred_deletion_bytes = 0;
  double oldest_version_age_seconds = 0;
  // Engine counters.
  uint64_t files_deleted = 0;
  uint64_t version_installs = 0;
  uint64_t compactions = 0;
  uint64_t flushes = 0;
  // Harness counters.
  std::array<std::array<uint64_t, kOpResultCount>, kOpKindCount> ops{};  // [op][result]
  std::array<LatencyCounts, kOpKindCount> latency{};                     // [op]
  std::map<std::string, uint64_t> reads_checked;  // point_read, scan, scan_key, snapshot_read
  std::map<std::string, uint64_t> violations;     // by violation kind
  std::map<std::pair<std::string, std::string>, uint64_t> faults;  // (point, action) -> fires
  uint64_t rss_bytes = 0;  // resident set size of the process
  // Crash cycles so far (vstress crash, crash rules): [family][result], and their recovery times.
  std::array<std::array<uint64_t, kCrashResultCount>, kCrashFamilyCount> crash_cycles{};
  RecoveryCounts recovery;  // of every cycle, recovered or not

  uint64_t OpsTotal() const;
  uint64_t OpsOf(OpKind op) const;
  uint64_t ReadsCheckedTotal() const;
  uint64_t FaultsTotal() const;
  uint64_t ViolationsTotal() const;
  uint64_t CrashCyclesTotal() const;
  // Counts the cycles of `cycles` (a run's, in order) past the first CrashCyclesTotal(), which
  // this snapshot already counts: a snapshot that starts from the previous one's crash counts
  // catches up with the cycles since, however often it is taken.
  void CountCrashCycles(const std::vector<CrashCycle>& cycles);
};

// One row of timeseries.csv, derived from two consecutive MetricsSnapshots.
struct Sample {
  double seconds = 0;
  uint64_t ops = 0;                                   // completed so far, all kinds
  std::array<double, kOpKindCount> ops_per_second{};  // since the previous sample
  uint64_t reads_checked = 0;                         // so far: point, scan-key and snapshot reads
  uint64_t live_versions = 0;
  uint64_t deferred_deletions = 0;
  uint64_t deferred_deletion_bytes = 0;
  double oldest_version_age_seconds = 0;
  uint64_t faults_fired = 0;
  uint64_t violations = 0;
  uint64_t rss_bytes = 0;
  // Latency quantiles of the ops completed since the previous sample, in seconds (0: none).
  std::array<double, kOpKindCount> p50_seconds{};
  std::array<double, kOpKindCount> p99_seconds{};

  static Sample Between(const MetricsSnapshot* previous, const MetricsSnapshot& now);
};

struct EngineSummary {
  uint64_t max_live_versions = 0;
  uint64_t final_live_versions = 0;
  uint64_t max_deferred_deletions = 0;
  uint64_t final_deferred_deletions = 0;
  uint64_t files_deleted = 0;
  uint64_t compactions = 0;
  uint64_t flushes = 0;
  uint64_t version_installs = 0;
  uint64_t background_errors = 0;
  uint64_t background_retries = 0;  // failed flushes and compactions tried again
  // The deepest level that held a table at any sample: workloads meant to exercise compaction
  // across levels (tombstones over older data deeper down) must reach several.
  uint64_t max_deepest_level = 0;
  // The gauges the store under test does not expose (stores::GaugesNotExposed): written as null
  // in summary.json, left empty in timeseries.csv and absent from the metrics, never 0.
  std::vector<std::string> not_exposed;
  bool Exposes(std::string_view gauge) const;
};

// One quiescence point of a run: when it ran, how long the checks took, what they found.
struct QuiescencePoint {
  double seconds = 0;                   // since the run started
  double duration_seconds = 0;          // the checks (and the reopen)
  std::string when;                     // "at 10.0s", "end of run"
  engine::SequenceNumber sequence = 0;  // the Oracle state the DB was compared with
  bool reopened = false;                // the close-reopen-compare check ran
  bool background_error = false;        // the DB was in a background error before the reopen
  uint64_t violations = 0;              // found by this point's checks
  // Write batches the reopen replayed from the WAL: the memtable the close left unflushed.
  uint64_t wal_batches_replayed = 0;
};

// How a run that did not end by itself went: stuck (result liveness: a watchdog found no
// progress) or dead (result crash: the process died of a signal). summary.json's `postmortem`; the
// stacks go to stacks.txt beside it.
struct Postmortem {
  uint64_t step = 0;                   // a simulated run: the step in flight (0: none)
  std::vector<std::string> in_flight;  // the ops in flight: "writer-0: put k00000042 ..."
  double seconds_without_progress = 0;
  int signal = 0;             // crash: the signal it died of
  std::string last_progress;  // the last progress line it printed
  std::string stacks;         // every thread's stack
  std::string stacks_source;  // gdb, wchan, backtrace (the dying thread alone), or none
};

struct RunOutcome {
  std::string result = "pass";  // pass | violation | error | liveness | crash
  int exit_code = 0;
  std::string error;                     // for result == error, liveness or crash
  std::optional<Postmortem> postmortem;  // liveness and crash
  std::string crash_mode;  // vstress crash --mode, or "power-loss" for crash rules ("": neither)
  double duration_seconds = 0;
  std::map<std::string, uint64_t> ops;     // put, delete, batch, get, scan, snapshot_get, ...
  std::map<std::string, uint64_t> checks;  // reads_checked, scans_checked, ...
  EngineSummary engine;
  uint64_t violation_count = 0;
  std::vector<Violation> violations;
  std::vector<Sample> samples;
  std::vector<QuiescencePoint> quiescence_points;  // periodic ones, then the end of the run
  std::vector<CrashCycle> crash_cycles;
  uint64_t reopens_after_background_error = 0;
  uint64_t resumes_after_background_error = 0;  // on_background_error = "resume" (DB::Resume)
  // A run with violations: every client's recent ops merged by sequence (a threaded run's
  // best-effort history; a simulated run has its exact one).
  std::vector<std::string> thread_history;
  MetricsSnapshot final_metrics;  // the counters at the end of the run (metrics.prom)
  uint64_t peak_rss_bytes = 0;
};

}  // namespace reports
