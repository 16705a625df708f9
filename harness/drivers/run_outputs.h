// A run directory's files, written the same way whoever made the run — `vstress run`, `vstress
// sim`, or `vstress shrink` writing its reduced case to RUN_DIR/min/: summary.json,
// violations.json, timeseries.csv, junit.xml, metrics.prom, report.html, and for a simulated run
// history.log and the in-memory DB written out to db/.
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "faults/fault_controller.h"
#include "harness/drivers/run_environment.h"
#include "harness/drivers/sim_driver.h"
#include "reports/metrics.h"
#include "reports/run_files.h"
#include "workloads/workload_spec.h"

namespace harness::drivers {

// The mutants of `spec`, comma-separated ("" for the correct engine).
std::string MutantLabel(const workloads::WorkloadSpec& spec);
// The run's id in metrics (run_info's run_id, the pushgateway's instance): its directory's name.
std::string RunId(const std::string& run_dir);
// Every (point, action) the rules can fire: the fault series metrics declare at zero.
std::vector<std::pair<std::string, std::string>> FaultSeries(
    const std::vector<faults::Rule>& rules);
// The metrics registry of a run of `spec` in `run_dir`.
reports::RunLabels MetricsLabels(const workloads::WorkloadSpec& spec, const std::string& run_dir);

// What the run was: its seed, preset, mutant, directory, repro command, fault fires, driver.
reports::RunInfo MakeRunInfo(const workloads::WorkloadSpec& spec, const std::string& run_dir,
                             const std::string& repro, const faults::FaultController& faults,
                             const SimRun* sim);

// This vstress binary's path, shell-quoted (`fallback` when /proc/self/exe cannot be read).
std::string VstressCommand(const std::string& fallback);

// Writes every file of the run directory from `info` and `outcome` (and `sim`, `env` for a
// simulated run), stacks.txt for a run that ended stuck or dead; `metrics` gets the final sample.
// A DB that lived in memory is written out to db/ when `write_db`. Problems writing are reported
// on `err`; the run's result stands.
void WriteRunOutputs(const std::string& run_dir, const reports::RunInfo& info,
                     const reports::RunOutcome& outcome, const SimRun* sim,
                     const RunEnvironment& env, reports::RunMetrics* metrics, std::ostream& err,
                     bool write_db = true);

}  // namespace harness::drivers
