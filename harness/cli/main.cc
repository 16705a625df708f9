// vstress: the command line. The only place that parses arguments; each subcommand hands a typed
// options struct to the module that does the work.
//
// Exit codes (shared/DESIGN.md): 0 pass, 1 correctness violation or corrupt DB, 2 bad usage or
// config, 3 liveness, 4 unexpected failure.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <string_view>

#include "harness/cli/bench_command.h"
#include "harness/cli/enumerate_command.h"
#include "harness/cli/inspect_command.h"
#include "harness/cli/list_commands.h"
#include "harness/cli/measure_command.h"
#include "harness/cli/report_command.h"
#include "harness/cli/run_command.h"
#include "harness/model/exit_codes.h"
#include "harness/reduce/repro.h"
#include "harness/reduce/shrink.h"
#include "harness/sweep/merge.h"
#include "harness/sweep/seed_range.h"
#include "harness/sweep/shard.h"
#include "harness/sweep/sweep.h"
#include "stores/registry.h"
#include "workloads/workload_spec.h"

namespace {

// A whole number in [low, high], spelled in decimal digits only: CLI11 alone would take "-1" for a
// uint64_t as 2^64 - 1 and clamp values that overflow.
CLI::Validator WholeNumber(uint64_t low, uint64_t high) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || ptr != end || value < low || value > high) {
          return "'" + text + "' is not a whole number in [" + std::to_string(low) + ", " +
                 std::to_string(high) + "]";
        }
        return {};
      },
      "UINT");
}

// Paths and prefixes: given, they must name something.
const CLI::Validator kNonEmpty(
    [](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; },
    "TEXT");

// An unknown first word is a subcommand typed wrong (scripts probe for subcommands with
// `vstress NAME --help`), so it is named, with the real ones, and never falls through to the
// top-level help.
bool IsUnknownSubcommand(const CLI::App& app, int argc, char** argv, std::ostream& err) {
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string_view word = argv[1];
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == word) return false;
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  err << "vstress: unknown subcommand '" << word << "'; the subcommands are: " << names
      << " (vstress --help describes them)\n";
  return true;
}

// The workload and where the run goes: a sweep has its own forms of these.
void AddRunSourceOptions(CLI::App* run, harness::drivers::RunCommandOptions* o) {
  run->add_option("--preset", o->preset, "workload preset (see `vstress presets`)")
      ->check(kNonEmpty);
  run->add_option("--config", o->config_path, "workload TOML file")->check(CLI::ExistingFile);
  run->add_option("--seed", o->seed, "seed for every random choice of the run")
      ->check(WholeNumber(0, workloads::kTomlIntegerMax));
  run->add_option("--out", o->out_dir, "run directory (default runs/<UTC time>-seed<N>)")
      ->check(kNonEmpty);
  run->add_option("--progress", o->progress, "progress line: auto, on, plain or off")
      ->check(CLI::IsMember({"auto", "on", "plain", "off"}));
  run->add_option("--push-gateway", o->push_gateway,
                  "push metrics to this Prometheus pushgateway URL every 10s and at the end")
      ->check(kNonEmpty);
}

