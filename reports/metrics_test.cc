#include "reports/metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "reports/junit.h"
#include "tests/lib/text.h"

namespace reports {
namespace {

using vstress_test::CountOccurrences;

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
  RunMetrics metrics({"7", "smoke", "none", "0.1.0", "run-a", "vstress", "0.1.0", {}});
  metrics.Publish(SomeSnapshot());
  const std::string text = metrics.Text();
  EXPECT_EQ(SampleValue(text, "vstress_engine_live_versions{store=\"vstress\"}"), 3);
  EXPECT_EQ(SampleValue(text, "vstress_engine_deferred_deletions{store=\"vstress\"}"), 7);
  EXPECT_EQ(SampleValue(text, "vstress_engine_deferred_deletion_bytes{store=\"vstress\"}"), 4096);
  EXPECT_EQ(SampleValue(text, "vstress_engine_files_deleted_total{store=\"vstress\"}"), 11);
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
                        "seed=\"7\",store=\"vstress\",store_version=\"0.1.0\",version=\"0.1.0\"}"),
            1);
}

TEST(RunMetricsTest, AGaugeTheStoreDoesNotExposeIsAbsentNotZero) {
  RunMetrics metrics(
      {"7", "smoke", "none", "0.1.0", "run-a", "leveldb", "1.23", {"live_versions"}});
  metrics.Publish(SomeSnapshot());
  const std::string text = metrics.Text();
  EXPECT_EQ(text.find("vstress_engine_live_versions"), std::string::npos) << text;
  EXPECT_EQ(SampleValue(text, "vstress_engine_deferred_deletions{store=\"leveldb\"}"), 7);
  EXPECT_EQ(SampleValue(text, "vstress_engine_files_deleted_total{store=\"leveldb\"}"), 11);
}

TEST(RunMetricsTest, CountersAdvanceToTheLatestTotalsNotBySums) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-b", "vstress", "0.1.0", {}});
  MetricsSnapshot m = SomeSnapshot();
  metrics.Publish(m);
  metrics.Publish(m);  // the same totals again: nothing new happened
  m.files_deleted = 20;
  m.latency[static_cast<size_t>(OpKind::kGet)].buckets[0] = 100;
  metrics.Publish(m);
  const std::string text = metrics.Text();
  EXPECT_EQ(SampleValue(text, "vstress_engine_files_deleted_total{store=\"vstress\"}"), 20);
  EXPECT_EQ(SampleValue(text, "vstress_op_latency_seconds_count{op=\"get\"}"), 115);
}

TEST(RunMetricsTest, SeriesThatHaveNotHappenedYetAreExportedAsZero) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-c", "vstress", "0.1.0", {}});
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
  // A run without crashes shows every crash series at 0, and an empty recovery histogram.
  for (auto mode : kCrashFamilyNames) {
    for (auto result : kCrashResultNames) {
      EXPECT_EQ(SampleValue(text, "vstress_crash_cycles_total{mode=\"" + std::string(mode) +
                                      "\",result=\"" + std::string(result) + "\"}"),
                0)
          << mode << " " << result;
    }
  }
  EXPECT_EQ(SampleValue(text, "vstress_recovery_seconds_count"), 0);
  EXPECT_EQ(SampleValue(text, "vstress_recovery_seconds_bucket{le=\"+Inf\"}"), 0);
}

CrashCycle Cycle(uint64_t number, const char* mode, double recovery_seconds, bool ok) {
  CrashCycle c;
  c.cycle = number;
  c.seconds = static_cast<double>(number);
  c.mode = mode;
  c.recovery_seconds = recovery_seconds;
  c.ok = ok;
  return c;
}

// Every `NAME_bucket{...le="BOUND"} VALUE` line of `text`, in order: (bound, cumulative count).
std::vector<std::pair<std::string, double>> Buckets(const std::string& text,
                                                    const std::string& name) {
  std::vector<std::pair<std::string, double>> buckets;
  const std::regex line("\n" + name + "_bucket\\{le=\"([^\"]+)\"\\} ([0-9.e+-]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
       ++it) {
    buckets.emplace_back((*it)[1].str(), std::stod((*it)[2].str()));
  }
  return buckets;
}

