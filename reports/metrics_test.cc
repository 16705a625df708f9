#include "reports/metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "reports/junit.h"

namespace reports {
namespace {

// The value of the sample `series` (the text before the value, e.g. `x{a="b"}`) in `text`.
double SampleValue(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + 1 + series.size() + 1));
}

MetricsSnapshot SomeSnapshot() {
  MetricsSnapshot m;
  m.seconds = 2.5;
  m.live_versions = 3;
  m.deferred_deletions = 7;
  m.deferred_deletion_bytes = 4096;
  m.files_deleted = 11;
  m.ops[static_cast<size_t>(OpKind::kGet)][static_cast<size_t>(OpResult::kOk)] = 100;
  m.ops[static_cast<size_t>(OpKind::kGet)][static_cast<size_t>(OpResult::kNotFound)] = 5;
  m.latency[static_cast<size_t>(OpKind::kGet)].buckets[0] = 90;
  m.latency[static_cast<size_t>(OpKind::kGet)].buckets[3] = 15;
  m.latency[static_cast<size_t>(OpKind::kGet)].sum_seconds = 0.0002;
  m.reads_checked["point_read"] = 105;
  m.faults[{"engine/file/delete", "error"}] = 4;
  return m;
}

TEST(RunMetricsTest, PublishesGaugesCountersAndHistogramsWithTheirNames) {
  RunMetrics metrics({"7", "smoke", "none", "0.1.0", "run-a"});
  metrics.Publish(SomeSnapshot());
  const std::string text = metrics.Text();
  EXPECT_EQ(SampleValue(text, "vstress_engine_live_versions"), 3);
  EXPECT_EQ(SampleValue(text, "vstress_engine_deferred_deletions"), 7);
  EXPECT_EQ(SampleValue(text, "vstress_engine_deferred_deletion_bytes"), 4096);
  EXPECT_EQ(SampleValue(text, "vstress_engine_files_deleted_total"), 11);
  EXPECT_EQ(SampleValue(text, "vstress_ops_total{op=\"get\",result=\"ok\"}"), 100);
  EXPECT_EQ(SampleValue(text, "vstress_ops_total{op=\"get\",result=\"not_found\"}"), 5);
  EXPECT_EQ(SampleValue(text, "vstress_reads_checked_total{kind=\"point_read\"}"), 105);
  EXPECT_EQ(
      SampleValue(text,
                  "vstress_faults_injected_total{action=\"error\",point=\"engine/file/delete\"}"),
      4);
  EXPECT_EQ(SampleValue(text, "vstress_op_latency_seconds_count{op=\"get\"}"), 105);
  // Cumulative buckets: 90 at le=1e-06, all 105 from le=8e-06 on.
  EXPECT_EQ(SampleValue(text, "vstress_op_latency_seconds_bucket{op=\"get\",le=\"1e-06\"}"), 90);
  EXPECT_EQ(SampleValue(text, "vstress_op_latency_seconds_bucket{op=\"get\",le=\"8e-06\"}"), 105);
  EXPECT_EQ(SampleValue(text,
                        "vstress_run_info{mutant=\"none\",preset=\"smoke\",run_id=\"run-a\","
                        "seed=\"7\",version=\"0.1.0\"}"),
            1);
}

TEST(RunMetricsTest, CountersAdvanceToTheLatestTotalsNotBySums) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-b"});
  MetricsSnapshot m = SomeSnapshot();
  metrics.Publish(m);
  metrics.Publish(m);  // the same totals again: nothing new happened
  m.files_deleted = 20;
  m.latency[static_cast<size_t>(OpKind::kGet)].buckets[0] = 100;
  metrics.Publish(m);
  const std::string text = metrics.Text();
  EXPECT_EQ(SampleValue(text, "vstress_engine_files_deleted_total"), 20);
  EXPECT_EQ(SampleValue(text, "vstress_op_latency_seconds_count{op=\"get\"}"), 115);
}

TEST(RunMetricsTest, SeriesThatHaveNotHappenedYetAreExportedAsZero) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-c"});
  metrics.DeclareFaults({{"engine/wal/sync", "error"}});
  const std::string text = metrics.Text();
  for (auto kind : kViolationKinds) {
    EXPECT_EQ(SampleValue(text, "vstress_violations_total{kind=\"" + std::string(kind) + "\"}"), 0)
        << kind;
  }
  EXPECT_EQ(SampleValue(
                text, "vstress_faults_injected_total{action=\"error\",point=\"engine/wal/sync\"}"),
            0);
  EXPECT_EQ(SampleValue(text, "vstress_ops_total{op=\"scan_step\",result=\"injected_error\"}"), 0);
}

TEST(MetricsExporterTest, BadAddressesAndUrlsAreNamedErrors) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-d"});
  auto listen = MetricsExporter::Start(&metrics, {"no-port-here", "", ""});
  ASSERT_FALSE(listen.ok());
  EXPECT_NE(listen.status().message().find("--metrics-listen"), std::string::npos);
  auto push = MetricsExporter::Start(&metrics, {"", "", "ftp://127.0.0.1:9091"});
  ASSERT_FALSE(push.ok());
  EXPECT_NE(push.status().message().find("--push-gateway"), std::string::npos);
}

