#include "harness/drivers/run_outputs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "reports/html_report.h"
#include "reports/junit.h"
#include "stores/registry.h"

namespace harness::drivers {

namespace fs = std::filesystem;

std::string MutantLabel(const workloads::WorkloadSpec& spec) {
  std::vector<std::string> names = spec.engine.mutations;
  names.insert(names.end(), spec.store.mutations.begin(), spec.store.mutations.end());
  return fmt::format("{}", fmt::join(names, ","));
}

std::string RunId(const std::string& run_dir) {
  fs::path p = fs::path(run_dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::vector<std::pair<std::string, std::string>> FaultSeries(
    const std::vector<faults::Rule>& rules) {
  std::vector<std::pair<std::string, std::string>> series;
  for (const auto& rule : rules) {
    for (const auto& point : faults::AllFaultPoints()) {
      if (rule.Matches(point)) series.emplace_back(point, faults::ActionName(rule.action));
    }
  }
  return series;
}

reports::RunLabels MetricsLabels(const workloads::WorkloadSpec& spec, const std::string& run_dir) {
  const std::string mutants = MutantLabel(spec);
  reports::RunLabels labels;
  labels.seed = std::to_string(spec.seed);
  labels.preset = spec.name;
  labels.mutant = mutants.empty() ? "none" : mutants;
  labels.version = VSTRESS_VERSION;
  labels.run_id = RunId(run_dir);
  labels.store = spec.store.name;
  if (const stores::StoreKind* kind = stores::FindStore(spec.store.name)) {
    labels.store_version = kind->version();
    labels.not_exposed = stores::GaugesNotExposed(*kind);
  }
  return labels;
}

reports::RunInfo MakeRunInfo(const workloads::WorkloadSpec& spec, const std::string& run_dir,
                             const std::string& repro, const faults::FaultController& faults,
                             const SimRun* sim) {
  reports::RunInfo info;
  info.seed = spec.seed;
  info.preset = spec.name;
  info.store = spec.store.name;
  if (const stores::StoreKind* kind = stores::FindStore(spec.store.name)) {
    info.store_version = kind->version();
  }
  info.mutant = MutantLabel(spec);
  info.run_dir = run_dir;
  info.repro = repro;
  info.faults_injected_total = faults.fires_total();
  for (const auto& [point, counts] : faults.Counts()) {
    uint64_t total = 0;
    for (const auto& [action, n] : counts.fires_by_action) total += n;
    info.faults_by_point[point] = total;
    info.fault_hits_by_point[point] = counts.hits;
    info.faults_by_point_action[point] = counts.fires_by_action;
  }
  if (sim != nullptr) {
    info.driver = "sim";
    info.sim = reports::SimSummary{spec.sim.schedule,      sim->steps,
                                   sim->trace_hash,        sim->first_violation_step,
                                   sim->header.first_step, false};
    info.sim->ended_on_wall_clock = sim->ended_on_wall_clock;
  }
  return info;
}

std::string VstressCommand(const std::string& fallback) {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  return reports::ShellQuote(exe.empty() ? fallback : exe.string());
}

void WriteRunOutputs(const std::string& run_dir, const reports::RunInfo& info,
                     const reports::RunOutcome& outcome, const SimRun* sim,
                     const RunEnvironment& env, reports::RunMetrics* metrics, std::ostream& err,
                     bool write_db) {
  const auto report = [&err](const engine::Status& s) {
    if (!s.ok()) err << "vstress: " << s.ToString() << "\n";
  };
  if (sim == nullptr && !outcome.thread_history.empty()) {
    std::string text =
        "# vstress history v1, threaded run: best effort, not replayable (`vstress shrink` "
        "searches the simulator for the same failure)\n"
        "# the last ops of each thread, merged by sequence (a write before the reads that saw "
        "it)\n";
    for (const std::string& line : outcome.thread_history) text += line + "\n";
    report(reports::WriteFileAtomically(run_dir + "/history.log", text));
  }
  if (sim != nullptr) {
    report(reports::WriteFileAtomically(run_dir + "/history.log",
                                        FormatHistory(sim->header, sim->history)));
  }
  if (outcome.postmortem && !outcome.postmortem->stacks.empty()) {
    report(reports::WriteFileAtomically(run_dir + "/" + reports::kStacksFile,
                                        outcome.postmortem->stacks));
  }
  if (write_db && env.InMemory()) {
    // The DB lived in memory: written out for `vstress inspect`.
    report(CopyDirectoryToDisk(env.base.get(), env.db_path, run_dir + "/db"));
  }
  report(reports::WriteSummaryJson(run_dir + "/summary.json", info, outcome));
  report(reports::WriteViolationsJson(run_dir + "/violations.json", outcome));
  report(reports::WriteTimeseriesCsv(run_dir + "/timeseries.csv", outcome));
  report(reports::WriteJunitXml(run_dir + "/junit.xml", info, outcome));
  metrics->Publish(outcome.final_metrics);
  report(reports::WriteFileAtomically(run_dir + "/metrics.prom", metrics->Text()));
  // Built from the files just written: the same path as `vstress report RUN_DIR`.
  report(reports::WriteHtmlReport(run_dir));
}

}  // namespace harness::drivers
