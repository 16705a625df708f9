// The records a run produces and every report is written from: violations, engine samples, and the
// run's outcome (what summary.json, violations.json, timeseries.csv, junit.xml, metrics.prom and
// report.html show). Drivers in harness/ fill them; writers in reports/ read them.
//
// Thread contract: immutable (plain values).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/types.h"

namespace reports {

struct Violation {
  // point_read, scan, snapshot_read, failed_write_visible, unexpected_error, invariant, recovery,
  // liveness.
  std::string kind;
  std::string op;        // the op with its recorded result, e.g. "get k00000042 // v0.7 seq=1187"
  std::string expected;
  std::string observed;
  engine::SequenceNumber read_sequence = 0;
  // The read's sequence had to lie in [lower_bound, upper_bound] (0/0 when not applicable).
  engine::SequenceNumber lower_bound = 0;
  engine::SequenceNumber upper_bound = 0;
  std::string key;
  std::string key_history;                 // the oracle's versions of the key
  std::vector<std::string> thread_recent_ops;  // oldest first
  std::string thread;                      // e.g. "reader-3"
  double seconds = 0;                      // since the run started
  std::string message;                     // one line: what went wrong
};

// One engine/harness sample (a row of timeseries.csv).
struct Sample {
  double seconds = 0;
  uint64_t ops = 0;
  uint64_t reads_checked = 0;
  uint64_t live_versions = 0;
  uint64_t deferred_deletions = 0;
  uint64_t deferred_deletion_bytes = 0;
  double oldest_version_age_seconds = 0;
  uint64_t faults_fired = 0;
  uint64_t violations = 0;
  uint64_t rss_bytes = 0;  // resident set size of the process
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
};

struct RunOutcome {
  std::string result = "pass";  // pass | violation | error | liveness
  int exit_code = 0;
  std::string error;            // for result == error or liveness
  double duration_seconds = 0;
  std::map<std::string, uint64_t> ops;     // put, delete, batch, get, scan, snapshot_get, ...
  std::map<std::string, uint64_t> checks;  // reads_checked, scans_checked, ...
  EngineSummary engine;
  uint64_t violation_count = 0;
  std::vector<Violation> violations;
  std::vector<Sample> samples;
  uint64_t peak_rss_bytes = 0;
};

}  // namespace reports
