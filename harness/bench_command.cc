#include "harness/bench_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <vector>

#include "faults/fault_rule.h"
#include "harness/exit_codes.h"
#include "harness/runner.h"
#include "workloads/presets.h"

namespace harness {
namespace {

// Ops per second of one kind (a scan counts by its steps), from the run's final metrics.
double OpsPerSecond(const RunOutcome& r, reports::OpKind op) {
  if (r.duration_seconds <= 0) return 0;
  return static_cast<double>(r.final_metrics.OpsOf(op)) / r.duration_seconds;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int RunBenchCommand(const BenchCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto loaded = workloads::LoadPreset(o.preset);
  if (!loaded.ok()) {
    err << "vstress bench: " << loaded.status().message() << "\n";
    return kExitUsage;
  }
  workloads::WorkloadSpec spec = std::move(loaded).value();
  std::chrono::microseconds duration;
  if (!faults::ParseDuration(o.duration, &duration) || duration.count() <= 0) {
    err << "vstress bench: --duration: '" << o.duration << "' is not a duration like 10s\n";
    return kExitUsage;
  }
  if (o.rounds < 1 || o.rounds > 20) {
    err << "vstress bench: --rounds must be in [1, 20]\n";
    return kExitUsage;
  }
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  spec.duration_seconds = seconds;
  spec.ops = 0;
  spec.faults.clear();
  // Both halves must do the same work: no pauses for quiescence points (the unchecked half has
  // none).
  spec.quiesce_every_seconds = 0;
  if (o.seed) spec.seed = *o.seed;
  const std::string dir =
      o.out_dir.empty()
          ? fmt::format("runs/bench-{:%Y%m%dT%H%M%S}Z",
                        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()))
          : o.out_dir;
  out << fmt::format("vstress bench: preset {} ({} threads), {} rounds of {:.0f}s per half\n",
                     spec.name, spec.TotalThreads(), o.rounds, seconds);
  std::vector<double> unchecked;
  std::vector<double> checked;
  // Per op kind, for the breakdown: which role the checker slows.
  std::array<std::vector<double>, reports::kOpKindCount> unchecked_by_kind;
  std::array<std::vector<double>, reports::kOpKindCount> checked_by_kind;
  for (int round = 0; round < o.rounds; round++) {
    for (bool check : {false, true}) {
      RunConfig config;
      config.spec = spec;
      config.check = check;
      config.db_path = fmt::format("{}/round{}-{}", dir, round, check ? "checked" : "unchecked");
      std::filesystem::remove_all(config.db_path);
      std::filesystem::create_directories(dir);
      const RunOutcome r = RunThreaded(config);
      if (r.exit_code != kExitPass) {
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
  return kExitPass;
}

}  // namespace harness
