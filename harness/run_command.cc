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
#include <nlohmann/json.hpp>

#include "faults/fault_controller.h"
#include "faults/fault_fs.h"
#include "faults/fault_rule.h"
#include "harness/child_process.h"
#include "harness/exit_codes.h"
#include "harness/kill_driver.h"
#include "harness/mutants.h"
#include "harness/process_signals.h"
#include "harness/run_environment.h"
#include "harness/run_outputs.h"
#include "harness/runner.h"
#include "harness/sim_driver.h"
#include "harness/watchdog.h"
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
  if (!o.on_background_error.empty()) spec->on_background_error = o.on_background_error;
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
  if (!o.schedule.empty()) spec->sim.schedule = o.schedule;
  for (const auto& rule : spec->faults) {
    if (rule.action == faults::Action::kCrash && o.driver == Driver::kThreaded) {
      return engine::Status::InvalidArgument(
          "fault rule '" + rule.ToString() +
          "': crash (power loss) ends a threaded run; use it with `vstress crash` or "
          "`vstress sim`");
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
  const fs::path dir = fs::absolute(run_dir, ec);
  const std::string vstress = VstressCommand(o.argv0);
  // A simulated run replays exactly; a threaded one replays its config and seed.
  if (o.driver == Driver::kSimulated) {
    return fmt::format("{} repro {}", vstress, reports::ShellQuote(dir.string()));
  }
  if (o.driver == Driver::kCrash) {
    return fmt::format("{} crash --config {} --mode {}{}{} --out {}", vstress,
                       reports::ShellQuote((dir / "config.toml").string()), o.crash_mode,
                       o.cycles != 0 ? fmt::format(" --cycles {}", o.cycles) : "",
                       o.fs != "real" ? " --fs " + o.fs : "",
                       reports::ShellQuote((dir / "repro").string()));
  }
  return fmt::format("{} run --config {} --out {}", vstress,
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

// Every progress line is kept for a crash report (process_signals.h), and shown unless `mode` is
// off: in place on a terminal, a line every 10 s otherwise.
std::function<void(const std::string&)> ProgressSink(const std::string& mode, std::ostream& err,
                                                     double* interval) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (mode == "off") {
    *interval = 1;
    return [](const std::string& line) { SetLastProgress(line); };
  }
  if (tty && mode != "plain") {
    *interval = 0.25;
    return [&err](const std::string& line) {
      SetLastProgress(line);
      err << "\r\033[K" << line << std::flush;
    };
  }
  *interval = 10;
  return [&err](const std::string& line) {
    SetLastProgress(line);
    err << line << "\n" << std::flush;
  };
}

// summary.json's fixed members, for a crash report written from a signal handler.
std::string CrashReportIdentity(const RunCommandOptions& o, const workloads::WorkloadSpec& spec,
                                const std::string& run_dir) {
  nlohmann::json j = {{"seed", spec.seed},
                      {"preset", spec.name},
                      {"mutant", MutantLabel(spec)},
                      {"driver", o.driver == Driver::kSimulated ? "sim"
                                 : o.driver == Driver::kCrash   ? "crash"
                                                                : "run"},
                      {"repro", ReproCommand(o, run_dir)}};
  const std::string text = j.dump();
  return text.substr(1, text.size() - 2);  // without the braces
}

// Fault coverage ("sometimes" assertions): a pair the workload expects to fire that never did
// fails a run that otherwise ended normally.
void CheckCoverage(const reports::RunInfo& info, reports::RunOutcome* outcome) {
  if (outcome->result != "pass" && outcome->result != "violation") return;
  for (const std::string& pair : info.expect_reached) {
    if (info.FiresOf(pair) > 0) continue;
    reports::Violation v;
    v.kind = "coverage";
    v.message = fmt::format(
        "fault coverage: {} never fired (expect_reached): the run never tested that path", pair);
    v.seconds = outcome->duration_seconds;
    outcome->violations.push_back(std::move(v));
    outcome->violation_count++;
    outcome->result = "violation";
    outcome->exit_code = kExitViolation;
  }
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
  if (!r.crash_cycles.empty()) {
    uint64_t recovered = 0;
    uint64_t dropped = 0;
    uint64_t lost = 0;
    for (const auto& c : r.crash_cycles) {
      recovered += c.ok ? 1 : 0;
      dropped += c.dropped_writes;
      lost += c.lost_writes;
    }
    out << fmt::format(
        "crashes: {} {} cycles, {} recovered and verified; {} acknowledged writes that were not "
        "durable dropped, {} durable writes lost\n",
        r.crash_cycles.size(), r.crash_mode.empty() ? "crash" : r.crash_mode, recovered, dropped,
        lost);
  }
  if (!r.error.empty()) out << "error: " << r.error << "\n";
  for (const auto& v : r.violations) {
    out << fmt::format("violation [{}] {}: {}\n", v.kind,
                       v.thread.empty() ? "checks at rest" : v.thread, v.message);
    if (!v.op.empty()) out << fmt::format("  op: {}\n", v.op);
    if (!v.expected.empty() || !v.observed.empty()) {
      out << fmt::format("  expected {} observed {}\n", v.expected, v.observed);
    }
    break;  // the first; violations.json has them all
  }
  out << "run directory: " << info.run_dir << "\n";
}

// The two runs of --check-determinism disagree: exit 4 naming the first step where they differ.
int ReportNondeterminism(const workloads::WorkloadSpec& spec, const SimRun& first,
                         const SimRun& second, uint64_t step, Watchdog* watchdog,
                         std::ostream& err) {
  // The first run's line at that step, from a run of the same seed stopped there.
  std::string first_line = "(not available)";
  if (auto env = MakeEnvironment(spec, EnvironmentKind::kSimulated, "/db", ""); env.ok()) {
    SimOptions options;
    options.history_ops = 0;
    options.max_steps = step;
    RunConfig config = env.value()->Config(spec);
    config.watchdog = watchdog;
    const SimRun again = RunSimulated(config, options);
    if (step <= again.history.size()) first_line = again.history[step - 1];
  }
  const auto line_of = [step](const SimRun& run) -> std::string {
    const std::string prefix = fmt::format("#{} ", step);
    for (const std::string& line : run.history) {
      if (line.starts_with(prefix)) return line;
    }
    return "(not available)";
  };
  err << fmt::format(
      "vstress sim: --check-determinism: the two runs differ first at step #{} (of {} and {}):\n"
      "  first run:  {}\n  second run: {}\n",
      step, first.steps, second.steps, first_line, line_of(second));
  return kExitFailure;
}

// Runs the simulation a second time and compares every step's trace hash with the first run's.
int CheckDeterminism(const workloads::WorkloadSpec& spec, const SimRun& first, Watchdog* watchdog,
                     std::ostream& out, std::ostream& err) {
  auto env = MakeEnvironment(spec, EnvironmentKind::kSimulated, "/db", "");
  if (!env.ok()) {
    err << "vstress sim: " << env.status().ToString() << "\n";
    return kExitFailure;
  }
  SimOptions options;
  options.history_ops = 4;  // the line that differed and the few before it
  options.expected_hashes = &first.step_hashes;
  RunConfig config = env.value()->Config(spec);
  config.watchdog = watchdog;
  const SimRun second = RunSimulated(config, options);
  if (second.mismatch_step != 0) {
    return ReportNondeterminism(spec, first, second, second.mismatch_step, watchdog, err);
  }
  if (second.steps != first.steps || second.trace_hash != first.trace_hash) {
    return ReportNondeterminism(spec, first, second, std::min(first.steps, second.steps) + 1,
                                watchdog, err);
  }
  out << fmt::format("determinism: a second run took the same {} steps (trace {:016x})\n",
                     second.steps, second.trace_hash);
  return kExitPass;
}

// What writing a run's outputs takes, however the run ended.
struct RunSession {
  const RunCommandOptions& o;
  const char* command;
  const workloads::WorkloadSpec& spec;
  std::string run_dir;
  RunEnvironment* env;
  reports::RunMetrics* metrics;
  reports::MetricsExporter* exporter;  // may be null
  bool kill;
  std::ostream& out;
  std::ostream& err;

  // Writes every output of the run and prints its result. `stalled`: the watchdog ended it with a
  // thread stuck anywhere, so nothing that could wait on the run's own locks is touched (libfiu's
  // uninstall, the in-memory DB's copy to db/).
  void Conclude(reports::RunOutcome* outcome, const SimRun* sim, double sim_wall_seconds,
                bool stalled) const {
    reports::RunInfo info = MakeRunInfo(spec, run_dir, ReproCommand(o, run_dir), *env->faults, sim);
    if (o.driver == Driver::kCrash) info.driver = "crash";
    // A kill run's faults fired in its children.
    for (const auto& [series, n] :
         kill ? outcome->final_metrics.faults : decltype(outcome->final_metrics.faults)()) {
      info.faults_injected_total += n;
      info.faults_by_point[series.first] += n;
      info.faults_by_point_action[series.first][series.second] += n;
    }
    info.expect_reached = spec.expect_reached;
    CheckCoverage(info, outcome);
    if (info.sim) {
      info.sim->determinism_checked = o.check_determinism;
      info.sim->wall_seconds = sim_wall_seconds;
    }
    if (exporter != nullptr) {
      metrics->Publish(outcome->final_metrics);
      if (engine::Status s = exporter->Finish(); !s.ok()) {
        // The run's result stands; the lost metrics are reported.
        err << command << ": metrics: " << s.ToString() << "\n";
      }
    }
    WriteRunOutputs(run_dir, info, *outcome, sim, *env, metrics, err, /*write_db=*/!stalled);
    PrintResult(*outcome, info, out);
    if (sim != nullptr) {
      out << fmt::format(
          "simulated: {} steps, trace {:016x}{}\n", sim->steps, sim->trace_hash,
          sim->first_violation_step == 0
              ? std::string()
              : fmt::format(", first violation at step #{}", sim->first_violation_step));
    }
    out << std::flush;
  }
};

}  // namespace

std::vector<std::string> DriverFlags(const RunCommandOptions& o) {
  std::vector<std::string> flags;
  const auto add = [&flags](const char* flag, const std::string& value) {
    if (!value.empty()) flags.insert(flags.end(), {flag, value});
  };
  const auto add_number = [&flags](const char* flag, const auto& value) {
    if (value) flags.insert(flags.end(), {flag, std::to_string(*value)});
  };
  add("--duration", o.duration);
  add_number("--ops", o.ops);
  add_number("--readers", o.readers);
  add_number("--writers", o.writers);
  add_number("--scanners", o.scanners);
  add_number("--snapshot-readers", o.snapshot_readers);
  add("--on-background-error", o.on_background_error);
  for (const std::string& rule : o.fault_rules) add("--fault", rule);
  std::error_code ec;
  if (!o.faults_file.empty()) add("--faults", fs::absolute(o.faults_file, ec).string());
  add("--mutant", o.mutant);
  for (const std::string& set : o.sets) add("--set", set);
  if (o.keep_going) flags.push_back("--keep-going");
  add("--fiu-control", o.fiu_control);
  if (o.cleanup_on_pass) flags.push_back("--cleanup-on-pass");
  add("--metrics-listen", o.metrics_listen);
  add("--metrics-textfile", o.metrics_textfile);
  add("--push-gateway", o.push_gateway);
  if (o.driver == Driver::kSimulated) {
    add("--schedule", o.schedule);
    if (o.check_determinism) flags.push_back("--check-determinism");
    if (o.history_ops != RunCommandOptions().history_ops) {
      add_number("--history-ops", std::optional<uint64_t>(o.history_ops));
    }
  }
  if (o.driver == Driver::kCrash) {
    add("--mode", o.crash_mode);
    if (o.cycles != 0) add_number("--cycles", std::optional<uint64_t>(o.cycles));
    if (o.fs != RunCommandOptions().fs) add("--fs", o.fs);
  }
  return flags;
}

engine::Result<workloads::WorkloadSpec> ResolveWorkload(const RunCommandOptions& o) {
  std::optional<MutantInfo> mutant;
  if (!o.mutant.empty() && !(mutant = FindMutant(o.mutant))) {
    return engine::Status::InvalidArgument("--mutant: unknown mutant '" + o.mutant +
                                           "' (see `vstress mutants`)");
  }
  auto base = BaseSpec(o);
  if (!base.ok()) return base.status();
  workloads::WorkloadSpec spec = std::move(base).value();
  // The mutant is part of the engine config, so config.toml (and repro.sh) carry it.
  if (mutant && std::find(spec.engine.mutations.begin(), spec.engine.mutations.end(), o.mutant) ==
                    spec.engine.mutations.end()) {
    spec.engine.mutations.push_back(o.mutant);
  }
  if (engine::Status s = ApplyFlags(o, &spec); !s.ok()) return s;
  return spec;
}

int RunRunCommand(const RunCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* const command = o.driver == Driver::kSimulated ? "vstress sim"
                              : o.driver == Driver::kCrash   ? "vstress crash"
                                                             : "vstress run";
  auto resolved = ResolveWorkload(o);
  if (!resolved.ok()) {
    err << command << ": " << resolved.status().message() << "\n";
    return kExitUsage;
  }
  workloads::WorkloadSpec spec = std::move(resolved).value();
  const bool kill = o.driver == Driver::kCrash && o.crash_mode == "kill";
  if (kill && o.ops) {
    err << command << ": --ops: a kill run goes on for --duration or --cycles\n";
    return kExitUsage;
  }
  if (kill && o.fs != "real") {
    err << command << ": --fs memory: a killed process leaves only a real directory behind\n";
    return kExitUsage;
  }
  const std::string run_dir = o.out_dir.empty() ? DefaultRunDir(spec.seed) : o.out_dir;
  // Metrics: bad --metrics-listen / --push-gateway values are usage errors, found before the run.
  const std::string mutants = MutantLabel(spec);
  reports::RunMetrics metrics(MetricsLabels(spec, run_dir));
  metrics.DeclareFaults(FaultSeries(spec.faults));
  std::unique_ptr<reports::MetricsExporter> exporter;
  if (!o.metrics_listen.empty() || !o.metrics_textfile.empty() || !o.push_gateway.empty()) {
    auto started = reports::MetricsExporter::Start(
        &metrics, {o.metrics_listen, o.metrics_textfile, o.push_gateway});
    if (!started.ok()) {
      err << command << ": " << started.status().message() << "\n";
      return kExitUsage;
    }
    exporter = std::move(started).value();
    if (!exporter->listen_url().empty()) {
      out << "metrics: " << exporter->listen_url() << "\n" << std::flush;
    }
  }
  if (!o.fiu_control.empty()) {
    if (engine::Status s = faults::FaultController::OpenRemoteControl(o.fiu_control); !s.ok()) {
      err << command << ": --fiu-control: " << s.message() << "\n";
      return kExitUsage;
    }
    out << fmt::format("fiu-control: fiu-ctrl -f {} -c \"enable name=POINT\" {}\n",
                       reports::ShellQuote(o.fiu_control), getpid())
        << std::flush;
  }
  std::error_code ec;
  const bool kill_child = !o.kill_child_db.empty();
  if (!kill_child) fs::remove_all(run_dir + "/db", ec);
  fs::create_directories(run_dir, ec);
  if (ec) {
    err << command << ": cannot create " << run_dir << ": " << ec.message() << "\n";
    return kExitUsage;
  }
  reports::WriteFileAtomically(run_dir + "/config.toml", workloads::ToToml(spec));
  WriteRepro(run_dir, ReproCommand(o, run_dir));
  // An abort or a segfault from here on still leaves summary.json (result crash) and stacks.txt.
  InstallCrashReport(run_dir, CrashReportIdentity(o, spec, run_dir));

  const bool simulated = o.driver == Driver::kSimulated;
  const bool in_memory = simulated || (o.driver == Driver::kCrash && o.fs == "memory");
  const EnvironmentKind kind = simulated   ? EnvironmentKind::kSimulated
                               : in_memory ? EnvironmentKind::kRealInMemory
                                           : EnvironmentKind::kReal;
  // A kill run's faults and clients are its children's: this process only verifies.
  workloads::WorkloadSpec verifier_spec = spec;
  if (kill) {
    verifier_spec.faults.clear();
    verifier_spec.readers.threads = 0;
    verifier_spec.writers.threads = 0;
    verifier_spec.scanners.threads = 0;
    verifier_spec.snapshot_readers.threads = 0;
  }
  const std::string db_path = in_memory ? "/db" : kill_child ? o.kill_child_db : run_dir + "/db";
  auto environment =
      MakeEnvironment(kill ? verifier_spec : spec, kind, db_path, run_dir + "/faults.log");
  if (!environment.ok()) {
    err << command << ": installing faults: " << environment.status().ToString() << "\n";
    return kExitFailure;
  }
  RunEnvironment& env = *environment.value();
  RunConfig config = env.Config(kill ? verifier_spec : spec);
  config.keep_going = o.keep_going;
  if (kill_child) {
    config.adopt_db_state = true;
    config.ack_log_dir = o.kill_child_acks;
    config.writer_id_base = o.kill_child_writer_base;
  }
  config.crash_copy_dir = run_dir;
  config.keep_for_crashes =
      o.driver == Driver::kCrash ||
      std::any_of(spec.faults.begin(), spec.faults.end(),
                  [](const faults::Rule& r) { return r.action == faults::Action::kCrash; });
  if (o.driver == Driver::kCrash) {
    config.crash_mode = o.crash_mode;
    config.crash_cycles = o.cycles;
  }
  config.progress = ProgressSink(o.progress, err, &config.progress_interval_seconds);
  if (exporter) {
    config.on_sample = [&exporter](const reports::MetricsSnapshot& m) { exporter->OnSample(m); };
  }
  out << fmt::format("{}: preset {} seed {}{} -> {}\n", command, spec.name, spec.seed,
                     mutants.empty() ? "" : " mutant " + mutants, run_dir)
      << std::flush;
  const RunSession session{o,        command,        spec, run_dir, &env,
                           &metrics, exporter.get(), kill, out,     err};
  // Ends a run that stopped making progress, wherever it is stuck, with its outputs and exit 3.
  Watchdog watchdog({StallBoundSeconds(spec.watchdog_seconds),
                     [&session](reports::RunOutcome stalled, const SimRun* sim) {
                       session.Conclude(&stalled, sim, 0, /*stalled=*/true);
                     }});
  config.watchdog = &watchdog;
  std::optional<SimRun> sim;
  double sim_wall_seconds = 0;
  reports::RunOutcome outcome;
  if (simulated) {
    SimOptions options;
    options.history_ops = o.history_ops;
    options.step_hashes = o.check_determinism;
    const auto started = std::chrono::steady_clock::now();
    sim = RunSimulated(config, options);
    sim_wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcome = std::move(sim->outcome);
  } else if (kill) {
    KillPlan plan;
    plan.vstress = SelfExecutable();
    plan.config_path = run_dir + "/config.toml";
    plan.run_dir = run_dir;
    plan.cycles = o.cycles;
    outcome = RunKillCycles(config, plan);
  } else {
    outcome = RunThreaded(config);
  }
  watchdog.Beat();
  env.faults->Uninstall();
  if (o.progress != "off" && isatty(STDERR_FILENO)) err << "\n";
  session.Conclude(&outcome, sim ? &*sim : nullptr, sim_wall_seconds, /*stalled=*/false);
  if (o.cleanup_on_pass && outcome.exit_code == kExitPass) fs::remove_all(run_dir + "/db", ec);
  if (sim && o.check_determinism) {
    const int rc = CheckDeterminism(spec, *sim, &watchdog, out, err);
    if (rc != kExitPass) return rc;
  }
  return outcome.exit_code;
}

}  // namespace harness
