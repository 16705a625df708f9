#include "reports/nightly_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace reports {
namespace {

using nlohmann::json;

ShardPlanFacts Plan(uint64_t index, uint64_t seed) {
  ShardPlanFacts plan;
  plan.index = index;
  plan.seed = seed;
  plan.workload = "smoke";
  plan.driver = "run";
  plan.command = "vstress run --preset smoke --seed " + std::to_string(seed);
  return plan;
}

std::string ShardJson(int exit_code, const std::string& exit) {
  return json{
      {"index", 0}, {"exit_code", exit_code}, {"exit", exit}, {"seconds", 9.5}, {"host", "h"}}
      .dump();
}

json Summary(const std::string& result, int exit_code, double seconds) {
  return {{"result", result},
          {"exit_code", exit_code},
          {"duration_s", seconds},
          {"ops", {{"get", 1000}, {"put", 200}, {"scan", 10}, {"scan_steps", 5000}}},
          {"checks", {{"reads_checked", 1000}, {"snapshot_reads_checked", 50}}},
          {"violations", result == "violation" ? 1 : 0},
          {"faults", {{"injected_total", 7}}},
          {"coverage",
           {{"fired", {{"engine/file/delete:error", 4}, {"engine/wal/sync:delay", 3}}},
            {"reactions", {{"retried", 2}}}}},
          {"repro", "vstress run --config c.toml"}};
}

std::string Violations(const std::string& kind, const std::string& op, const std::string& history,
                       uint64_t read_sequence) {
  return json{{"violations_total", 1},
              {"violations",
               {{{"kind", kind},
                 {"op", op},
                 {"key", "k1"},
                 {"key_history", history},
                 {"read_sequence", read_sequence},
                 {"expected", "not-found"},
                 {"observed", "v1 (3 bytes)"},
                 {"message", "found a value where the key must be absent"}}}}}
      .dump();
}

ShardFiles Files(uint64_t index, std::optional<std::string> shard,
                 std::optional<std::string> summary,
                 std::optional<std::string> violations = std::nullopt) {
  ShardFiles files;
  files.dir = "shards/" + std::to_string(index);
  files.shard_json = std::move(shard);
  files.summary_json = std::move(summary);
  files.violations_json = std::move(violations);
  return files;
}

ShardRecord TombstoneShard(uint64_t index, uint64_t seed, double seconds, const std::string& op) {
  return LoadShardRecord(
      Plan(index, seed),
      Files(index, ShardJson(1, "exit 1"), Summary("violation", 1, seconds).dump(),
            Violations(
                "point_read", op,
                "seq=1 put v1\nseq=" + std::to_string(seed + 2) + " delete\nseq=99999 put v9\n",
                seed + 10)));
}

ShardRecord PassShard(uint64_t index, double seconds) {
  return LoadShardRecord(Plan(index, index + 1),
                         Files(index, ShardJson(0, "exit 0"), Summary("pass", 0, seconds).dump()));
}

// Proves: a passing shard's record carries its counts (ops as report.html adds them, the reads the
// oracle checked, faults, coverage) and no signature.
TEST(LoadShardRecordTest, PassingShardCarriesItsCounts) {
  const ShardRecord r = PassShard(3, 2.0);
  EXPECT_EQ(r.result, "pass");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.signature.empty());
  EXPECT_EQ(r.ops, 1210u) << "put + get + scan, not scan steps";
  EXPECT_DOUBLE_EQ(r.OpsPerSecond(), 605);
  EXPECT_EQ(r.reads_checked, 1050u);
  EXPECT_EQ(r.faults_injected, 7u);
  EXPECT_EQ(r.faults_fired.at("engine/file/delete:error"), 4u);
  EXPECT_EQ(r.report, "shards/3/report.html");
  EXPECT_EQ(r.ReproCommand(), "vstress run --config c.toml");
}

