#include "harness/cli/measure_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "faults/fault_rule.h"
#include "harness/drivers/mutants.h"
#include "stores/registry.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/process/process_signals.h"
#include "harness/sweep/seed_range.h"
#include "reports/detection_table.h"
#include "reports/run_files.h"

namespace harness::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Time a run may take beyond its budget: opening, the end-of-run checks, writing the reports.
constexpr double kRunSlackSeconds = 120;

struct PlannedRun {
  size_t row = 0;
  std::string_view expected;  // the mutant's expected outcome
  uint64_t seed = 0;
  std::vector<std::string> argv;
  std::string dir;
};

// What a finished run's files say about it.
reports::MutantRun ReadRun(const PlannedRun& planned, std::string_view expected,
                           const process::ChildExit& exit) {
  reports::MutantRun run;
  run.seed = planned.seed;
  run.run_dir = planned.dir;
  std::string summary_text;
  std::string violations_text;
  const bool have_summary = reports::ReadFile(planned.dir + "/summary.json", &summary_text).ok();
  reports::ReadFile(planned.dir + "/violations.json", &violations_text);
  const json summary = json::parse(summary_text, nullptr, /*allow_exceptions=*/false);
  const json violations = json::parse(violations_text, nullptr, /*allow_exceptions=*/false);
  const bool violation = have_summary && summary.is_object() &&
                         summary.value("result", "") == "violation" && violations.is_object() &&
                         violations.contains("violations") && violations["violations"].is_array() &&
                         !violations["violations"].empty();
  if (exit.exited && exit.code == model::kExitViolation && violation) {
    const json& first = violations["violations"][0];
    run.caught = true;
    run.first_kind = first.value("kind", "");
    if (first.contains("seconds") && first["seconds"].is_number()) {
      run.detect_seconds = first["seconds"].get<double>();
    }
    // A simulated run's violation time is simulated: its wall time says how long it took.
    if (summary.contains("sim") && summary["sim"].is_object() &&
        summary["sim"].value("wall_s", -1.0) >= 0) {
      run.detect_seconds = summary["sim"].value("wall_s", 0.0);
    }
    run.outcome = "caught";
  } else if (expected == "liveness" && exit.exited && exit.code == model::kExitLiveness &&
             have_summary && summary.is_object() && summary.value("result", "") == "liveness") {
    // The watchdog saw no progress: the summary's error says what stalled.
    run.caught = true;
    run.first_kind = "liveness";
    run.detect_seconds = summary.value("duration_s", 0.0);
    run.outcome = "caught";
  } else if (exit.exited && exit.code == model::kExitPass) {
    run.outcome = "missed: the run passed";
  } else {
    run.outcome = "missed: " + exit.ToString() + (have_summary ? "" : ", no summary.json");
  }
  return run;
}

std::vector<PlannedRun> Plan(const std::vector<drivers::MutantInfo>& mutants,
                             const sweep::SeedRange& seeds, const std::string& budget,
                             const std::vector<std::string>& sets, const std::string& driver,
                             const std::string& store, const std::string& out_dir) {
  std::vector<PlannedRun> plan;
  const std::string self = process::SelfExecutable();
  for (size_t row = 0; row < mutants.size(); row++) {
    for (uint64_t seed = seeds.first; seed <= seeds.last; seed++) {
      PlannedRun p;
      p.row = row;
      p.expected = mutants[row].expected;
      p.seed = seed;
      p.dir = fmt::format("{}/{}/seed-{}", out_dir, mutants[row].name, seed);
      p.argv.push_back(self);
      p.argv.insert(p.argv.end(), mutants[row].args.begin(), mutants[row].args.end());
      // The mutant's command in the driver asked for: `vstress sim` takes run's flags.
      if (driver == "sim" && p.argv.size() > 1 && p.argv[1] == "run") p.argv[1] = "sim";
      for (const std::string& a :
           {std::string("--seed"), std::to_string(seed), std::string("--duration"), budget,
            std::string("--out"), p.dir, std::string("--progress"), std::string("off")}) {
        p.argv.push_back(a);
      }
      for (const std::string& set : sets) {
        p.argv.push_back("--set");
        p.argv.push_back(set);
      }
      if (!store.empty()) p.argv.insert(p.argv.end(), {"--store", store});
      plan.push_back(std::move(p));
    }
  }
  return plan;
}

