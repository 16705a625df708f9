#include "harness/cli/run_command.h"

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
#include "harness/drivers/kill_driver.h"
#include "harness/drivers/mutants.h"
#include "harness/drivers/run_environment.h"
#include "harness/drivers/run_outputs.h"
#include "harness/drivers/sim_driver.h"
#include "harness/drivers/threaded_driver.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/process/process_signals.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/metrics.h"
#include "reports/run_files.h"
#include "stores/registry.h"
#include "workloads/presets.h"
#include "workloads/workload_spec.h"

namespace harness::cli {
namespace {

namespace fs = std::filesystem;

std::string DefaultRunDir(uint64_t seed) {
  const auto now = std::chrono::system_clock::now();
  return fmt::format("runs/{:%Y%m%dT%H%M%S}Z-seed{}", std::chrono::floor<std::chrono::seconds>(now),
                     seed);
}

// config.toml holds everything, the seed and any mutant included. Paths are absolute so the
// script works from any directory.
std::string ReproCommand(const drivers::RunCommandOptions& o, const std::string& run_dir) {
  std::error_code ec;
  const fs::path dir = fs::absolute(run_dir, ec);
  const std::string vstress = drivers::VstressCommand(o.argv0);
  // A simulated run replays exactly; a threaded one replays its config and seed.
  if (o.driver == drivers::Driver::kSimulated) {
    return fmt::format("{} repro {}", vstress, reports::ShellQuote(dir.string()));
  }
  if (o.driver == drivers::Driver::kCrash) {
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
    return [](const std::string& line) { process::SetLastProgress(line); };
  }
  if (tty && mode != "plain") {
    *interval = 0.25;
    return [&err](const std::string& line) {
      process::SetLastProgress(line);
      err << "\r\033[K" << line << std::flush;
    };
  }
  *interval = 10;
  return [&err](const std::string& line) {
    process::SetLastProgress(line);
    err << line << "\n" << std::flush;
  };
}

// What a store that is not vstress's own cannot do is refused before anything runs (exit 2,
// naming why). Of the workload's fault rules, those naming engine points (which only the vstress
// engine reaches) are left out with a note, and so are fs/ rules on a store whose files do not go
// through the run's FaultFS. Returns kExitPass when the run may go on.
int CheckStore(const drivers::RunCommandOptions& o, const char* command,
               workloads::WorkloadSpec* spec, std::ostream& out, std::ostream& err) {
  const stores::StoreKind* store = stores::FindStore(spec->store.name);
  const auto refuse = [&](std::string_view why) {
    err << fmt::format("{}: store {}: {}\n", command, store->name, why);
    return model::kExitUsage;
  };
  if (spec->on_background_error == "resume" && !store->resumes_after_background_error) {
    return refuse(
        "on_background_error = resume: it cannot clear a background error without a reopen "
        "(use reopen)");
  }
  if (store->runs_on_run_file_system) return model::kExitPass;
  if (o.check_determinism) {
    return refuse(
        "--check-determinism: the engine does its background work on its own threads, "
        "so a second run need not take the same steps; the harness's side is still "
        "scheduled from the seed");
  }
  const auto reaches = [&](std::string_view point) {
    return store->file_faults && point.starts_with("fs/");
  };
  std::vector<faults::Rule> kept;
  for (const faults::Rule& rule : spec->faults) {
    if (reaches(rule.pattern)) kept.push_back(rule);
  }
  if (const size_t dropped = spec->faults.size() - kept.size(); dropped > 0) {
    out << fmt::format(
               "{}: store {}: the workload's {} fault rule{} name points {} does not "
               "reach; left out\n",
               command, store->name, dropped, dropped == 1 ? "" : "s", store->name)
        << std::flush;
  }
  spec->faults = std::move(kept);
  std::erase_if(spec->expect_reached, [&](const std::string& pair) { return !reaches(pair); });
  return model::kExitPass;
}

// summary.json's fixed members, for a crash report written from a signal handler.
std::string CrashReportIdentity(const drivers::RunCommandOptions& o,
                                const workloads::WorkloadSpec& spec, const std::string& run_dir) {
  nlohmann::json j = {{"seed", spec.seed},
                      {"preset", spec.name},
                      {"mutant", drivers::MutantLabel(spec)},
                      {"driver", o.driver == drivers::Driver::kSimulated ? "sim"
                                 : o.driver == drivers::Driver::kCrash   ? "crash"
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
    outcome->exit_code = model::kExitViolation;
  }
}

void PrintResult(const reports::RunOutcome& r, const reports::RunInfo& info, std::ostream& out) {
  out << fmt::format(
      "result: {} (exit {}) in {:.1f}s\n"
      "checked: {} reads, {} scans ({} keys), {} snapshot reads, {} invariant checks\n"
      "engine: max live Versions {}, max deferred deletions {}, {} flushes, {} compactions, "
      "{} files deleted\n"
      "faults: {} injected; violations: {}\n",
      r.result, r.exit_code, r.duration_seconds,
      r.checks.count("reads_checked") ? r.checks.at("reads_checked") : 0,
      r.checks.count("scans_checked") ? r.checks.at("scans_checked") : 0,
      r.checks.count("scan_keys_checked") ? r.checks.at("scan_keys_checked") : 0,
      r.checks.count("snapshot_reads_checked") ? r.checks.at("snapshot_reads_checked") : 0,
      r.checks.count("invariant_checks") ? r.checks.at("invariant_checks") : 0,
      r.engine.Exposes("live_versions") ? std::to_string(r.engine.max_live_versions)
                                        : std::string("not exposed"),
      r.engine.Exposes("deferred_deletions") ? std::to_string(r.engine.max_deferred_deletions)
                                             : std::string("not exposed"),
      r.engine.flushes, r.engine.compactions, r.engine.files_deleted, info.faults_injected_total,
      r.violation_count);
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
int ReportNondeterminism(const workloads::WorkloadSpec& spec, const drivers::SimRun& first,
                         const drivers::SimRun& second, uint64_t step, drivers::Watchdog* watchdog,
                         std::ostream& err) {
  // The first run's line at that step, from a run of the same seed stopped there.
  std::string first_line = "(not available)";
  if (auto env = drivers::MakeEnvironment(spec, drivers::EnvironmentKind::kSimulated, "/db", "");
      env.ok()) {
    drivers::SimOptions options;
    options.history_ops = 0;
    options.max_steps = step;
    drivers::RunConfig config = env.value()->Config(spec);
    config.watchdog = watchdog;
    const drivers::SimRun again = drivers::RunSimulated(config, options);
    if (step <= again.history.size()) first_line = again.history[step - 1];
  }
  const auto line_of = [step](const drivers::SimRun& run) -> std::string {
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
  return model::kExitFailure;
}

// Runs the simulation a second time and compares every step's trace hash with the first run's.
int CheckDeterminism(const workloads::WorkloadSpec& spec, const drivers::SimRun& first,
                     drivers::Watchdog* watchdog, std::ostream& out, std::ostream& err) {
  auto env = drivers::MakeEnvironment(spec, drivers::EnvironmentKind::kSimulated, "/db", "");
  if (!env.ok()) {
    err << "vstress sim: " << env.status().ToString() << "\n";
    return model::kExitFailure;
  }
  drivers::SimOptions options;
  options.history_ops = 4;  // the line that differed and the few before it
  options.expected_hashes = &first.step_hashes;
  drivers::RunConfig config = env.value()->Config(spec);
  config.watchdog = watchdog;
  const drivers::SimRun second = drivers::RunSimulated(config, options);
  if (second.mismatch_step != 0) {
    return ReportNondeterminism(spec, first, second, second.mismatch_step, watchdog, err);
  }
  if (second.steps != first.steps || second.trace_hash != first.trace_hash) {
    return ReportNondeterminism(spec, first, second, std::min(first.steps, second.steps) + 1,
                                watchdog, err);
  }
  out << fmt::format("determinism: a second run took the same {} steps (trace {:016x})\n",
                     second.steps, second.trace_hash);
  return model::kExitPass;
}

// What writing a run's outputs takes, however the run ended.
struct RunSession {
  const drivers::RunCommandOptions& o;
  const char* command;
  const workloads::WorkloadSpec& spec;
  std::string run_dir;
  drivers::RunEnvironment* env;
  reports::RunMetrics* metrics;
  reports::MetricsExporter* exporter;  // may be null
  bool kill;
  std::ostream& out;
  std::ostream& err;

  // Writes every output of the run and prints its result. `stalled`: the watchdog ended it with a
  // thread stuck anywhere, so nothing that could wait on the run's own locks is touched (libfiu's
  // uninstall, the in-memory DB's copy to db/).
  void Conclude(reports::RunOutcome* outcome, const drivers::SimRun* sim, double sim_wall_seconds,
                bool stalled) const {
    reports::RunInfo info =
        drivers::MakeRunInfo(spec, run_dir, ReproCommand(o, run_dir), *env->faults, sim);
    if (o.driver == drivers::Driver::kCrash) info.driver = "crash";
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
    drivers::WriteRunOutputs(run_dir, info, *outcome, sim, *env, metrics, err,
                             /*write_db=*/!stalled);
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

int RunRunCommand(const drivers::RunCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* const command = o.driver == drivers::Driver::kSimulated ? "vstress sim"
                              : o.driver == drivers::Driver::kCrash   ? "vstress crash"
                                                                      : "vstress run";
  auto resolved = drivers::ResolveWorkload(o);
  if (!resolved.ok()) {
    err << command << ": " << resolved.status().message() << "\n";
    return model::kExitUsage;
  }
  workloads::WorkloadSpec spec = std::move(resolved).value();
  const bool kill = o.driver == drivers::Driver::kCrash && o.crash_mode == "kill";
  if (kill && o.ops) {
    err << command << ": --ops: a kill run goes on for --duration or --cycles\n";
    return model::kExitUsage;
  }
  if (kill && o.fs != "real") {
    err << command << ": --fs memory: a killed process leaves only a real directory behind\n";
    return model::kExitUsage;
  }
  if (const int refused = CheckStore(o, command, &spec, out, err); refused != model::kExitPass) {
    return refused;
  }
  const std::string run_dir = o.out_dir.empty() ? DefaultRunDir(spec.seed) : o.out_dir;
  // Metrics: bad --metrics-listen / --push-gateway values are usage errors, found before the run.
  const std::string mutants = drivers::MutantLabel(spec);
  reports::RunMetrics metrics(drivers::MetricsLabels(spec, run_dir));
  metrics.DeclareFaults(drivers::FaultSeries(spec.faults));
  std::unique_ptr<reports::MetricsExporter> exporter;
  if (!o.metrics_listen.empty() || !o.metrics_textfile.empty() || !o.push_gateway.empty()) {
    auto started = reports::MetricsExporter::Start(
        &metrics, {o.metrics_listen, o.metrics_textfile, o.push_gateway});
    if (!started.ok()) {
      err << command << ": " << started.status().message() << "\n";
      return model::kExitUsage;
    }
    exporter = std::move(started).value();
    if (!exporter->listen_url().empty()) {
      out << "metrics: " << exporter->listen_url() << "\n" << std::flush;
    }
  }
  if (!o.fiu_control.empty()) {
    if (engine::Status s = faults::FaultController::OpenRemoteControl(o.fiu_control); !s.ok()) {
      err << command << ": --fiu-control: " << s.message() << "\n";
      return model::kExitUsage;
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
    return model::kExitUsage;
  }
  reports::WriteFileAtomically(run_dir + "/config.toml", workloads::ToToml(spec));
  WriteRepro(run_dir, ReproCommand(o, run_dir));
  // An abort or a segfault from here on still leaves summary.json (result crash) and stacks.txt.
  process::InstallCrashReport(run_dir, CrashReportIdentity(o, spec, run_dir));

  const bool simulated = o.driver == drivers::Driver::kSimulated;
  // A store that runs its own threads on the real file system is simulated on disk.
  const bool own_file_system = stores::FindStore(spec.store.name)->runs_on_run_file_system;
  const bool in_memory =
      (simulated && own_file_system) || (o.driver == drivers::Driver::kCrash && o.fs == "memory");
  const drivers::EnvironmentKind kind =
      simulated   ? (own_file_system ? drivers::EnvironmentKind::kSimulated
                                     : drivers::EnvironmentKind::kSimulatedOnDisk)
      : in_memory ? drivers::EnvironmentKind::kRealInMemory
                  : drivers::EnvironmentKind::kReal;
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
      drivers::MakeEnvironment(kill ? verifier_spec : spec, kind, db_path, run_dir + "/faults.log");
  if (!environment.ok()) {
    err << command << ": installing faults: " << environment.status().ToString() << "\n";
    return model::kExitFailure;
  }
  drivers::RunEnvironment& env = *environment.value();
  drivers::RunConfig config = env.Config(kill ? verifier_spec : spec);
  config.keep_going = o.keep_going;
  if (kill_child) {
    config.adopt_db_state = true;
    config.ack_log_dir = o.kill_child_acks;
    config.writer_id_base = o.kill_child_writer_base;
    config.first_sequence = o.kill_child_first_sequence;
  }
  config.crash_copy_dir = run_dir;
  config.keep_for_crashes =
      o.driver == drivers::Driver::kCrash ||
      std::any_of(spec.faults.begin(), spec.faults.end(),
                  [](const faults::Rule& r) { return r.action == faults::Action::kCrash; });
  if (o.driver == drivers::Driver::kCrash) {
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
  drivers::Watchdog watchdog({drivers::StallBoundSeconds(spec.watchdog_seconds),
                              [&session](reports::RunOutcome stalled, const drivers::SimRun* sim) {
                                session.Conclude(&stalled, sim, 0, /*stalled=*/true);
                              }});
  config.watchdog = &watchdog;
  std::optional<drivers::SimRun> sim;
  double sim_wall_seconds = 0;
  reports::RunOutcome outcome;
  if (simulated) {
    drivers::SimOptions options;
    options.history_ops = o.history_ops;
    options.step_hashes = o.check_determinism;
    const auto started = std::chrono::steady_clock::now();
    sim = drivers::RunSimulated(config, options);
    sim_wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcome = std::move(sim->outcome);
    if (sim->ended_on_wall_clock) {
      out << fmt::format(
          "note: {} runs its background work on its own threads; the run ended at its wall-clock "
          "budget ({:.0f}s) at {:.2f}s simulated, before its duration\n",
          spec.store.name, drivers::kWallSecondsPerWorkSecond * spec.duration_seconds,
          outcome.duration_seconds);
    }
  } else if (kill) {
    drivers::KillPlan plan;
    plan.vstress = process::SelfExecutable();
    plan.config_path = run_dir + "/config.toml";
    plan.run_dir = run_dir;
    plan.cycles = o.cycles;
    outcome = drivers::RunKillCycles(config, plan);
  } else {
    outcome = drivers::RunThreaded(config);
  }
  watchdog.Beat();
  env.faults->Uninstall();
  if (o.progress != "off" && isatty(STDERR_FILENO)) err << "\n";
  session.Conclude(&outcome, sim ? &*sim : nullptr, sim_wall_seconds, /*stalled=*/false);
  if (o.cleanup_on_pass && outcome.exit_code == model::kExitPass)
    fs::remove_all(run_dir + "/db", ec);
  if (sim && o.check_determinism) {
    const int rc = CheckDeterminism(spec, *sim, &watchdog, out, err);
    if (rc != model::kExitPass) return rc;
  }
  return outcome.exit_code;
}

}  // namespace harness::cli