// Proves: crash cycles are counted by crash family (torn and crash fires are power losses) and
// result, and their recovery times form a Prometheus histogram whose buckets are cumulative and
// whose +Inf bucket equals its count.
TEST(RunMetricsTest, CrashCyclesCountByModeAndResultAndRecoveryIsAHistogram) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-crash", "vstress", "0.1.0", {}});
  const std::vector<CrashCycle> cycles = {
      Cycle(1, "power-loss", 0.002, true), Cycle(2, "torn", 0.0005, true),
      Cycle(3, "power-loss (crash fire)", 0.3, false), Cycle(4, "kill", 40, true)};
  MetricsSnapshot m;
  m.CountCrashCycles(cycles);
  EXPECT_EQ(m.CrashCyclesTotal(), 4u);
  metrics.Publish(m);
  metrics.Publish(m);  // the same totals again: nothing new happened
  const std::string text = metrics.Text();
  EXPECT_EQ(
      SampleValue(text, "vstress_crash_cycles_total{mode=\"power-loss\",result=\"recovered\"}"), 2);
  EXPECT_EQ(SampleValue(text, "vstress_crash_cycles_total{mode=\"power-loss\",result=\"failed\"}"),
            1);
  EXPECT_EQ(SampleValue(text, "vstress_crash_cycles_total{mode=\"kill\",result=\"recovered\"}"), 1);
  EXPECT_EQ(SampleValue(text, "vstress_crash_cycles_total{mode=\"kill\",result=\"failed\"}"), 0);
  EXPECT_NE(text.find("# TYPE vstress_crash_cycles_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE vstress_recovery_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# HELP vstress_recovery_seconds "), std::string::npos);

  const auto buckets = Buckets(text, "vstress_recovery_seconds");
  ASSERT_EQ(buckets.size(), kRecoveryBounds.size() + 1);
  for (size_t i = 1; i < buckets.size(); i++) {
    EXPECT_GE(buckets[i].second, buckets[i - 1].second) << "le=" << buckets[i].first;
  }
  EXPECT_EQ(buckets.front(), (std::pair<std::string, double>{"0.001", 1}));  // the torn one
  EXPECT_EQ(buckets[1].second, 2);                                           // le=0.0025
  EXPECT_EQ(buckets[kRecoveryBounds.size() - 1].second, 3);                  // le=30: not the kill
  EXPECT_EQ(buckets.back(), (std::pair<std::string, double>{"+Inf", 4}));
  EXPECT_EQ(SampleValue(text, "vstress_recovery_seconds_count"), 4);
  EXPECT_DOUBLE_EQ(SampleValue(text, "vstress_recovery_seconds_sum"), 40.3025);
}

// Proves: a snapshot that starts from the previous one's crash counts adds only the cycles since,
// so counting the same run again (every sample does) never counts a cycle twice.
TEST(MetricsSnapshotTest, CountCrashCyclesCountsEachCycleOnce) {
  std::vector<CrashCycle> cycles = {Cycle(1, "power-loss", 0.01, true)};
  MetricsSnapshot previous;
  previous.CountCrashCycles(cycles);
  cycles.push_back(Cycle(2, "kill", 0.02, false));
  MetricsSnapshot now;
  now.crash_cycles = previous.crash_cycles;
  now.recovery = previous.recovery;
  now.CountCrashCycles(cycles);
  now.CountCrashCycles(cycles);
  EXPECT_EQ(now.CrashCyclesTotal(), 2u);
  EXPECT_EQ(now.recovery.count(), 2u);
  EXPECT_EQ(now.crash_cycles[static_cast<size_t>(CrashFamily::kKill)]
                            [static_cast<size_t>(CrashResult::kFailed)],
            1u);
  EXPECT_EQ(now.crash_cycles[static_cast<size_t>(CrashFamily::kPowerLoss)]
                            [static_cast<size_t>(CrashResult::kRecovered)],
            1u);
  EXPECT_NEAR(now.recovery.sum_seconds, 0.03, 1e-12);
}

TEST(MetricsExporterTest, BadAddressesAndUrlsAreNamedErrors) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-d", "vstress", "0.1.0", {}});
  auto listen = MetricsExporter::Start(&metrics, {"no-port-here", "", ""});
  ASSERT_FALSE(listen.ok());
  EXPECT_NE(listen.status().message().find("--metrics-listen"), std::string::npos);
  auto push = MetricsExporter::Start(&metrics, {"", "", "ftp://127.0.0.1:9091"});
  ASSERT_FALSE(push.ok());
  EXPECT_NE(push.status().message().find("--push-gateway"), std::string::npos);
}

