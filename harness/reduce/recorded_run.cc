#include "harness/reduce/recorded_run.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "reports/run_files.h"

namespace harness::reduce {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

engine::Status ReadJson(const std::string& path, json* out) {
  std::string text;
  if (engine::Status s = reports::ReadFile(path, &text); !s.ok()) return s;
  *out = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out->is_discarded() || !out->is_object()) {
    return engine::Status::InvalidArgument(path + ": not a JSON object");
  }
  return engine::Status::Ok();
}

uint64_t HexNumber(const json& value) {
  if (!value.is_string()) return 0;
  return std::strtoull(value.get<std::string>().c_str(), nullptr, 16);
}

}  // namespace

engine::Result<RecordedRun> LoadRecordedRun(const std::string& path) {
  RecordedRun run;
  std::error_code ec;
  std::string history_path;
  if (fs::is_directory(path, ec)) {
    run.dir = path;
    history_path = (fs::path(path) / "history.log").string();
  } else if (fs::is_regular_file(path, ec)) {
    history_path = path;
    const fs::path parent = fs::path(path).parent_path();
    run.dir = parent.empty() ? fs::path(".").string() : parent.string();
  } else {
    return engine::Status::NotFound(path + ": no such run directory or history file");
  }
  std::string config;
  const std::string config_path = (fs::path(run.dir) / "config.toml").string();
  if (engine::Status s = reports::ReadFile(config_path, &config); !s.ok()) {
    return engine::Status::NotFound(config_path + ": the run's config.toml is missing");
  }
  auto spec = workloads::ParseWorkload(config, config_path);
  if (!spec.ok()) return spec.status();
  run.spec = std::move(spec).value();
  json summary;
  if (engine::Status s = ReadJson((fs::path(run.dir) / "summary.json").string(), &summary);
      !s.ok()) {
    return s;
  }
  run.driver = summary.value("driver", "run");
  run.result = summary.value("result", "");
  if (summary.contains("sim") && summary["sim"].is_object()) {
    const json& sim = summary["sim"];
    run.first_violation_step = sim.value("first_violation_step", uint64_t{0});
    run.steps = sim.value("steps", uint64_t{0});
    run.trace_hash = HexNumber(sim.value("trace_hash", json()));
  }
  json violations;
  if (ReadJson((fs::path(run.dir) / "violations.json").string(), &violations).ok() &&
      violations.contains("violations") && violations["violations"].is_array() &&
      !violations["violations"].empty() && violations["violations"][0].is_object()) {
    run.first_kind = violations["violations"][0].value("kind", "");
  }
  // A threaded run's history.log is a best-effort merge of its threads' ops: nothing to replay.
  if (run.simulated() && fs::exists(history_path, ec)) {
    std::string text;
    if (engine::Status s = reports::ReadFile(history_path, &text); !s.ok()) return s;
    std::vector<std::string> names;
    std::vector<model::ClientRole> roles;
    drivers::ClientNames(run.spec, &names, &roles);
    auto history = drivers::ParseHistory(text, names, roles);
    if (!history.ok()) {
      return engine::Status::InvalidArgument(history_path + ": " + history.status().message());
    }
    run.history = std::move(history).value();
  }
  return run;
}

std::vector<drivers::SimStep> ScriptOf(const drivers::ParsedHistory& history) {
  std::map<uint64_t, size_t> position;  // #N -> 1-based position
  std::vector<drivers::SimStep> script;
  for (const drivers::StepRecord& r : history.steps) {
    drivers::SimStep step = r.step;
    if (step.inside != 0) {
      auto it = position.find(step.inside);
      step.inside = it == position.end() ? 0 : it->second;
    }
    script.push_back(std::move(step));
    position[r.index] = script.size();
  }
  return script;
}

}  // namespace harness::reduce
