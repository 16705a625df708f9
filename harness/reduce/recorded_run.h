// A run as its directory recorded it, for the commands that replay one (`vstress repro`,
// `vstress shrink`): the effective config, what the run found (result, the first violation's kind
// and, for a simulated run, step), and its history when it has one.
//
// Thread contract: immutable once loaded.
#pragma once

#include <optional>
#include <string>

#include "engine/status.h"
#include "harness/drivers/sim_driver.h"
#include "harness/drivers/sim_history.h"
#include "workloads/workload_spec.h"

namespace harness::reduce {

struct RecordedRun {
  std::string dir;
  workloads::WorkloadSpec spec;
  std::string driver = "run";                     // run | sim
  std::string result;                             // pass | violation | error | liveness
  std::string first_kind;                         // the first violation's kind ("" without one)
  uint64_t first_violation_step = 0;              // sim
  uint64_t steps = 0;                             // sim
  uint64_t trace_hash = 0;                        // sim
  std::optional<drivers::ParsedHistory> history;  // history.log, when there is one

  bool simulated() const { return driver == "sim"; }
  // A history from the first step on: replayable step by step.
  bool replayable() const { return history && history->header.complete(); }
};

// `path` is a run directory or a history file inside one. InvalidArgument or NotFound names the
// file that is missing or malformed.
engine::Result<RecordedRun> LoadRecordedRun(const std::string& path);

// The recorded history's steps as a replay script (each nested step's `inside` turned from the
// outer step's #N into its position in the script).
std::vector<drivers::SimStep> ScriptOf(const drivers::ParsedHistory& history);

}  // namespace harness::reduce
