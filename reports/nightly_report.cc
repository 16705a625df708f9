#include "reports/nightly_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

namespace reports {
namespace {

using nlohmann::json;

constexpr const char* kResults[] = {"pass", "violation", "liveness", "crash", "error"};

// The op kinds report.html's header adds up as "ops", so a shard's row and its page agree.
constexpr const char* kCountedOps[] = {"put", "delete", "batch", "get", "scan", "snapshot_get"};
// The reads the oracle checked: point reads, snapshot reads and every key a scan returned.
constexpr const char* kCheckedReads[] = {"reads_checked", "snapshot_reads_checked",
                                         "scan_keys_checked"};

uint64_t U64(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->is_number_float() ? static_cast<uint64_t>(std::max(0.0, it->get<double>()))
                               : it->get<uint64_t>();
}

double Double(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string String(const json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& Object(const json& j, const char* key) {
  static const json kEmpty = json::object();
  if (!j.is_object()) return kEmpty;
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

// Numbers of an object, by key; anything else left out.
std::map<std::string, uint64_t> Counts(const json& object) {
  std::map<std::string, uint64_t> counts;
  for (const auto& [key, value] : object.items()) {
    if (value.is_number()) counts[key] = U64(object, key.c_str());
  }
  return counts;
}

// Which pairs fired: coverage.fired, or faults.by_point_action in an older summary.json.
std::map<std::string, uint64_t> FiredPairs(const json& summary) {
  const json& fired = Object(Object(summary, "coverage"), "fired");
  if (!fired.empty()) return Counts(fired);
  std::map<std::string, uint64_t> pairs;
  for (const auto& [point, actions] :
       Object(Object(summary, "faults"), "by_point_action").items()) {
    for (const auto& [action, n] : Counts(actions)) {
      if (n > 0) pairs[point + ":" + action] = n;
    }
  }
  return pairs;
}

bool IsResult(const std::string& result) {
  return std::find(std::begin(kResults), std::end(kResults), result) != std::end(kResults);
}

// Fills the record from shard.json; an error text when it is malformed.
std::string ApplyShardJson(const std::string& text, ShardRecord* r) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "not a JSON object";
  if (!j.contains("exit_code") || !j["exit_code"].is_number_integer()) return "no exit_code";
  r->exit_code = j["exit_code"].get<int>();
  r->exit = String(j, "exit");
  if (r->exit.empty()) r->exit = fmt::format("exit {}", r->exit_code);
  r->host = String(j, "host");
  r->duration_seconds = Double(j, "seconds");
  return "";
}

// Fills the record from summary.json; an error text when it is malformed.
std::string ApplySummary(const std::string& text, ShardRecord* r) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "not a JSON object";
  const std::string result = String(j, "result");
  if (!IsResult(result)) return "no result (pass, violation, liveness, crash or error)";
  r->result = result;
  if (j.contains("exit_code") && j["exit_code"].is_number_integer()) {
    r->exit_code = j["exit_code"].get<int>();
  }
  if (j.contains("duration_s")) r->duration_seconds = Double(j, "duration_s");
  r->ops = 0;
  for (const char* op : kCountedOps) r->ops += U64(Object(j, "ops"), op);
  for (const char* check : kCheckedReads) r->reads_checked += U64(Object(j, "checks"), check);
  r->violations = U64(j, "violations");
  r->faults_injected = U64(Object(j, "faults"), "injected_total");
  r->crash_cycles = U64(Object(j, "crash"), "cycles");
  r->error = String(j, "error");
  r->repro = String(j, "repro");
  if (const json store = Object(j, "store"); !String(store, "name").empty()) {
    r->store = String(store, "name") + " " + String(store, "version");
  }
  r->faults_fired = FiredPairs(j);
  r->top_frames = String(Object(j, "postmortem"), "top_frames");
  r->signal_name = String(Object(j, "postmortem"), "signal_name");
  r->reactions = Counts(Object(Object(j, "coverage"), "reactions"));
  return "";
}

// The first violation of violations.json, nullopt when it lists none; an error text when it is
// malformed.
std::string FirstViolation(const std::string& text, std::optional<Violation>* out) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("violations") || !j["violations"].is_array()) {
    return "no violations list";
  }
  if (j["violations"].empty()) return "";
  const json& v = j["violations"].front();
  if (!v.is_object()) return "the first violation is not an object";
  Violation violation;
  violation.kind = String(v, "kind");
  violation.op = String(v, "op");
  violation.key = String(v, "key");
  violation.key_history = String(v, "key_history");
  violation.expected = String(v, "expected");
  violation.observed = String(v, "observed");
  violation.message = String(v, "message");
  violation.read_sequence = U64(v, "read_sequence");
  violation.seconds = Double(v, "seconds");
  *out = std::move(violation);
  return "";
}

// An error row: `why` is both its error and its signature's reason.
void MakeErrorRow(ShardRecord* r, const std::string& why) {
  r->result = "error";
  if (r->exit_code == 0) r->exit_code = 4;
  r->error = why;
  r->signature = SignatureOfFailure("error", why, r->exit);
}

// The signature of a shard whose summary says it failed.
void SignFailure(const ShardFiles& files, ShardRecord* r) {
  if (r->result == "liveness" || r->result == "crash") {
    // A crash report written from a signal handler has the stacks but not their top frames.
    if (r->top_frames.empty() && files.stacks_txt)
      r->top_frames = TopFramesOfStacks(*files.stacks_txt);
    r->signature = SignatureOfPostmortem(r->result, r->top_frames, r->signal_name, r->error);
    return;
  }
  if (r->result != "violation") {
    r->signature = SignatureOfFailure(r->result, r->error);
    return;
  }
  std::string problem = "its run left no violations.json";
  if (files.violations_json) {
    problem = FirstViolation(*files.violations_json, &r->first_violation);
    if (problem.empty() && !r->first_violation) problem = "violations.json lists no violation";
  }
  if (r->first_violation) {
    r->signature = SignatureOfViolation(*r->first_violation);
  } else {
    r->signature = SignatureOfFailure("violation", problem);
  }
}

// "kind op" of a failing shard's first violation, or its result: how the bug showed itself.
std::string SeenAs(const ShardRecord& r) {
  if (!r.first_violation) return r.result;
  const std::string& op = r.first_violation->op;
  const std::string first_word = op.substr(0, op.find(' '));
  return first_word.empty() ? r.first_violation->kind : r.first_violation->kind + " " + first_word;
}

std::vector<SignatureGroup> GroupBySignature(const std::vector<ShardRecord>& shards) {
  std::vector<SignatureGroup> groups;
  std::map<std::string, size_t> by_text;
  for (size_t i = 0; i < shards.size(); i++) {
    const ShardRecord& r = shards[i];
    if (r.signature.empty()) continue;
    auto [it, added] = by_text.emplace(r.signature.Text(), groups.size());
    if (added) {
      groups.emplace_back();
      groups.back().signature = r.signature;
      groups.back().repro_shard = i;
    }
    SignatureGroup& g = groups[it->second];
    g.shards.push_back(i);
    g.seeds.push_back(r.plan.seed);
    const std::string seen = SeenAs(r);
    if (std::find(g.seen_as.begin(), g.seen_as.end(), seen) == g.seen_as.end()) {
      g.seen_as.push_back(seen);
    }
    // The shard that failed soonest has the shortest run to replay.
    if (r.duration_seconds < shards[g.repro_shard].duration_seconds) g.repro_shard = i;
  }
  for (SignatureGroup& g : groups) {
    std::sort(g.seen_as.begin(), g.seen_as.end());
    g.repro = shards[g.repro_shard].ReproCommand();
  }
  std::sort(groups.begin(), groups.end(), [](const SignatureGroup& a, const SignatureGroup& b) {
    if (a.shards.size() != b.shards.size()) return a.shards.size() > b.shards.size();
    return a.signature.Text() < b.signature.Text();
  });
  return groups;
}

SweepTotals AddUp(const std::vector<ShardRecord>& shards) {
  SweepTotals t;
  t.shards = shards.size();
  for (const ShardRecord& r : shards) {
    t.passed += r.result == "pass";
    t.failed += r.result == "violation" || r.result == "liveness" || r.result == "crash";
    t.errors += r.result == "error";
    t.violations += r.violations;
    t.reads_checked += r.reads_checked;
    t.faults_injected += r.faults_injected;
    t.crash_cycles += r.crash_cycles;
    t.ops += r.ops;
    t.shard_seconds += r.duration_seconds;
  }
  return t;
}

CoverageUnion UniteCoverage(const std::vector<ShardRecord>& shards) {
  CoverageUnion c;
  for (const ShardRecord& r : shards) {
    for (const auto& [pair, fires] : r.faults_fired) {
      c.fired[pair] += fires;
      c.fired_shards[pair] += fires > 0;
    }
    for (const auto& [reaction, n] : r.reactions) c.reactions[reaction] += n;
  }
  return c;
}

// The worst result among the shards, in the order the exit codes rank them.
std::pair<std::string, int> WorstResult(const std::vector<ShardRecord>& shards) {
  const auto any = [&shards](const char* result) {
    return std::any_of(shards.begin(), shards.end(),
                       [result](const ShardRecord& r) { return r.result == result; });
  };
  if (any("violation")) return {"violation", 1};
  if (any("liveness")) return {"liveness", 3};
  if (any("crash")) return {"crash", 4};
  if (any("error")) return {"error", 4};
  return {"pass", 0};
}

json ShardJson(const ShardRecord& r) {
  return {{"index", r.plan.index},
          {"seed", r.plan.seed},
          {"workload", r.plan.workload},
          {"driver", r.plan.driver},
          {"mutant", r.plan.mutant},
          {"result", r.result},
          {"exit_code", r.exit_code},
          {"exit", r.exit},
          {"host", r.host},
          {"store", r.store},
          {"duration_s", r.duration_seconds},
          {"ops", r.ops},
          {"ops_per_s", r.OpsPerSecond()},
          {"reads_checked", r.reads_checked},
          {"violations", r.violations},
          {"faults_injected", r.faults_injected},
          {"crash_cycles", r.crash_cycles},
          {"signature", r.signature.empty() ? "" : r.signature.Text()},
          {"error", r.error},
          {"repro", r.ReproCommand()},
          {"report", r.report}};
}

json GroupJson(const SignatureGroup& g, const std::vector<ShardRecord>& shards) {
  json indexes = json::array();
  for (size_t i : g.shards) indexes.push_back(shards[i].plan.index);
  return {{"signature", g.signature.Text()},
          {"kind", g.signature.kind},
          {"op", g.signature.op},
          {"shape", g.signature.shape},
          {"count", g.shards.size()},
          {"shards", indexes},
          {"seeds", g.seeds},
          {"seen_as", g.seen_as},
          {"repro", g.repro},
          {"repro_shard", shards[g.repro_shard].plan.index}};
}

json CompareJson(const SweepCompare& c) {
  return {{"previous", c.previous},
          {"new_signatures", c.new_signatures},
          {"fixed_signatures", c.fixed_signatures},
          {"median_ops_per_s", c.median_ops_per_s},
          {"previous_median_ops_per_s", c.previous_median_ops_per_s},
          {"throughput_ratio", c.throughput_ratio ? json(*c.throughput_ratio) : json(nullptr)}};
}

engine::Status Malformed(const std::string& path, const std::string& what) {
  return engine::Status::InvalidArgument(
      fmt::format("{}: not the summary.json of a vstress merge: {}", path, what));
}

}  // namespace