TEST(MetricsExporterTest, ServesOnAFreePortAndRewritesTheTextfile) {
  RunMetrics metrics({"1", "smoke", "none", "0.1.0", "run-e", "vstress", "0.1.0", {}});
  const std::string textfile =
      ::testing::TempDir() + "vstress-metrics-test-" + std::to_string(getpid()) + ".prom";
  auto started = MetricsExporter::Start(&metrics, {"127.0.0.1:0", textfile, ""});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_GT(started.value()->port(), 0);
  started.value()->OnSample(SomeSnapshot());
  std::ifstream in(textfile);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(SampleValue("\n" + text, "vstress_engine_live_versions{store=\"vstress\"}"), 3);
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

TEST(JunitTest, APassingRunHasOneTestcasePerCheckFamilyAndNoFailures) {
  RunInfo info;
  info.seed = 1;
  info.preset = "smoke";
  const std::string xml = JunitXml(info, PassingOutcome());
  for (const char* name :
       {"point reads", "scans", "snapshot reads", "invariants", "recovery", "run completes"}) {
    EXPECT_EQ(CountOccurrences(xml, std::string("name=\"") + name + "\""), 1u) << name;
  }
  EXPECT_EQ(CountOccurrences(xml, "<failure"), 0u);
  EXPECT_EQ(CountOccurrences(xml, "<testcase "), 6u);
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
  EXPECT_EQ(CountOccurrences(xml, "<failure"), 1u);
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

// Proves: a crash run has one testcase per crash family, passing when every cycle recovered, and
// the suite's properties count the cycles; a run without crashes has none.
TEST(JunitTest, ACrashRunHasATestcasePerCrashFamily) {
  RunInfo info;
  info.preset = "smoke";
  RunOutcome o = PassingOutcome();
  o.crash_mode = "power-loss";
  o.crash_cycles = {Cycle(1, "power-loss", 0.002, true), Cycle(2, "torn", 0.003, true),
                    Cycle(3, "power-loss", 0.004, true)};
  const std::string xml = JunitXml(info, o);
  EXPECT_NE(xml.find("<testcase classname=\"vstress.smoke\" name=\"crash.power-loss\" "
                     "time=\"0.009\"/>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(CountOccurrences(xml, "name=\"crash.kill\""), 0u);
  EXPECT_NE(xml.find("<property name=\"crash.power-loss.cycles\" value=\"3\"/>"),
            std::string::npos);
  EXPECT_EQ(CountOccurrences(xml, "<failure"), 0u);
  EXPECT_NE(xml.find("tests=\"7\" failures=\"0\" errors=\"0\" skipped=\"0\""), std::string::npos);

  EXPECT_EQ(CountOccurrences(JunitXml(info, PassingOutcome()), "crash."), 0u);
}

// Proves: a cycle whose recovery failed fails its family's testcase with a message naming the
// cycle and text that says what the recovery reached and where the DB was kept; a crash run with
// no cycle says so as skipped.
TEST(JunitTest, AFailedRecoveryFailsItsCrashFamily) {
  RunInfo info;
  info.preset = "smoke";
  RunOutcome o = PassingOutcome();
  o.crash_mode = "kill";
  CrashCycle failed = Cycle(2, "kill", 0.05, false);
  failed.floor = 120;
  failed.recovered = 100;
  failed.lost_writes = 20;
  failed.kept_db = "runs/x/crash-cycle-2 <copy>";
  o.crash_cycles = {Cycle(1, "kill", 0.01, true), failed, Cycle(3, "kill", 0.01, true)};
  const std::string xml = JunitXml(info, o);
  EXPECT_NE(xml.find("name=\"crash.kill\" time=\"0.070\">\n      <failure message=\"1 of 3 kill "
                     "cycles failed to recover: cycle 2\" type=\"crash\">cycle 2 at 2.000s (kill): "
                     "recovered through sequence 100 (floor 120"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("20 acknowledged writes lost"), std::string::npos);
  EXPECT_NE(xml.find("runs/x/crash-cycle-2 &lt;copy&gt;"), std::string::npos);
  EXPECT_NE(xml.find("tests=\"7\" failures=\"1\""), std::string::npos);

  o.crash_cycles.clear();
  const std::string none = JunitXml(info, o);
  EXPECT_NE(none.find("name=\"crash.kill\" time=\"0.000\">\n      <skipped message=\"no crash "
                      "cycle ran\"/>"),
            std::string::npos)
      << none;
  EXPECT_NE(none.find("<property name=\"crash.kill.cycles\" value=\"0\"/>"), std::string::npos);
}

}  // namespace
}  // namespace reports
