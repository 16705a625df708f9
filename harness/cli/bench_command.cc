#include "harness/cli/bench_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <vector>

#include "faults/fault_rule.h"
#include "harness/drivers/run_environment.h"
#include "harness/drivers/sim_driver.h"
#include "harness/drivers/threaded_driver.h"
#include "harness/model/exit_codes.h"
#include "reports/run_files.h"
#include "stores/registry.h"
#include "workloads/presets.h"

namespace harness::cli {
namespace {

// Ops per second of one kind (a scan counts by its steps), from the run's final metrics.
double OpsPerSecond(const reports::RunOutcome& r, reports::OpKind op) {
  if (r.duration_seconds <= 0) return 0;
  return static_cast<double>(r.final_metrics.OpsOf(op)) / r.duration_seconds;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// One threaded checked run of `spec` in `db_path`: its checked ops per second.
engine::Result<double> ThreadedCheckedRate(const workloads::WorkloadSpec& spec,
                                           const std::string& db_path) {
  drivers::RunConfig config;
  config.spec = spec;
  config.db_path = db_path;
  std::filesystem::remove_all(db_path);
  const reports::RunOutcome r = drivers::RunThreaded(config);
  std::filesystem::remove_all(db_path);
  if (r.exit_code != model::kExitPass) {
    return engine::Status::IOError(
        fmt::format("the threaded run ended with {} ({})", r.result, r.error));
  }
  return r.duration_seconds > 0
             ? static_cast<double>(r.final_metrics.OpsTotal()) / r.duration_seconds
             : 0.0;
}

// One simulated run of `spec` (one thread): its checked ops per second of wall time.
engine::Result<double> SimulatedRate(const workloads::WorkloadSpec& spec) {
  auto env = drivers::MakeEnvironment(spec, drivers::EnvironmentKind::kSimulated, "/db", "");
  if (!env.ok()) return env.status();
  drivers::SimOptions options;
  options.history_ops = 1;
  const auto start = std::chrono::steady_clock::now();
  const drivers::SimRun run = drivers::RunSimulated(env.value()->Config(spec), options);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  env.value()->faults->Uninstall();
  if (run.outcome.exit_code != model::kExitPass) {
    return engine::Status::IOError(
        fmt::format("the simulated run ended with {} ({})", run.outcome.result, run.outcome.error));
  }
  return wall > 0 ? static_cast<double>(run.outcome.final_metrics.OpsTotal()) / wall : 0.0;
}

// The simulator on one core against the threaded driver on every core, both checked, rounds
// alternating; the simulated run lasts `duration` of simulated time.
int BenchSimulator(const workloads::WorkloadSpec& spec, const BenchCommandOptions& o,
                   std::ostream& out, std::ostream& err) {
  const std::string dir = o.out_dir.empty() ? "runs/bench-sim" : o.out_dir;
  std::filesystem::create_directories(dir);
  out << fmt::format("vstress bench --driver sim: preset {} ({} clients), {} rounds\n", spec.name,
                     spec.TotalThreads(), o.rounds);
  std::vector<double> threaded;
  std::vector<double> simulated;
  for (int round = 0; round < o.rounds; round++) {
    auto t = ThreadedCheckedRate(spec, fmt::format("{}/round{}", dir, round));
    auto s = SimulatedRate(spec);
    if (!t.ok() || !s.ok()) {
      err << "vstress bench: " << (t.ok() ? s.status() : t.status()).message() << "\n";
      return model::kExitFailure;
    }
    threaded.push_back(t.value());
    simulated.push_back(s.value());
    out << fmt::format(
        "  round {} threaded {:>12.0f} checked ops/s   simulated {:>12.0f} checked "
        "ops/s (one core)\n",
        round + 1, t.value(), s.value());
  }
  const double tm = Median(threaded);
  const double sm = Median(simulated);
  out << fmt::format(
      "median threaded {:.0f} checked ops/s, simulated {:.0f} checked ops/s on one core, "
      "ratio {:.3f}\n",
      tm, sm, tm > 0 ? sm / tm : 0);
  return model::kExitPass;
}

}  // namespace

int RunBenchCommand(const BenchCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto loaded = workloads::LoadPreset(o.preset);
  if (!loaded.ok()) {
    err << "vstress bench: " << loaded.status().message() << "\n";
    return model::kExitUsage;
  }
  workloads::WorkloadSpec spec = std::move(loaded).value();
  std::chrono::microseconds duration;
  if (!faults::ParseDuration(o.duration, &duration) || duration.count() <= 0) {
    err << "vstress bench: --duration: '" << o.duration << "' is not a duration like 10s\n";
    return model::kExitUsage;
  }
  if (o.rounds < 1 || o.rounds > 20) {
    err << "vstress bench: --rounds must be in [1, 20]\n";
    return model::kExitUsage;
  }
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  spec.duration_seconds = seconds;
  spec.ops = 0;
  spec.faults.clear();
  // Both halves must do the same work: no pauses for quiescence points (the unchecked half has
  // none).
  spec.quiesce_every_seconds = 0;
  if (o.seed) spec.seed = *o.seed;
  const stores::StoreKind* store = stores::FindStore(o.store);
  if (store == nullptr) {
    err << fmt::format("vstress bench: --store: unknown store '{}' (built in: {})\n", o.store,
                       stores::StoreNames());
    return model::kExitUsage;
  }
  spec.store.name = o.store;
  if (o.driver == "sim") {
    if (!store->runs_on_run_file_system) {
      err << fmt::format(
          "vstress bench: --driver sim measures the simulator on vstress's in-memory file "
          "system; store {} runs on the real one with its own threads (use --driver run)\n",
          o.store);
      return model::kExitUsage;
    }
    return BenchSimulator(spec, o, out, err);
  }
  const std::string dir =
      o.out_dir.empty()
          ? reports::DefaultRunDir("bench")
          : o.out_dir;
  out << fmt::format(
      "vstress bench: store {} {}, preset {} ({} threads), {} rounds of {:.0f}s per half\n",
      store->name, store->version(), spec.name, spec.TotalThreads(), o.rounds, seconds);
  std::vector<double> unchecked;
  std::vector<double> checked;
  // Per op kind, for the breakdown: which role the checker slows.
  std::array<std::vector<double>, reports::kOpKindCount> unchecked_by_kind;
  std::array<std::vector<double>, reports::kOpKindCount> checked_by_kind;
  for (int round = 0; round < o.rounds; round++) {
    for (bool check : {false, true}) {
      drivers::RunConfig config;
      config.spec = spec;
      config.store = store;
      config.check = check;
      config.db_path = fmt::format("{}/round{}-{}", dir, round, check ? "checked" : "unchecked");
      std::filesystem::remove_all(config.db_path);
      std::filesystem::create_directories(dir);
      const reports::RunOutcome r = drivers::RunThreaded(config);
      if (r.exit_code != model::kExitPass) {
        err << fmt::format("vstress bench: the {} run ended with {} ({})\n",
                           check ? "checked" : "unchecked", r.result, r.error);
        return r.exit_code;
      }
      const double rate = r.duration_seconds > 0
                              ? static_cast<double>(r.final_metrics.OpsTotal()) / r.duration_seconds
                              : 0;
      (check ? checked : unchecked).push_back(rate);
      for (size_t k = 0; k < reports::kOpKindCount; k++) {
        (check ? checked_by_kind : unchecked_by_kind)[k].push_back(
            OpsPerSecond(r, static_cast<reports::OpKind>(k)));
      }
      out << fmt::format("  round {} {:<9} {:>12.0f} ops/s\n", round + 1,
                         check ? "checked" : "unchecked", rate);
      std::filesystem::remove_all(config.db_path);
    }
  }
  out << fmt::format("  {:<13} {:>12} {:>12} {:>6}\n", "median ops/s", "unchecked", "checked",
                     "ratio");
  for (size_t k = 0; k < reports::kOpKindCount; k++) {
    const double ku = Median(unchecked_by_kind[k]);
    const double kc = Median(checked_by_kind[k]);
    out << fmt::format("  {:<13} {:>12.0f} {:>12.0f} {:>6.3f}\n", reports::kOpKindNames[k], ku, kc,
                       ku > 0 ? kc / ku : 0);
  }
  const double u = Median(unchecked);
  const double c = Median(checked);
  out << fmt::format("median unchecked {:.0f} ops/s, checked {:.0f} ops/s, ratio {:.3f}\n", u, c,
                     u > 0 ? c / u : 0);
  return model::kExitPass;
}

}  // namespace harness::cli