// Every flag of `vstress run` that says what the run does: the run, sim and crash subcommands
// take them, and so does `vstress sweep`, which passes them on to every shard.
void AddRunOptions(CLI::App* run, harness::drivers::RunCommandOptions* o) {
  constexpr uint64_t kCountMax = workloads::kTomlIntegerMax;
  run->add_option("--store", o->store,
                  "the engine under test: " + stores::StoreNames() + " (default vstress)")
      ->check(kNonEmpty);
  auto* duration = run->add_option("--duration", o->duration, "run for this long (30s, 2m, 500ms)")
                       ->check(kNonEmpty);
  run->add_option("--ops", o->ops, "run this many write ops instead of a duration")
      ->check(WholeNumber(1, kCountMax))
      ->excludes(duration);
  run->add_option("--readers", o->readers, "point-reader threads")
      ->check(WholeNumber(0, workloads::kRoleThreadsMax));
  run->add_option("--writers", o->writers, "writer threads")
      ->check(WholeNumber(0, workloads::kRoleThreadsMax));
  run->add_option("--scanners", o->scanners, "scanner threads")
      ->check(WholeNumber(0, workloads::kRoleThreadsMax));
  run->add_option("--snapshot-readers", o->snapshot_readers, "snapshot-reader threads")
      ->check(WholeNumber(0, workloads::kRoleThreadsMax));
  run->add_option("--on-background-error", o->on_background_error,
                  "after a background error: stop-writes (go on reading) or reopen the DB, "
                  "verify it and go on writing (default: the workload's)")
      ->check(CLI::IsMember({"stop-writes", "reopen", "resume"}));
  run->add_option("--fault", o->fault_rules, "fault rule POINT:ACTION[:TRIGGER][@WINDOW]");
  run->add_option("--faults", o->faults_file, "TOML file of [[faults]] rules")
      ->check(CLI::ExistingFile);
  run->add_option("--mutant", o->mutant, "switch on a planted bug (see `vstress mutants`)")
      ->check(kNonEmpty);
  run->add_option("--set", o->sets, "override a config key: KEY=VALUE");
  run->add_flag("--keep-going", o->keep_going, "do not stop at the first violation");
  run->add_option("--fiu-control", o->fiu_control,
                  "open libfiu's remote-control fifo PREFIX-<pid> for fiu-ctrl")
      ->check(kNonEmpty);
  run->add_flag("--cleanup-on-pass", o->cleanup_on_pass, "delete db/ when the run passes");
  run->add_option("--metrics-listen", o->metrics_listen,
                  "serve Prometheus /metrics on HOST:PORT during the run (:0 picks a free port)")
      ->check(kNonEmpty);
  run->add_option("--metrics-textfile", o->metrics_textfile,
                  "rewrite this Prometheus textfile atomically every sample (node_exporter)")
      ->check(kNonEmpty);
}

// `vstress sim`'s own flags (also a sweep's with --driver sim); returns them.
std::vector<CLI::Option*> AddSimOptions(CLI::App* sim, harness::drivers::RunCommandOptions* o) {
  return {sim->add_option("--schedule", o->schedule, "random or pct (default: the workload's)")
              ->check(CLI::IsMember({"random", "pct"})),
          sim->add_flag("--check-determinism", o->check_determinism,
                        "run twice; exit 4 naming the first step where the runs differ"),
          sim->add_option("--history-ops", o->history_ops,
                          "steps kept in history.log, the last ones (0: all; default 100000)")
              ->check(WholeNumber(0, workloads::kTomlIntegerMax))};
}

// `vstress crash`'s own flags (also a sweep's with --driver crash); returns them.
std::vector<CLI::Option*> AddCrashOptions(CLI::App* crash, harness::drivers::RunCommandOptions* o) {
  return {crash->add_option("--mode", o->crash_mode, "power-loss (default) or kill")
              ->check(CLI::IsMember({"power-loss", "kill"})),
          crash
              ->add_option("--cycles", o->cycles,
                           "stop after this many crash cycles (default: run for the duration)")
              ->check(WholeNumber(1, 1000000)),
          crash->add_option("--fs", o->fs, "power-loss: real (a directory, default) or memory")
              ->check(CLI::IsMember({"real", "memory"}))};
}