// Proves: every way a shard can fail to report is an error row with a signature and a reason that
// names the file: never ran, no summary, malformed files, a passing summary with a bad exit.
TEST(LoadShardRecordTest, MissingOrMalformedFilesAreErrorRows) {
  const ShardRecord never = LoadShardRecord(Plan(2, 3), Files(2, std::nullopt, std::nullopt));
  EXPECT_EQ(never.result, "error");
  EXPECT_EQ(never.exit_code, 4);
  EXPECT_NE(never.error.find("shards/2/shard.json"), std::string::npos) << never.error;
  EXPECT_FALSE(never.signature.empty());
  EXPECT_EQ(never.ReproCommand(), "vstress run --preset smoke --seed 3") << "the plan's command";

  const ShardRecord died =
      LoadShardRecord(Plan(1, 1), Files(1, ShardJson(4, "signal 9"), std::nullopt));
  EXPECT_EQ(died.result, "error");
  EXPECT_NE(died.signature.Text().find("signal 9"), std::string::npos) << died.signature.Text();
  EXPECT_DOUBLE_EQ(died.duration_seconds, 9.5) << "shard.json's seconds when there is no summary";

  const ShardRecord bad_summary =
      LoadShardRecord(Plan(1, 1), Files(1, ShardJson(0, "exit 0"), "{\"result\": 3}"));
  EXPECT_EQ(bad_summary.result, "error");
  EXPECT_NE(bad_summary.error.find("shards/1/summary.json is malformed"), std::string::npos);

  const ShardRecord bad_shard = LoadShardRecord(Plan(1, 1), Files(1, "[1,2", std::nullopt));
  EXPECT_NE(bad_shard.error.find("shards/1/shard.json is malformed"), std::string::npos);

  const ShardRecord killed_after = LoadShardRecord(
      Plan(1, 1), Files(1, ShardJson(4, "signal 11"), Summary("pass", 0, 1).dump()));
  EXPECT_EQ(killed_after.result, "error");
  EXPECT_EQ(killed_after.exit_code, 4);
}

// Proves: a violation shard is signed by its first violation; one that lost its violations.json,
// and a liveness shard, are signed by result and reason.
TEST(LoadShardRecordTest, FailingShardsAreSigned) {
  const ShardRecord v = TombstoneShard(0, 1, 0.5, "get k1 // v1 seq=11");
  EXPECT_EQ(v.result, "violation");
  EXPECT_EQ(v.signature.Text(), "read: newest write at the read: delete");
  ASSERT_TRUE(v.first_violation.has_value());
  EXPECT_EQ(v.first_violation->kind, "point_read");

  const ShardRecord lost = LoadShardRecord(
      Plan(0, 1), Files(0, ShardJson(1, "exit 1"), Summary("violation", 1, 1).dump()));
  EXPECT_EQ(lost.signature.kind, "violation");
  EXPECT_NE(lost.signature.shape.find("violations.json"), std::string::npos);

  json liveness = Summary("liveness", 3, 10);
  liveness["error"] = "the run stalled: blocked in a DB call for over 10s";
  const ShardRecord live =
      LoadShardRecord(Plan(0, 1), Files(0, ShardJson(3, "exit 3"), liveness.dump()));
  EXPECT_EQ(live.signature.Text(), "liveness: the run stalled: blocked in a DB call for over #s");
}

// Proves: several seeds of one bug, met through different readers, are one group whose repro is
// the shard that failed soonest; groups sort by count; a passing shard is in no group; the totals
// add up; the exit code is the worst result's.
TEST(BuildNightlyReportTest, GroupsOneBugIntoOneRow) {
  std::vector<ShardRecord> shards = {
      PassShard(0, 2.0), TombstoneShard(1, 11, 3.0, "get k1 // v1 seq=21"),
      TombstoneShard(2, 12, 0.25, "scan k1 fwd // ok seq=22"),
      TombstoneShard(3, 13, 1.0, "snapshot-get k1 // v1 seq=23"),
      LoadShardRecord(Plan(4, 14), Files(4, std::nullopt, std::nullopt))};
  const NightlyReport report = BuildNightlyReport({}, std::move(shards));
  ASSERT_EQ(report.signatures.size(), 2u);
  const SignatureGroup& bug = report.signatures[0];
  EXPECT_EQ(bug.shards, (std::vector<size_t>{1, 2, 3}));
  EXPECT_EQ(bug.seeds, (std::vector<uint64_t>{11, 12, 13}));
  EXPECT_EQ(bug.repro_shard, 2u);
  EXPECT_EQ(bug.seen_as, (std::vector<std::string>{"point_read get", "point_read scan",
                                                   "point_read snapshot-get"}));
  EXPECT_EQ(report.signatures[1].shards, (std::vector<size_t>{4}));
  EXPECT_EQ(report.totals.passed, 1u);
  EXPECT_EQ(report.totals.failed, 3u);
  EXPECT_EQ(report.totals.errors, 1u);
  EXPECT_EQ(report.totals.ops, 4 * 1210u);
  EXPECT_EQ(report.totals.faults_injected, 28u);
  EXPECT_EQ(report.coverage.fired.at("engine/file/delete:error"), 16u);
  EXPECT_EQ(report.coverage.fired_shards.at("engine/wal/sync:delay"), 4u);
  EXPECT_EQ(report.coverage.reactions.at("retried"), 8u);
  EXPECT_EQ(report.result, "violation");
  EXPECT_EQ(report.exit_code, 1);

  const NightlyReport errors_only =
      BuildNightlyReport({}, {PassShard(0, 1), LoadShardRecord(Plan(1, 2), Files(1, {}, {}))});
  EXPECT_EQ(errors_only.exit_code, 4);
  EXPECT_EQ(BuildNightlyReport({}, {PassShard(0, 1)}).exit_code, 0);
}