double ShardRecord::OpsPerSecond() const {
  return duration_seconds > 0 ? static_cast<double>(ops) / duration_seconds : 0;
}

const std::string& ShardRecord::ReproCommand() const {
  return repro.empty() ? plan.command : repro;
}

ShardRecord LoadShardRecord(const ShardPlanFacts& plan, const ShardFiles& files) {
  ShardRecord r;
  r.plan = plan;
  r.report = files.dir + "/report.html";
  if (!files.shard_json) {
    MakeErrorRow(&r, fmt::format("the shard never ran: no {}/shard.json", files.dir));
    return r;
  }
  if (std::string e = ApplyShardJson(*files.shard_json, &r); !e.empty()) {
    MakeErrorRow(&r, fmt::format("{}/shard.json is malformed: {}", files.dir, e));
    return r;
  }
  if (!files.summary_json) {
    MakeErrorRow(&r, fmt::format("the run left no {}/summary.json", files.dir));
    return r;
  }
  const int process_exit = r.exit_code;
  if (std::string e = ApplySummary(*files.summary_json, &r); !e.empty()) {
    MakeErrorRow(&r, fmt::format("{}/summary.json is malformed: {}", files.dir, e));
    return r;
  }
  if (r.result == "pass" && process_exit != 0) {
    // The run wrote a passing summary and then did not exit cleanly: the exit is the news.
    r.exit_code = process_exit;
    MakeErrorRow(&r, "the run's summary says pass but the process did not exit 0");
    return r;
  }
  if (r.result != "pass") SignFailure(files, &r);
  return r;
}

