#include "harness/reduce/shrink.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "faults/fault_rule.h"
#include "harness/drivers/run_environment.h"
#include "harness/drivers/run_outputs.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/reduce/recorded_run.h"
#include "harness/reduce/shrinker.h"
#include "reports/failure_signature.h"
#include "reports/run_files.h"

namespace harness::reduce {
namespace {

namespace fs = std::filesystem;


// A replay of `script`: does it fail with `kind`, and at which step?
std::optional<size_t> ReplayFailsWith(const workloads::WorkloadSpec& spec, const std::string& kind,
                                      const std::vector<drivers::SimStep>& script) {
  auto env = drivers::MakeEnvironment(spec, drivers::EnvironmentKind::kReplay, "/db", "");
  if (!env.ok()) return std::nullopt;
  drivers::SimOptions options;
  options.history_ops = 1;
  const drivers::SimRun run = drivers::Replay(env.value()->Config(spec), script, options);
  env.value()->faults->Uninstall();
  if (run.outcome.result != "violation" || run.FirstViolationKind() != kind) return std::nullopt;
  return static_cast<size_t>(run.first_violation_step);
}

// What isolating the candidates found: replays that hung or died, counted as not failing.
struct CandidateTrouble {
  uint64_t hung = 0;
  uint64_t died = 0;
};

// ReplayFailsWith in a forked child (RunForked), so that a candidate that hangs — its one thread
// stuck inside a step — or aborts cannot take the shrink down with it: a hung or dead candidate
// counts as "does not fail the same way".
std::optional<size_t> FailsWith(const workloads::WorkloadSpec& spec, const std::string& kind,
                                const std::vector<drivers::SimStep>& script, double limit_seconds,
                                CandidateTrouble* trouble) {
  int64_t step = -1;
  const process::ForkedEnd end = process::RunForked(
      limit_seconds,
      [&]() -> int64_t {
        const std::optional<size_t> failed = ReplayFailsWith(spec, kind, script);
        return failed ? static_cast<int64_t>(*failed) : -1;
      },
      &step);
  if (end == process::ForkedEnd::kTimedOut) trouble->hung++;
  if (end == process::ForkedEnd::kDied) trouble->died++;
  if (end != process::ForkedEnd::kAnswered || step < 0) return std::nullopt;
  return static_cast<size_t>(step);
}

// A seeded simulation of `spec`, every step captured.
drivers::SimRun Capture(const workloads::WorkloadSpec& spec, drivers::Watchdog* watchdog) {
  auto env = drivers::MakeEnvironment(spec, drivers::EnvironmentKind::kSimulated, "/db", "");
  if (!env.ok()) return drivers::SimRun();
  drivers::SimOptions options;
  options.history_ops = 1;
  options.capture = true;
  drivers::RunConfig config = env.value()->Config(spec);
  config.watchdog = watchdog;
  drivers::SimRun run = drivers::RunSimulated(config, options);
  env.value()->faults->Uninstall();
  return run;
}

// The steps to shrink: a simulated run's own; for a threaded run, those of the first simulated
// seed that fails the same way.
engine::Result<std::vector<drivers::SimStep>> FailingScript(RecordedRun* rec, uint64_t search_seeds,
                                                            drivers::Watchdog* watchdog,
                                                            std::ostream& out) {
  if (rec->replayable()) return ScriptOf(*rec->history);
  const uint64_t first = rec->spec.seed;
  const uint64_t tries = rec->simulated() ? 1 : search_seeds;
  for (uint64_t i = 0; i < tries; i++) {
    rec->spec.seed = first + i;
    const drivers::SimRun run = Capture(rec->spec, watchdog);
    const std::string kind = run.FirstViolationKind();
    if (!rec->simulated()) {
      out << fmt::format("  simulated seed {}: {}\n", rec->spec.seed,
                         kind.empty()
                             ? run.outcome.result
                             : fmt::format("{} at step #{}", kind, run.first_violation_step))
          << std::flush;
    }
    if (kind == rec->first_kind) {
      return CutAfter(run.captured, run.first_violation_step);
    }
  }
  return engine::Status::NotFound(
      fmt::format("no simulated seed of {} from {} fails with {}", tries, first, rec->first_kind));
}

// Replays the minimal script with every output and writes its run directory.
drivers::SimRun WriteMinimal(const workloads::WorkloadSpec& spec,
                             const std::vector<drivers::SimStep>& script, const std::string& dir,
                             const std::string& argv0, std::ostream& err) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  reports::WriteFileAtomically(dir + "/config.toml", workloads::ToToml(spec));
  const std::string repro = fmt::format("{} repro {}", drivers::VstressCommand(argv0),
                                        reports::ShellQuote(fs::absolute(dir, ec).string()));
  reports::WriteFileAtomically(
      dir + "/repro.sh",
      "#!/usr/bin/env bash\n# Replays this reduced case step by step.\n" + repro + " \"$@\"\n");
  fs::permissions(dir + "/repro.sh", fs::perms::owner_exec | fs::perms::group_exec,
                  fs::perm_options::add, ec);
  auto env =
      drivers::MakeEnvironment(spec, drivers::EnvironmentKind::kReplay, "/db", dir + "/faults.log");
  if (!env.ok()) return drivers::SimRun();
  drivers::SimOptions options;
  options.history_ops = 0;
  drivers::SimRun run = drivers::Replay(env.value()->Config(spec), script, options);
  env.value()->faults->Uninstall();
  reports::RunMetrics metrics(drivers::MetricsLabels(spec, dir));
  drivers::WriteRunOutputs(dir, drivers::MakeRunInfo(spec, dir, repro, *env.value()->faults, &run),
                           run.outcome, &run, *env.value(), &metrics, err);
  return run;
}

}  // namespace

