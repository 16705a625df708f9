#include "harness/run_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "faults/fault_controller.h"
#include "faults/fault_fs.h"
#include "faults/fault_rule.h"
#include "harness/exit_codes.h"
#include "harness/mutants.h"
#include "harness/runner.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/metrics.h"
#include "reports/run_files.h"
#include "workloads/presets.h"
#include "workloads/workload_spec.h"

namespace harness {
namespace {

namespace fs = std::filesystem;

struct Usage {
  std::string message;  // empty: fine
};

// The workload named by --preset/--config (or the mutant's preset), before overrides.
engine::Result<workloads::WorkloadSpec> BaseSpec(const RunCommandOptions& o) {
  if (!o.preset.empty() && !o.config_path.empty()) {
    return engine::Status::InvalidArgument("--preset and --config are exclusive");
  }
  if (!o.config_path.empty()) {
    std::string text;
    if (engine::Status s = reports::ReadFile(o.config_path, &text); !s.ok()) {
      return engine::Status::InvalidArgument("--config: cannot read " + s.message());
    }
    return workloads::ParseWorkload(text, o.config_path);
  }
  std::string preset = o.preset;
  if (preset.empty() && !o.mutant.empty()) {
    if (auto m = FindMutant(o.mutant)) preset = std::string(m->preset);
  }
  return workloads::LoadPreset(preset.empty() ? "smoke" : preset);
}

engine::Status ApplyFlags(const RunCommandOptions& o, workloads::WorkloadSpec* spec) {
  if (o.seed) spec->seed = *o.seed;
  if (!o.duration.empty()) {
    std::chrono::microseconds duration;
    if (!faults::ParseDuration(o.duration, &duration) || duration.count() <= 0) {
      return engine::Status::InvalidArgument("--duration: '" + o.duration +
                                             "' is not a duration like 30s, 2m or 500ms");
    }
    spec->duration_seconds = static_cast<double>(duration.count()) / 1e6;
    spec->ops = 0;
  }
  if (o.ops) spec->ops = *o.ops;
  if (o.readers) spec->readers.threads = *o.readers;
  if (o.writers) spec->writers.threads = *o.writers;
  if (o.scanners) spec->scanners.threads = *o.scanners;
  if (o.snapshot_readers) spec->snapshot_readers.threads = *o.snapshot_readers;
  for (const auto& assignment : o.sets) {
    engine::Status s = workloads::ApplyOverride(spec, assignment);
    if (!s.ok()) return s.WithContext("--set");
  }
  for (const auto& text : o.fault_rules) {
    auto rule = faults::ParseRule(text);
    if (!rule.ok()) return rule.status().WithContext("--fault");
    spec->faults.push_back(rule.value());
  }
  if (!o.faults_file.empty()) {
    std::string text;
    if (engine::Status s = reports::ReadFile(o.faults_file, &text); !s.ok()) {
      return engine::Status::InvalidArgument("--faults: cannot read " + s.message());
    }
    auto rules = workloads::ParseFaultsFile(text, o.faults_file);
    if (!rules.ok()) return rules.status();
    for (auto& r : rules.value()) spec->faults.push_back(std::move(r));
  }
  for (const auto& rule : spec->faults) {
    if (rule.action == faults::Action::kCrash) {
      return engine::Status::InvalidArgument(
          "fault rule '" + rule.ToString() +
          "': crash (power loss) ends a threaded run; use it with `vstress crash`");
    }
  }
  return spec->Validate();
}

std::string DefaultRunDir(uint64_t seed) {
  const auto now = std::chrono::system_clock::now();
  return fmt::format("runs/{:%Y%m%dT%H%M%S}Z-seed{}", std::chrono::floor<std::chrono::seconds>(now),
                     seed);
}

// config.toml holds everything, the seed and any mutant included. Paths are absolute so the
// script works from any directory.
std::string ReproCommand(const RunCommandOptions& o, const std::string& run_dir) {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  const fs::path dir = fs::absolute(run_dir, ec);
  return fmt::format("{} run --config {} --out {}",
                     reports::ShellQuote(exe.empty() ? o.argv0 : exe.string()),
                     reports::ShellQuote((dir / "config.toml").string()),
                     reports::ShellQuote((dir / "repro").string()));
}

engine::Status WriteRepro(const std::string& run_dir, const std::string& command) {
  const std::string path = run_dir + "/repro.sh";
  engine::Status s = reports::WriteFileAtomically(
      path, "#!/usr/bin/env bash\n# Replays this run: same config, seed and mutant.\nset -e\n" +
                command + " \"$@\"\n");
  if (s.ok())
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  return s;
}

std::function<void(const std::string&)> ProgressSink(const std::string& mode, std::ostream& err,
                                                     double* interval) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (mode == "off") return nullptr;
  if (tty && mode != "plain") {
    *interval = 0.25;
    return [&err](const std::string& line) { err << "\r\033[K" << line << std::flush; };
  }
  *interval = 10;
  return [&err](const std::string& line) { err << line << "\n" << std::flush; };
}

reports::RunInfo MakeRunInfo(const workloads::WorkloadSpec& spec, const std::string& mutants,
                             const RunCommandOptions& o, const std::string& run_dir,
                             const faults::FaultController& faults) {
  reports::RunInfo info;
  info.seed = spec.seed;
  info.preset = spec.name;
  info.mutant = mutants;
  info.run_dir = run_dir;
  info.repro = ReproCommand(o, run_dir);
  info.faults_injected_total = faults.fires_total();
  for (const auto& [point, counts] : faults.Counts()) {
    uint64_t total = 0;
    for (const auto& [action, n] : counts.fires_by_action) total += n;
    info.faults_by_point[point] = total;
    info.faults_by_point_action[point] = counts.fires_by_action;
  }
  return info;
}

// The run's id in metrics (run_info's run_id, the pushgateway's instance): its directory's name.
std::string RunId(const std::string& run_dir) {
  fs::path p = fs::path(run_dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

// Every (point, action) the rules can fire.
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

void PrintResult(const reports::RunOutcome& r, const reports::RunInfo& info, std::ostream& out) {
  out << fmt::format(
      "result: {} (exit {}) in {:.1f}s\n"
      "checked: {} reads, {} scans ({} keys), {} snapshot reads, {} invariant checks\n"
      "engine: max live versions {}, max deferred deletions {}, {} flushes, {} compactions, "
      "{} files deleted\n"
      "faults: {} injected; violations: {}\n",
      r.result, r.exit_code, r.duration_seconds,
      r.checks.count("reads_checked") ? r.checks.at("reads_checked") : 0,
      r.checks.count("scans_checked") ? r.checks.at("scans_checked") : 0,
      r.checks.count("scan_keys_checked") ? r.checks.at("scan_keys_checked") : 0,
      r.checks.count("snapshot_reads_checked") ? r.checks.at("snapshot_reads_checked") : 0,
      r.checks.count("invariant_checks") ? r.checks.at("invariant_checks") : 0,
      r.engine.max_live_versions, r.engine.max_deferred_deletions, r.engine.flushes,
      r.engine.compactions, r.engine.files_deleted, info.faults_injected_total, r.violation_count);
  if (!r.error.empty()) out << "error: " << r.error << "\n";
  for (const auto& v : r.violations) {
    out << fmt::format("violation [{}] {}: {}\n  op: {}\n  expected {} observed {}\n", v.kind,
                       v.thread.empty() ? "checks at rest" : v.thread, v.message, v.op, v.expected,
                       v.observed);
    break;  // the first; violations.json has them all
  }
  out << "run directory: " << info.run_dir << "\n";
}

}  // namespace

int RunRunCommand(const RunCommandOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<MutantInfo> mutant;
  if (!o.mutant.empty() && !(mutant = FindMutant(o.mutant))) {
    err << "vstress run: --mutant: unknown mutant '" << o.mutant << "' (see `vstress mutants`)\n";
    return kExitUsage;
  }
  auto base = BaseSpec(o);
  if (!base.ok()) {
    err << "vstress run: " << base.status().message() << "\n";
    return kExitUsage;
  }
  workloads::WorkloadSpec spec = std::move(base).value();
  // The mutant is part of the engine config, so config.toml (and repro.sh) carry it.
  if (mutant && std::find(spec.engine.mutations.begin(), spec.engine.mutations.end(), o.mutant) ==
                    spec.engine.mutations.end()) {
    spec.engine.mutations.push_back(o.mutant);
  }
  if (engine::Status s = ApplyFlags(o, &spec); !s.ok()) {
    err << "vstress run: " << s.message() << "\n";
    return kExitUsage;
  }
  const std::string run_dir = o.out_dir.empty() ? DefaultRunDir(spec.seed) : o.out_dir;
  // Metrics: bad --metrics-listen / --push-gateway values are usage errors, found before the run.
  const std::string mutants = fmt::format("{}", fmt::join(spec.engine.mutations, ","));
  reports::RunMetrics metrics({std::to_string(spec.seed), spec.name,
                               mutants.empty() ? "none" : mutants, VSTRESS_VERSION,
                               RunId(run_dir)});
  metrics.DeclareFaults(FaultSeries(spec.faults));
  std::unique_ptr<reports::MetricsExporter> exporter;
  if (!o.metrics_listen.empty() || !o.metrics_textfile.empty() || !o.push_gateway.empty()) {
    auto started = reports::MetricsExporter::Start(
        &metrics, {o.metrics_listen, o.metrics_textfile, o.push_gateway});
    if (!started.ok()) {
      err << "vstress run: " << started.status().message() << "\n";
      return kExitUsage;
    }
    exporter = std::move(started).value();
    if (!exporter->listen_url().empty()) {
      out << "metrics: " << exporter->listen_url() << "\n" << std::flush;
    }
  }

  if (!o.fiu_control.empty()) {
    if (engine::Status s = faults::FaultController::OpenRemoteControl(o.fiu_control); !s.ok()) {
      err << "vstress run: --fiu-control: " << s.message() << "\n";
      return kExitUsage;
    }
    out << fmt::format("fiu-control: fiu-ctrl -f {} -c \"enable name=POINT\" {}\n",
                       reports::ShellQuote(o.fiu_control), getpid())
        << std::flush;
  }
  std::error_code ec;
  fs::remove_all(run_dir + "/db", ec);
  fs::create_directories(run_dir, ec);
  if (ec) {
    err << "vstress run: cannot create " << run_dir << ": " << ec.message() << "\n";
    return kExitUsage;
  }
  reports::WriteFileAtomically(run_dir + "/config.toml", workloads::ToToml(spec));
  WriteRepro(run_dir, ReproCommand(o, run_dir));

  faults::FaultControllerOptions fault_options;
  fault_options.seed = spec.seed;
  fault_options.rules = spec.faults;
  fault_options.log_path = run_dir + "/faults.log";
  faults::FaultController controller(fault_options);
  auto fault_fs = std::make_shared<faults::FaultFS>(engine::NewPosixFileSystem());
  fault_fs->SetDecider([&controller](const std::string& point, const std::string& path) {
    return controller.OnHit(point, path);
  });
  controller.SetTornHook([&fault_fs] { fault_fs->TearNextAppendOnThisThread(); });
  if (engine::Status s = controller.Install(); !s.ok()) {
    err << "vstress run: installing faults: " << s.ToString() << "\n";
    return kExitFailure;
  }

  RunConfig config;
  config.spec = spec;
  config.db_path = run_dir + "/db";
  config.file_system = fault_fs;
  config.faults = &controller;
  config.keep_going = o.keep_going;
  config.progress = ProgressSink(o.progress, err, &config.progress_interval_seconds);
  if (exporter) {
    config.on_sample = [&exporter](const reports::MetricsSnapshot& m) { exporter->OnSample(m); };
  }
  out << fmt::format("vstress run: preset {} seed {}{} -> {}\n", spec.name, spec.seed,
                     mutants.empty() ? "" : " mutant " + mutants, run_dir)
      << std::flush;
  const reports::RunOutcome outcome = RunThreaded(config);
  controller.Uninstall();
  if (config.progress && isatty(STDERR_FILENO)) err << "\n";

  const reports::RunInfo info = MakeRunInfo(spec, mutants, o, run_dir, controller);
  reports::WriteSummaryJson(run_dir + "/summary.json", info, outcome);
  reports::WriteViolationsJson(run_dir + "/violations.json", outcome);
  reports::WriteTimeseriesCsv(run_dir + "/timeseries.csv", outcome);
  reports::WriteJunitXml(run_dir + "/junit.xml", info, outcome);
  metrics.Publish(outcome.final_metrics);
  if (exporter) {
    if (engine::Status s = exporter->Finish(); !s.ok()) {
      // The run's result stands; the lost metrics are reported.
      err << "vstress run: metrics: " << s.ToString() << "\n";
    }
  }
  reports::WriteFileAtomically(run_dir + "/metrics.prom", metrics.Text());
  // Built from the files just written: the same path as `vstress report RUN_DIR`.
  if (engine::Status s = reports::WriteHtmlReport(run_dir); !s.ok()) {
    err << "vstress run: report.html: " << s.ToString() << "\n";
  }
  PrintResult(outcome, info, out);
  if (o.cleanup_on_pass && outcome.exit_code == kExitPass) fs::remove_all(run_dir + "/db", ec);
  return outcome.exit_code;
}

}  // namespace harness