double MedianOpsPerSecond(const std::vector<double>& ops_per_second) {
  std::vector<double> ran;
  for (double v : ops_per_second) {
    if (v > 0) ran.push_back(v);
  }
  if (ran.empty()) return 0;
  std::sort(ran.begin(), ran.end());
  const size_t mid = ran.size() / 2;
  return ran.size() % 2 == 1 ? ran[mid] : (ran[mid - 1] + ran[mid]) / 2;
}

NightlyReport BuildNightlyReport(SweepFacts sweep, std::vector<ShardRecord> shards) {
  NightlyReport report;
  report.sweep = std::move(sweep);
  report.shards = std::move(shards);
  report.signatures = GroupBySignature(report.shards);
  report.totals = AddUp(report.shards);
  report.coverage = UniteCoverage(report.shards);
  std::tie(report.result, report.exit_code) = WorstResult(report.shards);
  return report;
}

engine::Result<SweepCompare> CompareWithPrevious(const NightlyReport& report,
                                                 const std::string& path, const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Malformed(path, "not a JSON object");
  if (!j.contains("plan_version") || j["plan_version"] != kSweepSummaryVersion) {
    return Malformed(path, fmt::format("plan_version is not {}", kSweepSummaryVersion));
  }
  if (!j.contains("signatures") || !j["signatures"].is_array() || !j.contains("shards_list") ||
      !j["shards_list"].is_array()) {
    return Malformed(path, "no signatures or shards_list");
  }
  std::set<std::string> before;
  for (const json& g : j["signatures"]) before.insert(String(g, "signature"));
  std::vector<double> before_rates;
  for (const json& shard : j["shards_list"]) before_rates.push_back(Double(shard, "ops_per_s"));
  std::set<std::string> now;
  std::vector<double> rates;
  for (const SignatureGroup& g : report.signatures) now.insert(g.signature.Text());
  for (const ShardRecord& r : report.shards) rates.push_back(r.OpsPerSecond());
  SweepCompare c;
  c.previous = path;
  std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                      std::back_inserter(c.new_signatures));
  std::set_difference(before.begin(), before.end(), now.begin(), now.end(),
                      std::back_inserter(c.fixed_signatures));
  c.median_ops_per_s = MedianOpsPerSecond(rates);
  c.previous_median_ops_per_s = MedianOpsPerSecond(before_rates);
  if (c.previous_median_ops_per_s > 0) {
    c.throughput_ratio = c.median_ops_per_s / c.previous_median_ops_per_s;
  }
  return c;
}