int RunShrinkCommand(const ShrinkCommandOptions& o, std::ostream& out, std::ostream& err) {
  std::chrono::microseconds limit;
  if (!faults::ParseDuration(o.time_limit, &limit) || limit.count() <= 0) {
    err << "vstress shrink: --time-limit: '" << o.time_limit << "' is not a duration like 60s\n";
    return model::kExitUsage;
  }
  auto loaded = LoadRecordedRun(o.run_dir);
  if (!loaded.ok()) {
    err << "vstress shrink: " << loaded.status().message() << "\n";
    return model::kExitUsage;
  }
  RecordedRun rec = std::move(loaded).value();
  if (rec.result != "violation" || rec.first_kind.empty()) {
    err << fmt::format("vstress shrink: {} did not fail with a violation ({}): nothing to shrink\n",
                       rec.dir, rec.result);
    return model::kExitUsage;
  }
  out << fmt::format("vstress shrink: {} ({} run, {})\n", rec.dir,
                     rec.simulated() ? "simulated" : "threaded", rec.first_kind)
      << std::flush;
  // A simulation that hangs while searching for the failure (not a candidate: those are
  // isolated) ends the shrink as liveness, saying where.
  drivers::Watchdog watchdog({drivers::StallBoundSeconds(rec.spec.watchdog_seconds),
                              [&err](reports::RunOutcome stalled, const drivers::SimRun*) {
                                err << "vstress shrink: " << stalled.error << " (stuck in "
                                    << reports::TopFramesOfStacks(stalled.postmortem->stacks)
                                    << ")\n";
                              }});
  auto script = FailingScript(&rec, o.search_seeds, &watchdog, out);
  if (!script.ok()) {
    err << "vstress shrink: " << script.status().message() << "\n";
    return model::kExitFailure;
  }
  const size_t original = script.value().size();
  ShrinkOptions options;
  options.time_limit_seconds = static_cast<double>(limit.count()) / 1e6;
  options.seed = rec.spec.seed;
  options.progress = [&out](const std::string& line) { out << "  " << line << "\n" << std::flush; };
  CandidateTrouble trouble;
  // Half the shrink's own bound, so the watchdog never takes a hung candidate for a hung shrink.
  const double candidate_limit = rec.spec.watchdog_seconds;
  const auto fails = [&](const std::vector<drivers::SimStep>& s) {
    watchdog.Beat();
    return FailsWith(rec.spec, rec.first_kind, s, candidate_limit, &trouble);
  };
  if (!fails(script.value())) {
    err << "vstress shrink: the failing steps do not fail again when replayed\n";
    return model::kExitFailure;
  }
  const ShrinkResult shrunk = Shrink(std::move(script).value(), fails, options);
  const std::string dir = o.out_dir.empty() ? (fs::path(rec.dir) / "min").string() : o.out_dir;
  const drivers::SimRun final_run = WriteMinimal(rec.spec, shrunk.script, dir, o.argv0, err);
  if (final_run.FirstViolationKind() != rec.first_kind) {
    err << "vstress shrink: the reduced case did not replay the same way\n";
    return model::kExitFailure;
  }
  out << fmt::format(
      "minimal history ({} steps, from {}: {:.0f}x smaller; {} replays in {:.1f}s{}):\n",
      shrunk.script.size(), original,
      static_cast<double>(original) / std::max<size_t>(1, shrunk.script.size()), shrunk.attempts,
      shrunk.seconds, shrunk.time_limit_hit ? ", time limit reached" : "");
  if (trouble.hung + trouble.died > 0) {
    out << fmt::format(
        "  ({} candidate{} hung past {:.0f}s and {} died; each counted as not failing the same "
        "way)\n",
        trouble.hung, trouble.hung == 1 ? "" : "s", candidate_limit, trouble.died);
  }
  for (const std::string& line : final_run.history) out << "  " << line << "\n";
  out << fmt::format("{}: {}\nreplay: {}/repro.sh (or vstress repro {})\n", final_run.FirstViolationKind(),
                     final_run.outcome.violations.front().message, dir, dir);
  return model::kExitPass;
}

}  // namespace harness::reduce
