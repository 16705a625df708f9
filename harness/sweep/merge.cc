#include "harness/sweep/merge.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "harness/model/exit_codes.h"
#include "harness/sweep/plan.h"
#include "reports/junit_merge.h"
#include "reports/net_address.h"
#include "reports/nightly_html.h"
#include "reports/nightly_report.h"
#include "reports/prom_merge.h"
#include "reports/run_files.h"
#include "reports/sweep_push.h"

namespace harness::sweep {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPushedGroupsFile = "pushed-groups.json";

int Usage(std::ostream& err, std::string_view message) {
  err << "vstress merge: " << message << "\n";
  return model::kExitUsage;
}

// The file's contents, or nullopt when there is no such file; a file that exists but cannot be
// read is reported on `err` and read as missing, so its shard becomes an error row naming it.
std::optional<std::string> ReadIfPresent(const std::string& path, std::ostream& err) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::string text;
  if (const engine::Status s = reports::ReadFile(path, &text); !s.ok()) {
    err << "vstress merge: " << s.ToString() << "\n";
    return std::nullopt;
  }
  return text;
}

// DIR/sweep.json's facts; a sweep directory built by hand may have none, but a malformed one is
// refused (InvalidArgument naming it), as the plan is.
engine::Status ReadSweepFacts(const std::string& dir, reports::SweepFacts* facts) {
  facts->dir = dir;
  std::error_code ec;
  if (!fs::exists(dir + "/sweep.json", ec)) return engine::Status::Ok();
  engine::Result<SweepInfo> info = ReadSweepInfo(dir);
  if (!info.ok()) return info.status();
  facts->command = info->command;
  facts->executor = info->executor;
  facts->created = info->created;
  return engine::Status::Ok();
}

reports::ShardPlanFacts PlanFacts(const ShardPlan& plan) {
  return {.index = plan.index,
          .seed = plan.seed,
          .workload = plan.workload,
          .driver = plan.driver,
          .mutant = plan.mutant,
          .command = plan.command};
}

// Everything the merge writes, built from the shards.
struct MergeOutputs {
  reports::NightlyReport report;
  std::string junit;
  std::string metrics;
};

// Reads every shard directory into a record, its junit.xml into a suite and its metrics.prom into
// the merged metrics.
MergeOutputs LoadShards(const std::string& dir, const reports::SweepFacts& facts,
                        const std::vector<ShardPlan>& plan, std::ostream& err) {
  std::vector<reports::ShardRecord> records;
  std::vector<reports::ShardJunit> suites;
  reports::ExpositionMerger merger;
  for (const ShardPlan& shard : plan) {
    const std::string shard_dir = ShardDir(dir, shard.index);
    reports::ShardFiles files{
        .dir = fmt::format("shards/{}", shard.index),
        .shard_json = ReadIfPresent(shard_dir + "/shard.json", err),
        .summary_json = ReadIfPresent(shard_dir + "/summary.json", err),
        .violations_json = ReadIfPresent(shard_dir + "/violations.json", err),
        .stacks_txt = ReadIfPresent(shard_dir + "/" + reports::kStacksFile, err)};
    records.push_back(reports::LoadShardRecord(PlanFacts(shard), files));
    const reports::ShardRecord& r = records.back();
    suites.push_back({.index = shard.index,
                      .seed = shard.seed,
                      .xml = ReadIfPresent(shard_dir + "/junit.xml", err),
                      .missing_reason = fmt::format("no {}/junit.xml", files.dir),
                      .error = r.result == "error" ? r.error : ""});
    const std::string metrics_path = shard_dir + "/metrics.prom";
    if (std::optional<std::string> text = ReadIfPresent(metrics_path, err)) {
      const engine::Status s = merger.Add(std::to_string(shard.index), metrics_path, *text);
      if (!s.ok()) err << "vstress merge: left out of metrics.prom: " << s.message() << "\n";
    }
  }
  MergeOutputs outputs;
  outputs.report = reports::BuildNightlyReport(facts, std::move(records));
  outputs.junit = reports::MergeJunit(suites);
  outputs.metrics = merger.Text();
  return outputs;
}

std::string MergeCommandLine(const MergeOptions& o) {
  std::string line = "vstress merge " + reports::ShellQuote(o.dir);
  if (!o.compare_dir.empty()) line += " --compare " + reports::ShellQuote(o.compare_dir);
  if (!o.push_gateway.empty()) line += " --push-gateway " + reports::ShellQuote(o.push_gateway);
  return line;
}

