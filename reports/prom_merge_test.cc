#include "reports/prom_merge.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace reports {
namespace {

// A shard's metrics.prom in the shape vstress writes it.
std::string ShardText(int gets, int live_versions, int bucket_low, const std::string& seed) {
  return "# HELP vstress_ops_total Ops completed, by op and result.\n"
         "# TYPE vstress_ops_total counter\n"
         "vstress_ops_total{op=\"get\",result=\"ok\"} " +
         std::to_string(gets) +
         "\n"
         "vstress_ops_total{op=\"put\",result=\"ok\"} 10\n"
         "# HELP vstress_engine_live_versions Versions alive.\n"
         "# TYPE vstress_engine_live_versions gauge\n"
         "vstress_engine_live_versions " +
         std::to_string(live_versions) +
         "\n"
         "# TYPE vstress_run_info gauge\n"
         "vstress_run_info{seed=\"" +
         seed +
         "\",run_id=\"a \\\"quoted\\\" id\"} 1\n"
         "# HELP vstress_op_latency_seconds Op latency, by op.\n"
         "# TYPE vstress_op_latency_seconds histogram\n"
         "vstress_op_latency_seconds_count{op=\"get\"} 5\n"
         "vstress_op_latency_seconds_sum{op=\"get\"} 0.25\n"
         "vstress_op_latency_seconds_bucket{op=\"get\",le=\"1e-06\"} " +
         std::to_string(bucket_low) +
         "\n"
         "vstress_op_latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 5\n";
}

std::vector<PromFamily> Parse(const std::string& text) {
  std::vector<PromFamily> families;
  const engine::Status s = ParseExposition("merged", text, &families);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << text;
  return families;
}

const PromSample* Find(const std::vector<PromFamily>& families, const std::string& name,
                       const std::vector<std::pair<std::string, std::string>>& labels) {
  for (const PromFamily& f : families) {
    for (const PromSample& s : f.samples) {
      if (s.name != name) continue;
      bool all = true;
      for (const auto& label : labels) {
        bool found = false;
        for (const auto& have : s.labels) found = found || have == label;
        all = all && found;
      }
      if (all) return &s;
    }
  }
  return nullptr;
}

// The value of the sample Find finds, NaN when there is none: a missing series fails the
// comparison instead of crashing the test.
double ValueOf(const std::vector<PromFamily>& families, const std::string& name,
               const std::vector<std::pair<std::string, std::string>>& labels) {
  const PromSample* s = Find(families, name, labels);
  return s == nullptr ? NAN : s->value;
}

// Proves: counters and every histogram sample are summed per label set; gauges, vstress_run_info
// among them, stay one per shard with a shard label; label values with quotes survive; the output
// parses again with each family's type.
TEST(ExpositionMergerTest, SumsCountersAndLabelsGaugesByShard) {
  ExpositionMerger merger;
  ASSERT_TRUE(merger.Add("0", "s0", ShardText(100, 3, 2, "1")).ok());
  ASSERT_TRUE(merger.Add("1", "s1", ShardText(250, 1, 4, "2")).ok());
  EXPECT_EQ(merger.shards_merged(), 2u);
  const std::vector<PromFamily> merged = Parse(merger.Text());

  const PromSample* gets = Find(merged, "vstress_ops_total", {{"op", "get"}});
  ASSERT_NE(gets, nullptr);
  EXPECT_EQ(gets->value, 350);
  EXPECT_EQ(gets->labels.size(), 2u) << "a summed counter gains no shard label";
  EXPECT_EQ(ValueOf(merged, "vstress_ops_total", {{"op", "put"}}), 20);
  EXPECT_EQ(ValueOf(merged, "vstress_op_latency_seconds_bucket", {{"le", "1e-06"}}), 6);
  EXPECT_EQ(ValueOf(merged, "vstress_op_latency_seconds_bucket", {{"le", "+Inf"}}), 10);
  EXPECT_DOUBLE_EQ(ValueOf(merged, "vstress_op_latency_seconds_sum", {}), 0.5);
  EXPECT_EQ(ValueOf(merged, "vstress_op_latency_seconds_count", {}), 10);

  EXPECT_EQ(ValueOf(merged, "vstress_engine_live_versions", {{"shard", "0"}}), 3);
  EXPECT_EQ(ValueOf(merged, "vstress_engine_live_versions", {{"shard", "1"}}), 1);
  const PromSample* info = Find(merged, "vstress_run_info", {{"shard", "1"}, {"seed", "2"}});
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(ValueOf(merged, "vstress_run_info", {{"run_id", "a \"quoted\" id"}}), 1);
  for (const PromFamily& f : merged) {
    if (f.name == "vstress_op_latency_seconds") {
      EXPECT_EQ(f.type, "histogram");
    }
    if (f.name == "vstress_engine_live_versions") {
      EXPECT_EQ(f.help, "Versions alive.");
    }
  }
}

// Proves: a malformed shard is refused whole, naming its path and line, and leaves the merge as it
// was; so is a family whose type clashes with an earlier shard's.
TEST(ExpositionMergerTest, RefusesMalformedOrClashingShardsWhole) {
  ExpositionMerger merger;
  ASSERT_TRUE(merger.Add("0", "s0", ShardText(100, 3, 2, "1")).ok());
  const std::string before = merger.Text();
  const engine::Status bad =
      merger.Add("1", "shards/1/metrics.prom", "vstress_ops_total{op=\"get\"} 5\nbroken{ 1\n");
  EXPECT_TRUE(bad.IsInvalidArgument());
  EXPECT_NE(bad.message().find("shards/1/metrics.prom:2"), std::string::npos) << bad.message();
  const engine::Status clash = merger.Add("2", "shards/2/metrics.prom",
                                          "# TYPE vstress_ops_total gauge\nvstress_ops_total 1\n");
  EXPECT_TRUE(clash.IsInvalidArgument());
  EXPECT_NE(clash.message().find("vstress_ops_total"), std::string::npos);
  EXPECT_EQ(merger.Text(), before);
  EXPECT_EQ(merger.shards_merged(), 1u);
}

// Proves: the parser takes what the format allows (comments, blank lines, timestamps, escapes,
// special values) and rejects what it does not (a second TYPE, an unknown type, junk values).
TEST(ParseExpositionTest, AcceptsTheFormatAndRejectsJunk) {
  std::vector<PromFamily> f;
  ASSERT_TRUE(ParseExposition("p",
                              "# a comment\n\n# TYPE up gauge\nup{a=\"x\\\\y\\nz\"} +Inf 1700000\n"
                              "up{a=\"b\",} NaN\nuntyped_thing -3.5e-2\n",
                              &f)
                  .ok());
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].samples[0].labels[0].second, "x\\y\nz");
  EXPECT_TRUE(std::isinf(f[0].samples[0].value));
  EXPECT_TRUE(std::isnan(f[0].samples[1].value));
  EXPECT_EQ(f[1].type, "untyped");
  EXPECT_DOUBLE_EQ(f[1].samples[0].value, -0.035);
  for (const char* junk : {"# TYPE a gauge\n# TYPE a gauge\n", "# TYPE a sometype\n", "a 1x\n",
                           "a{b=\"c} 1\n", "a 1 2 3\n", "{b=\"c\"} 1\n"}) {
    EXPECT_FALSE(ParseExposition("p", junk, &f).ok()) << junk;
  }
}

// Proves: values are written so Prometheus reads them back exactly: integers without exponent,
// fractions in shortest form, special values by their names.
TEST(FormatPromValueTest, WritesIntegersFractionsAndSpecials) {
  EXPECT_EQ(FormatPromValue(2331183), "2331183");
  EXPECT_EQ(FormatPromValue(1e6), "1000000");
  EXPECT_EQ(FormatPromValue(0.462041291), "0.462041291");
  EXPECT_EQ(FormatPromValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatPromValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatPromValue(NAN), "NaN");
  EXPECT_EQ(FormatPromValue(0), "0");
}

// Proves: a series of a gauge that already carries a `shard` label keeps it as exported_shard
// instead of colliding with the shard label the merge adds.
TEST(ExpositionMergerTest, KeepsAnExistingShardLabelAsExportedShard) {
  ExpositionMerger merger;
  ASSERT_TRUE(merger.Add("4", "p", "# TYPE g gauge\ng{shard=\"x\"} 2\n").ok());
  const std::vector<PromFamily> merged = Parse(merger.Text());
  ASSERT_NE(Find(merged, "g", {{"exported_shard", "x"}, {"shard", "4"}}), nullptr);
}

}  // namespace
}  // namespace reports