TEST(MetricsExporterTest, ServesOnAFreePortAndRewritesTheTextfile) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-e"});
  const std::string textfile =
      ::testing::TempDir() + "vstress-metrics-test-" + std::to_string(getpid()) + ".prom";
  auto started = MetricsExporter::Start(&metrics, {"127.0.0.1:0", textfile, ""});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_GT(started.value()->port(), 0);
  started.value()->OnSample(SomeSnapshot());
  std::ifstream in(textfile);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(SampleValue("\n" + text, "vstress_engine_live_versions"), 3);
  std::filesystem::remove(textfile);
}

TEST(LatencyCountsTest, QuantilesInterpolateWithinTheirBucket) {
  LatencyCounts c;
  EXPECT_EQ(c.Quantile(0.5), 0);  // no ops
  c.buckets[2] = 100;             // all in (2 µs, 4 µs]
  EXPECT_NEAR(c.Quantile(0.5), 3e-6, 1e-12);
  EXPECT_NEAR(c.Quantile(0.99), 3.98e-6, 1e-12);
  c.buckets[kLatencyBounds] = 100;  // half beyond the last bound
  EXPECT_EQ(c.Quantile(0.99), LatencyBound(kLatencyBounds - 1));
  LatencyCounts earlier;
  earlier.buckets[2] = 40;
  EXPECT_EQ(c.Since(earlier).count(), 160u);
}

TEST(SampleTest, RatesAndQuantilesCoverOnlyTheInterval) {
  MetricsSnapshot a;
  a.seconds = 1;
  a.ops[static_cast<size_t>(OpKind::kPut)][0] = 100;
  a.latency[static_cast<size_t>(OpKind::kPut)].buckets[10] = 100;  // slow ops before
  MetricsSnapshot b = a;
  b.seconds = 1.5;
  b.ops[static_cast<size_t>(OpKind::kPut)][0] = 300;
  b.latency[static_cast<size_t>(OpKind::kPut)].buckets[1] = 200;  // fast ops since
  const Sample s = Sample::Between(&a, b);
  EXPECT_DOUBLE_EQ(s.ops_per_second[static_cast<size_t>(OpKind::kPut)], 400);
  EXPECT_LE(s.p99_seconds[static_cast<size_t>(OpKind::kPut)], LatencyBound(1));
  EXPECT_EQ(s.ops, 300u);
}

// ---- junit.xml ---------------------------------------------------------------------------

RunOutcome PassingOutcome() {
  RunOutcome o;
  o.duration_seconds = 20;
  o.checks = {{"reads_checked", 10},
              {"scans_checked", 3},
              {"snapshot_reads_checked", 4},
              {"invariant_checks", 80},
              {"recovery_checks", 1}};
  return o;
}

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) n++;
  return n;
}

TEST(JunitTest, APassingRunHasOneTestcasePerCheckFamilyAndNoFailures) {
  RunInfo info;
  info.seed = 1;
  info.preset = "smoke";
  const std::string xml = JunitXml(info, PassingOutcome());
  for (const char* name :
       {"point reads", "scans", "snapshot reads", "invariants", "recovery", "run completes"}) {
    EXPECT_EQ(Count(xml, std::string("name=\"") + name + "\""), 1) << name;
  }
  EXPECT_EQ(Count(xml, "<failure"), 0);
  EXPECT_EQ(Count(xml, "<testcase "), 6);
  EXPECT_NE(xml.find("tests=\"6\" failures=\"0\" errors=\"0\" skipped=\"0\""), std::string::npos);
}

TEST(JunitTest, ViolationsAreFailuresOfTheirFamilyWithEscapedText) {
  RunInfo info;
  info.preset = "smoke";
  info.mutant = "iterator-no-pin";
  RunOutcome o = PassingOutcome();
  Violation v;
  v.kind = "scan";
  v.message = "scan skipped a key <k7> & more";
  v.key_history = "seq=3 put v0.1 (12 bytes)\n";
  o.violations = {v};
  o.violation_count = 1;
  o.result = "violation";
  const std::string xml = JunitXml(info, o);
  EXPECT_EQ(Count(xml, "<failure"), 1);
  EXPECT_NE(xml.find("name=\"scans\" time=\"20.000\">\n      <failure message=\"scan skipped a key "
                     "&lt;k7&gt; &amp; more\""),
            std::string::npos);
  EXPECT_NE(xml.find("seq=3 put v0.1"), std::string::npos);
  EXPECT_NE(xml.find("name=\"mutant iterator-no-pin is caught\" time=\"20.000\"/>"),
            std::string::npos);
  EXPECT_EQ(xml.find("<k7>"), std::string::npos);
}

TEST(JunitTest, AnUncaughtMutantAnErrorAndAnUncheckedFamilyAreReported) {
  RunInfo info;
  info.preset = "smoke";
  info.mutant = "unref-twice";
  RunOutcome o = PassingOutcome();
  o.checks.erase("scans_checked");
  o.result = "liveness";
  o.error = "no op completed for 30s";
  const std::string xml = JunitXml(info, o);
  EXPECT_NE(xml.find("<failure message=\"the checker found no violation"), std::string::npos);
  EXPECT_NE(xml.find("<error message=\"no op completed for 30s\" type=\"liveness\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("name=\"scans\" time=\"20.000\">\n      <skipped"), std::string::npos);
}

}  // namespace
}  // namespace reports