std::string NightlySummaryJson(const NightlyReport& report) {
  const SweepTotals& t = report.totals;
  json shards = json::array();
  for (const ShardRecord& r : report.shards) shards.push_back(ShardJson(r));
  json groups = json::array();
  for (const SignatureGroup& g : report.signatures) groups.push_back(GroupJson(g, report.shards));
  json summary = {{"plan_version", kSweepSummaryVersion},
                  {"result", report.result},
                  {"exit_code", report.exit_code},
                  {"shards", report.shards.size()},
                  {"sweep",
                   {{"dir", report.sweep.dir},
                    {"command", report.sweep.command},
                    {"executor", report.sweep.executor},
                    {"created", report.sweep.created}}},
                  {"totals",
                   {{"passed", t.passed},
                    {"failed", t.failed},
                    {"errors", t.errors},
                    {"violations", t.violations},
                    {"reads_checked", t.reads_checked},
                    {"faults_injected", t.faults_injected},
                    {"crash_cycles", t.crash_cycles},
                    {"ops", t.ops},
                    {"shard_seconds", t.shard_seconds},
                    {"signatures", report.signatures.size()}}},
                  {"shards_list", shards},
                  {"signatures", groups},
                  {"coverage",
                   {{"fired", report.coverage.fired},
                    {"fired_shards", report.coverage.fired_shards},
                    {"reactions", report.coverage.reactions}}}};
  if (report.compare) summary["compare"] = CompareJson(*report.compare);
  // A path given on the command line need not be UTF-8; JSON must be.
  return summary.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace reports
