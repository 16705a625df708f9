#include "harness/drivers/run_options.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "faults/fault_rule.h"
#include "harness/drivers/mutants.h"
#include "reports/run_files.h"
#include "stores/registry.h"
#include "workloads/presets.h"

namespace harness::drivers {
namespace {

namespace fs = std::filesystem;

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
  if (!o.store.empty()) spec->store.name = o.store;
  if (stores::FindStore(spec->store.name) == nullptr) {
    return engine::Status::InvalidArgument(fmt::format("{}: unknown store '{}' (built in: {})",
                                                       o.store.empty() ? "store.name" : "--store",
                                                       spec->store.name, stores::StoreNames()));
  }
  if (engine::Status s = stores::CheckStoreSpec(spec->store, spec->engine); !s.ok()) return s;
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

}  // namespace

std::vector<std::string> DriverFlags(const RunCommandOptions& o) {
  std::vector<std::string> flags;
  const auto add = [&flags](const char* flag, const std::string& value) {
    if (!value.empty()) flags.insert(flags.end(), {flag, value});
  };
  const auto add_number = [&flags](const char* flag, const auto& value) {
    if (value) flags.insert(flags.end(), {flag, std::to_string(*value)});
  };
  add("--store", o.store);
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
  // The mutant is part of the engine's or the store's config, so config.toml (and repro.sh)
  // carry it.
  if (mutant) {
    std::vector<std::string>& list =
        mutant->planted_in_store ? spec.store.mutations : spec.engine.mutations;
    if (std::find(list.begin(), list.end(), o.mutant) == list.end()) list.push_back(o.mutant);
  }
  if (engine::Status s = ApplyFlags(o, &spec); !s.ok()) return s;
  return spec;
}

}  // namespace harness::drivers