// Proves: the median ignores shards that ran nothing and averages the middle pair.
TEST(MedianOpsPerSecondTest, IgnoresShardsThatRanNothing) {
  EXPECT_EQ(MedianOpsPerSecond({}), 0);
  EXPECT_EQ(MedianOpsPerSecond({0, 5, 1, 3}), 3);
  EXPECT_EQ(MedianOpsPerSecond({4, 2, 0, 0}), 3);
}

// Proves: comparing with a previous merge lists the signatures that appeared and those that went,
// and the median throughput ratio; summary.json round-trips through the comparison.
TEST(CompareWithPreviousTest, NewFixedAndThroughputRatio) {
  const NightlyReport before = BuildNightlyReport(
      {}, {PassShard(0, 1.0), LoadShardRecord(Plan(1, 2), Files(1, std::nullopt, std::nullopt))});
  NightlyReport now =
      BuildNightlyReport({}, {PassShard(0, 2.0), TombstoneShard(1, 2, 1.0, "get k1 // v1 seq=12")});
  auto c = CompareWithPrevious(now, "prev/summary.json", NightlySummaryJson(before));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->new_signatures,
            (std::vector<std::string>{"read: newest write at the read: delete"}));
  ASSERT_EQ(c->fixed_signatures.size(), 1u);
  EXPECT_NE(c->fixed_signatures[0].find("never ran"), std::string::npos);
  ASSERT_TRUE(c->throughput_ratio.has_value());
  // Before: one shard at 1210 ops/s; now: 605 and 1210, median 907.5.
  EXPECT_DOUBLE_EQ(*c->throughput_ratio, 907.5 / 1210);
  now.compare = *c;
  const json summary = json::parse(NightlySummaryJson(now));
  EXPECT_EQ(summary["compare"]["new_signatures"].size(), 1u);
  EXPECT_DOUBLE_EQ(summary["compare"]["throughput_ratio"].get<double>(), 907.5 / 1210);
}

// Proves: a previous summary.json that is not a merge of this version is refused, naming it.
TEST(CompareWithPreviousTest, RefusesWhatIsNotAMergedSummary) {
  const NightlyReport now = BuildNightlyReport({}, {PassShard(0, 1)});
  for (const char* text : {"not json",
                           "{\"plan_version\": 2, \"signatures\": [], "
                           "\"shards_list\": []}",
                           "{\"result\": \"pass\", \"exit_code\": 0}"}) {
    auto c = CompareWithPrevious(now, "old/summary.json", text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_TRUE(c.status().IsInvalidArgument());
    EXPECT_NE(c.status().message().find("old/summary.json"), std::string::npos);
  }
}

// Proves: summary.json has the fields the contract lists, with each shard's row and each group.
TEST(NightlySummaryJsonTest, HasTheContractFields) {
  SweepFacts facts;
  facts.dir = "/sweeps/n1";
  facts.command = "vstress sweep --seeds 1-2";
  const json s = json::parse(NightlySummaryJson(BuildNightlyReport(
      facts, {PassShard(0, 1), TombstoneShard(1, 5, 1.0, "get k1 // v1 seq=15")})));
  EXPECT_EQ(s["plan_version"], 1);
  EXPECT_EQ(s["result"], "violation");
  EXPECT_EQ(s["exit_code"], 1);
  EXPECT_EQ(s["shards"], 2);
  for (const char* key :
       {"passed", "failed", "errors", "reads_checked", "faults_injected", "crash_cycles", "ops"}) {
    EXPECT_TRUE(s["totals"].contains(key)) << key;
  }
  const json& row = s["shards_list"][1];
  for (const char* key : {"index", "seed", "workload", "result", "exit_code", "duration_s",
                          "ops_per_s", "signature", "report"}) {
    EXPECT_TRUE(row.contains(key)) << key;
  }
  EXPECT_EQ(row["report"], "shards/1/report.html");
  const json& group = s["signatures"][0];
  EXPECT_EQ(group["kind"], "read");
  EXPECT_EQ(group["count"], 1);
  EXPECT_EQ(group["seeds"], json::array({5}));
  EXPECT_EQ(group["repro"], "vstress run --config c.toml");
  EXPECT_EQ(s["coverage"]["fired"]["engine/file/delete:error"], 8);
  EXPECT_EQ(s["sweep"]["command"], "vstress sweep --seeds 1-2");
  EXPECT_FALSE(s.contains("compare"));
}

}  // namespace
}  // namespace reports