// The merge's flags: `vstress merge` takes them, and `vstress sweep` for the merge it ends with.
void AddMergeOptions(CLI::App* app, harness::sweep::MergeOptions* o) {
  app->add_option("--compare", o->compare_dir,
                  "merge: new and fixed failure signatures since this earlier sweep")
      ->check(CLI::ExistingDirectory);
  app->add_option("--push-gateway", o->push_gateway,
                  "merge: push one group per shard to this pushgateway")
      ->check(kNonEmpty);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vstress: stress testing and fault injection for an LSM engine"};
  app.require_subcommand(1);

  harness::drivers::RunCommandOptions run_options;
  run_options.argv0 = argv[0];
  auto* run = app.add_subcommand("run", "run a workload with every read checked");
  AddRunSourceOptions(run, &run_options);
  AddRunOptions(run, &run_options);
  // Set by `vstress crash --mode kill` for its children; not for people.
  run->add_option("--kill-child-db", run_options.kill_child_db)->group("");
  run->add_option("--kill-child-acks", run_options.kill_child_acks)->group("");
  run->add_option("--kill-child-first-sequence", run_options.kill_child_first_sequence)->group("");
  run->add_option("--kill-child-writer-base", run_options.kill_child_writer_base)
      ->check(WholeNumber(0, 1u << 30))
      ->group("");

  harness::drivers::RunCommandOptions sim_options;
  sim_options.argv0 = argv[0];
  sim_options.driver = harness::drivers::Driver::kSimulated;
  auto* sim = app.add_subcommand(
      "sim",
      "run a workload in the deterministic simulator: one thread, a seeded schedule, a "
      "simulated clock, an in-memory file system; writes history.log");
  AddRunSourceOptions(sim, &sim_options);
  AddRunOptions(sim, &sim_options);
  AddSimOptions(sim, &sim_options);

  harness::drivers::RunCommandOptions crash_options;
  crash_options.argv0 = argv[0];
  crash_options.driver = harness::drivers::Driver::kCrash;
  auto* crash = app.add_subcommand(
      "crash",
      "crash a running workload again and again — a power loss in process, or a SIGKILL "
      "of a child — reopen, verify the recovery, and go on");
  AddRunSourceOptions(crash, &crash_options);
  AddRunOptions(crash, &crash_options);
  AddCrashOptions(crash, &crash_options);

  std::string inspect_dir;
  bool inspect_edits = false;
  auto* inspect = app.add_subcommand(
      "inspect",
      "print a DB's CURRENT, MANIFEST edits, tables per level and WALs; verify every "
      "needed file exists and every checksum holds");
  inspect->add_option("DIR", inspect_dir, "DB directory")->required();
  inspect->add_flag("--edits", inspect_edits, "also print every MANIFEST edit");

  std::string repro_path;
  auto* repro = app.add_subcommand(
      "repro", "replay a simulated run exactly; exit 1 if it fails the same way at the same step");
  repro->add_option("PATH", repro_path, "run directory, or a history.log in one")->required();

  harness::reduce::ShrinkCommandOptions shrink_options;
  shrink_options.argv0 = argv[0];
  auto* shrink = app.add_subcommand(
      "shrink", "reduce a failing run to a small case that fails the same way (RUN_DIR/min/)");
  shrink->add_option("RUN_DIR", shrink_options.run_dir, "run directory")->required();
  shrink
      ->add_option("--search-seeds", shrink_options.search_seeds,
                   "threaded runs: simulated seeds to search for the same failure (default 20)")
      ->check(WholeNumber(1, 100000));
  shrink
      ->add_option("--time-limit", shrink_options.time_limit,
                   "time for the reduction (default 60s)")
      ->check(kNonEmpty);
  shrink->add_option("--out", shrink_options.out_dir, "where to write it (default RUN_DIR/min)")
      ->check(kNonEmpty);

  std::string report_dir;
  auto* report = app.add_subcommand("report", "rebuild RUN_DIR/report.html from the run's files");
  report->add_option("RUN_DIR", report_dir, "run directory")->required();

  harness::cli::BenchCommandOptions bench_options;
  auto* bench = app.add_subcommand("bench",
                                   "the same workload with the checker off and on, side "
                                   "by side: throughput of each and their ratio");
  bench->add_option("--preset", bench_options.preset, "workload preset (default smoke)");
  bench->add_option("--store", bench_options.store, "the store both halves test (default vstress)")
      ->check(kNonEmpty);
  bench->add_option("--duration", bench_options.duration, "per half, per round (default 10s)");
  bench->add_option("--rounds", bench_options.rounds, "rounds (default 3)")
      ->check(WholeNumber(1, 20));
  bench->add_option("--seed", bench_options.seed, "seed")
      ->check(WholeNumber(0, workloads::kTomlIntegerMax));
  bench->add_option("--out", bench_options.out_dir, "scratch directory")->check(kNonEmpty);
  bench
      ->add_option("--driver", bench_options.driver,
                   "run: checker off vs on; sim: the simulator vs the threaded driver")
      ->check(CLI::IsMember({"run", "sim"}));

  auto* list_faults = app.add_subcommand("faults", "list every fault point, action and trigger");
  auto* list_presets = app.add_subcommand("presets", "list the workload presets");
  auto* list_mutants = app.add_subcommand(
      "mutants",
      "list the planted bugs, each with the command that catches it; with --measure, "
      "run them all over seeds and print the detection-power table");
  bool measure = false;
  harness::cli::MeasureCommandOptions measure_options;
  list_mutants->add_flag("--measure", measure, "run every mutant's command on every seed");
  auto* measure_flags = list_mutants->add_option_group("measure");
  measure_flags->add_option("--seeds", measure_options.seeds, "seeds A-B (default 1-5)")
      ->check(kNonEmpty);
  measure_flags->add_option("--budget", measure_options.budget, "each run's duration (default 60s)")
      ->check(kNonEmpty);
  measure_flags
      ->add_option("--out", measure_options.out_dir,
                   "output directory (default runs/mutants-<UTC time>)")
      ->check(kNonEmpty);
  measure_flags->add_option("--mutant", measure_options.mutants, "only this mutant (repeatable)");
  measure_flags->add_option("--set", measure_options.sets,
                            "override a config key in every run: KEY=VALUE (repeatable)");
  measure_flags
      ->add_option("--driver", measure_options.driver,
                   "run (threads, default) or sim (the deterministic simulator)")
      ->check(CLI::IsMember({"run", "sim"}));
  measure_flags
      ->add_option("--store", measure_options.store,
                   "the store every run tests (default vstress; the others run the store mutants)")
      ->check(kNonEmpty);
  measure_flags->add_option("--jobs", measure_options.jobs, "runs at a time (default 1)")
      ->check(WholeNumber(1, 64));

  harness::cli::EnumerateOptions enumerate_options;
  auto* enumerate = app.add_subcommand(
      "enumerate",
      "fail every hit of every named fault point in turn, once, persistently or as a power "
      "loss, one short simulated run each; write the matrix point x hit x mode");
  enumerate
      ->add_option("--point", enumerate_options.points,
                   "a fault point or glob (engine/manifest/*, fs/*/sync); repeatable")
      ->required()
      ->check(kNonEmpty);
  enumerate
      ->add_option("--max-hits", enumerate_options.max_hits,
                   "hits per point, from the first (default 3; 0: every hit the workload makes)")
      ->check(WholeNumber(0, 1000000));
  enumerate
      ->add_option("--fault-mode", enumerate_options.modes,
                   "once, persistent or crash; repeatable (default: all three)")
      ->check(CLI::IsMember({"once", "persistent", "crash"}));
  enumerate->add_flag("--during-recovery", enumerate_options.during_recovery,
                      "also fail or crash every file call of the recovery after each crash");
  auto* enumerate_preset =
      enumerate
          ->add_option("--preset", enumerate_options.preset, "workload preset (default enumerate)")
          ->check(kNonEmpty);
  enumerate->add_option("--config", enumerate_options.config_path, "workload TOML file")
      ->check(CLI::ExistingFile)
      ->excludes(enumerate_preset);
  enumerate->add_option("--seed", enumerate_options.seed, "seed of every cell's run")
      ->check(WholeNumber(0, workloads::kTomlIntegerMax));
  enumerate
      ->add_option("--ops", enumerate_options.ops, "write ops per cell (default: the preset's)")
      ->check(WholeNumber(1, workloads::kTomlIntegerMax));
  enumerate->add_option("--mutant", enumerate_options.mutant, "switch on a planted bug")
      ->check(kNonEmpty);
  enumerate
      ->add_option("--store", enumerate_options.store,
                   "the engine every cell tests: " + stores::StoreNames() + " (default vstress)")
      ->check(kNonEmpty);
  enumerate->add_option("--set", enumerate_options.sets, "override a config key: KEY=VALUE");
  enumerate
      ->add_option("--out", enumerate_options.out_dir,
                   "output directory (default runs/enumerate-<UTC time>)")
      ->check(kNonEmpty);
  enumerate->add_option("--jobs", enumerate_options.jobs, "cells at a time (default: one per core)")
      ->check(WholeNumber(1, 256));

  harness::sweep::SweepOptions sweep_options;
  sweep_options.argv0 = argv[0];
  auto* sweep = app.add_subcommand(
      "sweep",
      "many full runs (shards) over seeds, presets and randomised configs, run locally, as a "
      "Slurm job array or with GNU parallel, merged into DIR/nightly.html");
  auto* runs = sweep->add_option("--runs", sweep_options.runs, "N shards, seeds S..S+N-1")
                   ->check(WholeNumber(1, harness::sweep::kSeedRangeSizeMax));
  sweep->add_option("--seed", sweep_options.first_seed, "with --runs: the first seed (default 1)")
      ->check(WholeNumber(0, workloads::kTomlIntegerMax));
  sweep->add_option("--seeds", sweep_options.seeds, "one shard per seed, A-B")
      ->check(kNonEmpty)
      ->excludes(runs);
  sweep
      ->add_option("--preset", sweep_options.presets,
                   "workload preset; repeatable: shards take the workloads in turn")
      ->check(kNonEmpty);
  sweep->add_option("--config", sweep_options.configs, "workload TOML file; repeatable")
      ->check(CLI::ExistingFile);
  sweep->add_flag("--randomize", sweep_options.randomize,
                  "each shard draws the workload's [randomize] keys from its seed");
  sweep->add_option("--driver", sweep_options.driver, "run (default), crash or sim")
      ->check(CLI::IsMember({"run", "crash", "sim"}));
  sweep->add_option("--executor", sweep_options.executor, "local (default), slurm or parallel")
      ->check(CLI::IsMember({"local", "slurm", "parallel"}));
  sweep->add_option("--jobs", sweep_options.jobs, "shards at a time (default: one per core)")
      ->check(WholeNumber(1, 4096));
  sweep->add_option("--out", sweep_options.out_dir, "sweep directory (default runs/sweep-<time>)")
      ->check(kNonEmpty);
  sweep->add_option("--progress", sweep_options.progress, "progress line: auto, on, plain or off")
      ->check(CLI::IsMember({"auto", "on", "plain", "off"}));
  sweep->add_option("--slurm-args", sweep_options.slurm_args,
                    "extra sbatch arguments for both jobs (\"--partition=long --time=2:00:00\")");
  sweep->add_flag("--wait", sweep_options.wait,
                  "slurm: wait for the merge job and exit with its code");
  sweep
      ->add_option("--sshloginfile", sweep_options.sshloginfile,
                   "parallel: spread the shards over these hosts (DIR on a shared file system)")
      ->check(CLI::ExistingFile);
  sweep->add_flag("--retry-failed", sweep_options.retry_failed,
                  "parallel: rerun the failed shards of --out DIR's joblog, then merge again");
  sweep
      ->add_option("--shard-timeout", sweep_options.shard_timeout,
                   "wall-clock limit of each shard, e.g. 10m; past it the shard is killed and "
                   "reported as hung with its stacks (default: from each workload's length)")
      ->check(kNonEmpty);
  AddMergeOptions(sweep, &sweep_options.merge);
  AddRunOptions(sweep, &sweep_options.run);
  const std::vector<CLI::Option*> sweep_sim_flags = AddSimOptions(sweep, &sweep_options.run);
  const std::vector<CLI::Option*> sweep_crash_flags = AddCrashOptions(sweep, &sweep_options.run);

  harness::sweep::ShardOptions shard_options;
  auto* shard = app.add_subcommand(
      "shard", "run one shard of a sweep's plan (what every sweep executor calls)");
  shard->add_option("DIR", shard_options.dir, "sweep directory")->required();
  shard->add_option("INDEX", shard_options.index, "shard index, from 0")
      ->required()
      ->check(WholeNumber(0, workloads::kTomlIntegerMax));

  harness::sweep::MergeOptions merge_options;
  auto* merge = app.add_subcommand(
      "merge",
      "merge a sweep's shards into DIR/nightly.html, junit.xml, summary.json, metrics.prom");
  merge->add_option("DIR", merge_options.dir, "sweep directory")->required();
  AddMergeOptions(merge, &merge_options);

  if (IsUnknownSubcommand(app, argc, argv, std::cerr)) return harness::model::kExitUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? harness::model::kExitPass : harness::model::kExitUsage;
  }
  if (*run) return harness::cli::RunRunCommand(run_options, std::cout, std::cerr);
  if (*sim) return harness::cli::RunRunCommand(sim_options, std::cout, std::cerr);
  if (*crash) return harness::cli::RunRunCommand(crash_options, std::cout, std::cerr);
  if (*enumerate) return harness::cli::RunEnumerateCommand(enumerate_options, std::cout, std::cerr);
  if (*sweep) {
    // A driver's own flags need that driver.
    for (const auto& [flags, driver] :
         {std::pair{&sweep_sim_flags, "sim"}, std::pair{&sweep_crash_flags, "crash"}}) {
      for (const CLI::Option* flag : *flags) {
        if (flag->count() > 0 && sweep_options.driver != driver) {
          std::cerr << "vstress sweep: " << flag->get_name() << " needs --driver " << driver
                    << "\n";
          return harness::model::kExitUsage;
        }
      }
    }
    return harness::sweep::RunSweepCommand(sweep_options, std::cout, std::cerr);
  }
  if (*shard) return harness::sweep::RunShardCommand(shard_options, std::cout, std::cerr);
  if (*merge) return harness::sweep::RunMergeCommand(merge_options, std::cout, std::cerr);
  if (*bench) return harness::cli::RunBenchCommand(bench_options, std::cout, std::cerr);
  if (*inspect) return harness::cli::RunInspect(inspect_dir, inspect_edits, std::cout, std::cerr);
  if (*report) return harness::cli::RunReportCommand(report_dir, std::cout, std::cerr);
  if (*repro) return harness::reduce::RunReproCommand(repro_path, std::cout, std::cerr);
  if (*shrink) return harness::reduce::RunShrinkCommand(shrink_options, std::cout, std::cerr);
  if (*list_faults) return harness::cli::RunListFaults(std::cout);
  if (*list_presets) return harness::cli::RunListPresets(std::cout);
  if (*list_mutants) {
    if (measure) return harness::cli::RunMeasureCommand(measure_options, std::cout, std::cerr);
    if (measure_flags->count_all() > 0) {
      std::cerr
          << "vstress mutants: --seeds, --budget, --out, --mutant, --set, --store and --jobs need "
             "--measure\n";
      return harness::model::kExitUsage;
    }
    return harness::cli::RunListMutants(std::cout);
  }
  return harness::model::kExitUsage;
}