engine::Status WriteOutputs(const std::string& dir, const MergeOptions& options,
                            const MergeOutputs& o) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"nightly.html", reports::RenderNightlyHtml(o.report, MergeCommandLine(options))},
      {"junit.xml", o.junit},
      {"summary.json", reports::NightlySummaryJson(o.report)},
      {"metrics.prom", o.metrics}};
  for (const auto& [name, contents] : files) {
    const engine::Status s = reports::WriteFileAtomically(dir + "/" + name, contents);
    if (!s.ok()) return s;
  }
  return engine::Status::Ok();
}

// The sweep's name among the pushgateway's groups: its directory's name.
std::string SweepId(const std::string& dir) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(fs::path(dir), ec).lexically_normal();
  std::string id = absolute.filename().string();
  if (id.empty()) id = absolute.parent_path().filename().string();
  return id;
}

// Deletes the groups the previous merge pushed, pushes each shard's metrics.prom and records what
// it pushed. Failures are reported; they never change the merge's exit code.
void Push(const std::string& dir, const std::string& gateway,
          const std::vector<reports::ShardRecord>& shards, std::ostream& out, std::ostream& err) {
  const std::string record_path = dir + "/" + kPushedGroupsFile;
  reports::PushedGroups previous;
  if (std::optional<std::string> text = ReadIfPresent(record_path, err)) {
    const engine::Status s = reports::ParsePushedGroups(record_path, *text, &previous);
    if (!s.ok()) err << "vstress merge: " << s.message() << " (ignored)\n";
  }
  std::vector<reports::ShardMetrics> metrics;
  for (const reports::ShardRecord& r : shards) {
    const std::string path = ShardDir(dir, r.plan.index) + "/metrics.prom";
    if (std::optional<std::string> text = ReadIfPresent(path, err)) {
      metrics.push_back({std::to_string(r.plan.index), std::move(*text)});
    }
  }
  const reports::SweepPushResult result =
      reports::PushSweep(gateway, SweepId(dir), previous, metrics);
  for (const std::string& e : result.errors) err << "vstress merge: pushgateway: " << e << "\n";
  out << fmt::format("pushgateway {}: {} groups deleted, {} of {} shards pushed\n", gateway,
                     result.deleted, result.pushed, metrics.size());
  const engine::Status s =
      reports::WriteFileAtomically(record_path, reports::PushedGroupsJson(result.record));
  if (!s.ok()) err << "vstress merge: " << s.ToString() << "\n";
}

void PrintSummary(const reports::NightlyReport& report, const std::string& dir, std::ostream& out) {
  const reports::SweepTotals& t = report.totals;
  out << fmt::format(
      "vstress merge: {}: {} shards, {} passed, {} failed, {} errors; {} failure "
      "signatures\n",
      report.result, t.shards, t.passed, t.failed, t.errors, report.signatures.size());
  for (const reports::SignatureGroup& g : report.signatures) {
    out << fmt::format("  {} x{}: {}\n", g.signature.kind, g.shards.size(), g.signature.Text());
  }
  out << dir << "/nightly.html\n";
}

}  // namespace

int RunMergeCommand(const MergeOptions& options, std::ostream& out, std::ostream& err) {
  std::string dir = options.dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) {
    return Usage(err, fmt::format("{}: no such sweep directory", options.dir));
  }
  if (!options.push_gateway.empty()) {
    if (auto url = reports::ParseHttpUrl(options.push_gateway); !url.ok()) {
      return Usage(err, "--push-gateway: " + url.status().message());
    }
  }
  engine::Result<std::vector<ShardPlan>> plan = ReadPlan(dir);
  if (!plan.ok()) return Usage(err, plan.status().message());
  if (plan->empty()) return Usage(err, PlanPath(dir) + ": the plan lists no shard");
  reports::SweepFacts facts;
  if (engine::Status s = ReadSweepFacts(dir, &facts); !s.ok()) return Usage(err, s.message());
  MergeOutputs outputs = LoadShards(dir, facts, *plan, err);
  if (!options.compare_dir.empty()) {
    const std::string previous = options.compare_dir + "/summary.json";
    std::string text;
    if (engine::Status s = reports::ReadFile(previous, &text); !s.ok()) {
      return Usage(err, "--compare: " + s.ToString());
    }
    auto compare = reports::CompareWithPrevious(outputs.report, previous, text);
    if (!compare.ok()) return Usage(err, "--compare: " + compare.status().message());
    outputs.report.compare = std::move(compare.value());
  }
  if (engine::Status s = WriteOutputs(dir, options, outputs); !s.ok()) {
    err << "vstress merge: " << s.ToString() << "\n";
    return model::kExitFailure;
  }
  if (!options.push_gateway.empty()) {
    Push(dir, options.push_gateway, outputs.report.shards, out, err);
  }
  PrintSummary(outputs.report, dir, out);
  return outputs.report.exit_code;
}

}  // namespace harness::sweep
