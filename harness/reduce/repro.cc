#include "harness/reduce/repro.h"

#include <fmt/format.h>

#include "harness/drivers/run_environment.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"
#include "harness/reduce/recorded_run.h"
#include "reports/failure_signature.h"

namespace harness::reduce {
namespace {


// The first replayed line that differs from the recorded history (0: none).
uint64_t FirstDifference(const drivers::ParsedHistory& recorded, const drivers::SimRun& replayed,
                         const std::vector<std::string>& names, std::string* expected,
                         std::string* got) {
  for (size_t i = 0; i < recorded.steps.size(); i++) {
    const std::string want = drivers::FormatStep(recorded.steps[i], names);
    const std::string have = i < replayed.history.size() ? replayed.history[i] : "(no such step)";
    if (want != have) {
      *expected = want;
      *got = have;
      return recorded.steps[i].index;
    }
  }
  return 0;
}

}  // namespace

int RunReproCommand(const std::string& path, std::ostream& out, std::ostream& err) {
  auto loaded = LoadRecordedRun(path);
  if (!loaded.ok()) {
    err << "vstress repro: " << loaded.status().message() << "\n";
    return model::kExitUsage;
  }
  const RecordedRun& rec = loaded.value();
  if (!rec.simulated()) {
    err << fmt::format(
        "vstress repro: {} is a threaded run (`vstress run`), whose interleavings cannot be "
        "replayed; `vstress shrink {}` searches the simulator for the same failure, and "
        "`{}/repro.sh` runs its config and seed again\n",
        rec.dir, rec.dir, rec.dir);
    return model::kExitUsage;
  }
  // A run that hung recorded every step but the one that never completed: its config and seed
  // run it into the same hang, which the watchdog ends.
  const bool exact = rec.replayable() && rec.result != "liveness";
  auto env = drivers::MakeEnvironment(
      rec.spec, exact ? drivers::EnvironmentKind::kReplay : drivers::EnvironmentKind::kSimulated,
      "/db", "");
  if (!env.ok()) {
    err << "vstress repro: " << env.status().ToString() << "\n";
    return model::kExitFailure;
  }
  drivers::SimOptions options;
  options.history_ops = exact ? 0 : 16;
  drivers::RunConfig config = env.value()->Config(rec.spec);
  drivers::Watchdog watchdog(
      {drivers::StallBoundSeconds(rec.spec.watchdog_seconds),
       [&](reports::RunOutcome stalled, const drivers::SimRun*) {
         const bool same = rec.result == "liveness";
         (same ? out : err) << fmt::format(
             "{}liveness: {} (stuck in {})\n",
             same ? "reproduced: " : "vstress repro: not reproduced: the replay hung: ",
             stalled.error, reports::TopFramesOfStacks(stalled.postmortem->stacks));
       }});
  config.watchdog = &watchdog;
  out << fmt::format("vstress repro: {} ({}: {})\n", rec.dir,
                     exact ? "replaying the history step by step" : "re-simulating config and seed",
                     rec.result)
      << std::flush;
  const drivers::SimRun replay = exact ? drivers::Replay(config, ScriptOf(*rec.history), options)
                                       : drivers::RunSimulated(config, options);
  env.value()->faults->Uninstall();
  const std::string kind = replay.FirstViolationKind();
  if (exact) {
    std::string expected, got;
    if (const uint64_t step =
            FirstDifference(*rec.history, replay, replay.client_names, &expected, &got)) {
      err << fmt::format(
          "vstress repro: the replay differs first at step #{}:\n  recorded: {}\n"
          "  replayed: {}\n",
          step, expected, got);
      return model::kExitFailure;
    }
  }
  if (rec.result == "violation") {
    if (kind == rec.first_kind && replay.first_violation_step == rec.first_violation_step) {
      out << fmt::format("reproduced: {} at step #{} (of {}): {}\n", kind,
                         replay.first_violation_step, replay.steps,
                         replay.outcome.violations.front().message);
      return model::kExitViolation;
    }
    err << fmt::format(
        "vstress repro: not reproduced: recorded {} at step #{}, replayed {} at step #{} ({})\n",
        rec.first_kind, rec.first_violation_step, kind.empty() ? "no violation" : kind,
        replay.first_violation_step, replay.outcome.result);
    return model::kExitFailure;
  }
  if (replay.outcome.result == rec.result && (exact || replay.trace_hash == rec.trace_hash)) {
    out << fmt::format("replayed: {} again, {} steps, trace {:016x}\n", rec.result, replay.steps,
                       replay.trace_hash);
    return replay.outcome.exit_code;
  }
  err << fmt::format(
      "vstress repro: not reproduced: recorded {} (trace {:016x}), replayed {} "
      "(trace {:016x})\n",
      rec.result, rec.trace_hash, replay.outcome.result, replay.trace_hash);
  return model::kExitFailure;
}

}  // namespace harness::reduce
