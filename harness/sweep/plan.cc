#include "harness/sweep/plan.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/run_files.h"

namespace harness::sweep {
namespace {

using json = nlohmann::ordered_json;

engine::Status Malformed(const std::string& where, const std::string& what) {
  return engine::Status::InvalidArgument(where + ": " + what);
}

// A shard line's fields, each checked for its type; throws json::exception on a wrong one.
ShardPlan ShardFromJson(const json& j) {
  ShardPlan s;
  s.index = j.at("index").get<uint64_t>();
  s.seed = j.at("seed").get<uint64_t>();
  s.workload = j.at("workload").get<std::string>();
  s.driver = j.at("driver").get<std::string>();
  s.mutant = j.value("mutant", std::string());
  s.store = j.value("store", std::string("vstress"));
  s.argv = j.at("argv").get<std::vector<std::string>>();
  s.command = j.value("command", std::string());
  s.timeout_seconds = j.value("timeout_s", 0.0);
  if (!(s.timeout_seconds >= 0)) throw json::other_error::create(501, "timeout_s < 0", &j);
  if (j.contains("randomized")) {
    const json& drawn = j.at("randomized");
    for (auto it = drawn.begin(); it != drawn.end(); ++it) {
      s.randomized.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  return s;
}

}  // namespace

std::string PlanPath(const std::string& dir) { return dir + "/plan.jsonl"; }

std::string ShardDir(const std::string& dir, uint64_t index) {
  return fmt::format("{}/shards/{}", dir, index);
}

std::string ShardPlanJson(const ShardPlan& s) {
  // ordered_json keeps the keys in the order a person reads them.
  nlohmann::ordered_json j;
  j["plan_version"] = kPlanVersion;
  j["index"] = s.index;
  j["seed"] = s.seed;
  j["workload"] = s.workload;
  j["driver"] = s.driver;
  j["mutant"] = s.mutant;
  j["store"] = s.store;
  nlohmann::ordered_json drawn = nlohmann::ordered_json::object();
  for (const auto& [key, value] : s.randomized) drawn[key] = value;
  j["randomized"] = drawn;
  j["argv"] = s.argv;
  j["command"] = s.command;
  j["timeout_s"] = s.timeout_seconds;
  return j.dump();
}

std::string SweepInfoJson(const SweepInfo& info) {
  nlohmann::ordered_json j;
  j["plan_version"] = kPlanVersion;
  j["command"] = info.command;
  j["executor"] = info.executor;
  j["shards"] = info.shards;
  j["created"] = info.created;
  j["vstress"] = info.vstress;
  return j.dump(2) + "\n";
}

engine::Result<std::vector<ShardPlan>> ReadPlan(const std::string& dir) {
  const std::string path = PlanPath(dir);
  std::string text;
  if (engine::Status s = reports::ReadFile(path, &text); !s.ok()) {
    return engine::Status::InvalidArgument("no sweep plan: " + s.message());
  }
  std::vector<ShardPlan> shards;
  std::istringstream lines(text);
  std::string line;
  for (size_t number = 1; std::getline(lines, line); number++) {
    const std::string where = fmt::format("{}:{}", path, number);
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return Malformed(where, "not a JSON object");
    if (!j.contains("plan_version") || !j["plan_version"].is_number_integer()) {
      return Malformed(where, "no plan_version");
    }
    if (j["plan_version"].get<int64_t>() != kPlanVersion) {
      return Malformed(where, fmt::format("plan_version {} was written by another vstress version "
                                          "(this one reads {}); plan the sweep again",
                                          j["plan_version"].dump(), kPlanVersion));
    }
    try {
      shards.push_back(ShardFromJson(j));
    } catch (const json::exception& e) {
      return Malformed(where, std::string("bad shard: ") + e.what());
    }
    if (shards.back().index != shards.size() - 1) {
      return Malformed(where, fmt::format("shard {} where shard {} belongs", shards.back().index,
                                          shards.size() - 1));
    }
    if (shards.back().argv.empty()) return Malformed(where, "empty argv");
  }
  if (shards.empty()) return Malformed(path, "no shards");
  return shards;
}

engine::Result<SweepInfo> ReadSweepInfo(const std::string& dir) {
  const std::string path = dir + "/sweep.json";
  std::string text;
  if (engine::Status s = reports::ReadFile(path, &text); !s.ok()) {
    return engine::Status::InvalidArgument(s.message());
  }
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Malformed(path, "not a JSON object");
  if (j.value("plan_version", 0) != kPlanVersion) {
    return Malformed(path, "written by another vstress version; plan the sweep again");
  }
  SweepInfo info;
  try {
    info.command = j.value("command", std::string());
    info.executor = j.value("executor", std::string());
    info.shards = j.value("shards", uint64_t{0});
    info.created = j.value("created", std::string());
    info.vstress = j.value("vstress", std::string());
  } catch (const json::exception& e) {
    return Malformed(path, e.what());
  }
  return info;
}

engine::Status WritePlan(const std::string& dir, const SweepInfo& info,
                         const std::vector<ShardPlan>& shards) {
  std::string plan;
  for (const ShardPlan& s : shards) plan += ShardPlanJson(s) + "\n";
  if (engine::Status s = reports::WriteFileAtomically(PlanPath(dir), plan); !s.ok()) return s;
  return reports::WriteFileAtomically(dir + "/sweep.json", SweepInfoJson(info));
}

}  // namespace harness::sweep