// Runs the plan `jobs` at a time, printing a line per finished run.
void Execute(const std::vector<PlannedRun>& plan, int jobs, double limit_seconds,
             reports::DetectionTable* table, std::ostream& out) {
  std::vector<process::ChildJob> children;
  for (const PlannedRun& p : plan) {
    std::error_code ec;
    fs::remove_all(p.dir, ec);
    fs::create_directories(p.dir, ec);
    children.push_back({p.argv, p.dir + "/vstress.log"});
  }
  size_t done = 0;
  process::RunChildren(
      children, jobs, limit_seconds, [&](size_t index, const process::ChildExit& exit) {
        const PlannedRun& p = plan[index];
        reports::MutantRun run = ReadRun(p, p.expected, exit);
        reports::MutantRow& row = table->rows[p.row];
        if (run.caught) row.kinds[run.first_kind]++;
        out << fmt::format(
                   "[{}/{}] {} seed {}: {}{}\n", ++done, plan.size(), row.name, p.seed, run.outcome,
                   run.detect_seconds
                       ? fmt::format(" in {:.2f}s ({})", *run.detect_seconds, run.first_kind)
                       : "")
            << std::flush;
        row.runs.push_back(std::move(run));
      });
}


}  // namespace

int RunMeasureCommand(const MeasureCommandOptions& o, std::ostream& out, std::ostream& err) {
  process::InstallStopSignalHandlers();
  auto seeds = sweep::ParseSeedRange(o.seeds);
  if (!seeds.ok()) {
    err << "vstress mutants: --seeds: " << seeds.status().message() << "\n";
    return model::kExitUsage;
  }
  std::chrono::microseconds budget;
  if (!faults::ParseDuration(o.budget, &budget) || budget.count() <= 0) {
    err << "vstress mutants: --budget: '" << o.budget << "' is not a duration like 60s\n";
    return model::kExitUsage;
  }
  const stores::StoreKind* store = stores::FindStore(o.store.empty() ? "vstress" : o.store);
  if (store == nullptr) {
    err << "vstress mutants: --store: unknown store '" << o.store << "' (built in: "
        << stores::StoreNames() << ")\n";
    return model::kExitUsage;
  }
  for (const std::string& name : o.mutants) {
    const auto m = drivers::FindMutant(name);
    if (!m) {
      err << "vstress mutants: --mutant: unknown mutant '" << name << "'\n";
      return model::kExitUsage;
    }
    if (!m->planted_in_store && !store->takes_engine_mutations) {
      err << "vstress mutants: --mutant: '" << name << "' is planted inside vstress's own engine "
          << "and cannot run on " << store->name << "; the store mutants run on every store\n";
      return model::kExitUsage;
    }
  }
  std::vector<drivers::MutantInfo> mutants;
  for (const drivers::MutantInfo& m : drivers::Mutants()) {
    if (!m.planted_in_store && !store->takes_engine_mutations) continue;
    if (o.mutants.empty() ||
        std::find(o.mutants.begin(), o.mutants.end(), m.name) != o.mutants.end()) {
      mutants.push_back(m);
    }
  }
  const std::string store_flag =
      o.store.empty() ? "" : " --store " + reports::ShellQuote(o.store);
  const std::string out_dir = o.out_dir.empty() ? reports::DefaultRunDir("mutants") : o.out_dir;
  reports::DetectionTable table;
  table.seed_first = seeds.value().first;
  table.seed_last = seeds.value().last;
  table.budget_seconds = static_cast<double>(budget.count()) / 1e6;
  for (const drivers::MutantInfo& m : mutants) {
    reports::MutantRow row;
    row.name = m.name;
    row.imitates = m.imitates;
    row.command = m.Command() + store_flag;
    table.rows.push_back(std::move(row));
  }
  out << fmt::format("vstress mutants --measure: {} mutants x {} seeds on {}, budget {} each -> {}\n",
                     mutants.size(), seeds.value().size(), store->name, o.budget, out_dir)
      << std::flush;
  Execute(Plan(mutants, seeds.value(), o.budget, o.sets, o.driver, o.store, out_dir), o.jobs,
          table.budget_seconds + kRunSlackSeconds, &table, out);
  const std::string text = reports::DetectionText(table);
  out << "\n" << text;
  const std::string command =
      fmt::format("vstress mutants --measure --seeds {} --budget {}{}", o.seeds, o.budget,
                  store_flag);
  for (const auto& [name, contents] :
       {std::pair{"detection.txt", text},
        {"detection.json", reports::DetectionJson(table)},
        {"detection.html", reports::DetectionHtml(table, command)}}) {
    if (engine::Status s = reports::WriteFileAtomically(out_dir + "/" + name, contents); !s.ok()) {
      err << "vstress mutants: " << s.ToString() << "\n";
      return model::kExitFailure;
    }
  }
  out << "detection table: " << out_dir << "/detection.html\n";
  // Stopped: the runs that finished are in the table; the exit says it is not whole.
  if (const int signal = process::StopSignal(); signal != 0)
    return process::ExitCodeForSignal(signal);
  return table.AllCaught() ? model::kExitPass : model::kExitViolation;
}

}  // namespace harness::cli
