#include "reports/nightly_html.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/lib/text.h"

namespace reports {
namespace {

using vstress_test::CountOccurrences;

using nlohmann::json;

ShardRecord Shard(uint64_t index, const std::string& result, double seconds, uint64_t ops) {
  ShardRecord r;
  r.plan.index = index;
  r.plan.seed = index + 100;
  r.plan.workload = "smoke";
  r.plan.driver = "run";
  r.plan.command = "vstress run --seed " + std::to_string(index + 100);
  r.result = result;
  r.exit_code = result == "pass" ? 0 : 1;
  r.exit = "exit " + std::to_string(r.exit_code);
  r.report = "shards/" + std::to_string(index) + "/report.html";
  r.duration_seconds = seconds;
  r.ops = ops;
  if (result != "pass") r.signature = SignatureOfFailure(result, "stalled for 10s");
  return r;
}

// Proves: the page leads with the result and totals, shows failures one row per signature before
// the list of every shard, links each shard's report relatively, and draws both per-shard charts
// with a point per shard and the failing shards marked.
TEST(NightlyHtmlTest, FailuresFirstThenShardsCoverageAndCharts) {
  std::vector<ShardRecord> shards = {Shard(0, "pass", 2, 2000), Shard(1, "liveness", 4, 1000),
                                     Shard(2, "liveness", 3, 900), Shard(3, "pass", 2, 2100)};
  shards[0].faults_fired["engine/file/delete:error"] = 3;
  shards[3].faults_fired["engine/file/delete:error"] = 2;
  const std::string html = RenderNightlyHtml(BuildNightlyReport({}, shards), "vstress merge d");
  EXPECT_NE(html.find("data-result=\"liveness\""), std::string::npos);
  EXPECT_LT(html.find("id=\"sweep-header\""), html.find("id=\"signatures\""));
  EXPECT_LT(html.find("id=\"signatures\""), html.find("id=\"shards\""));
  EXPECT_EQ(CountOccurrences(html, "<tr class=\"signature\""), 1u)
      << "two shards, one bug, one row";
  EXPECT_NE(html.find("data-count=\"2\""), std::string::npos);
  EXPECT_NE(html.find("seeds: 101, 102"), std::string::npos);
  EXPECT_EQ(CountOccurrences(html, "<tr class=\"shard\""), 4u);
  EXPECT_NE(html.find("href=\"shards/2/report.html\""), std::string::npos);
  EXPECT_NE(html.find("(shard 2, failed after 3.0 s)"), std::string::npos) << "the soonest";
  EXPECT_NE(html.find("<td>engine/file/delete:error</td><td class=\"num\">5</td>"
                      "<td class=\"num\">2</td>"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"chart-duration\""), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-throughput\""), std::string::npos);
  EXPECT_EQ(CountOccurrences(html, "data-points=\"4\""), 2u);
  EXPECT_EQ(CountOccurrences(html, "class=\"violation-markers\" data-markers=\"2\""), 2u);
  EXPECT_NE(html.find(">shard 3</text>"), std::string::npos) << "an index axis, not seconds";
  EXPECT_EQ(html.find("class=\"fault-markers\""), std::string::npos) << "no time axis, no fires";
  EXPECT_EQ(html.find("id=\"compare\""), std::string::npos);
}

// Proves: every string that came from a file reaches the page escaped, and the page fetches
// nothing and runs nothing.
TEST(NightlyHtmlTest, EscapesEveryStringFromFiles) {
  ShardRecord evil = Shard(0, "violation", 1, 10);
  evil.plan.workload = "<script>alert(1)</script>";
  evil.plan.driver = "\"><img src=x>";
  evil.signature.shape = "<b>bold</b> & 'quoted'";
  evil.repro = "vstress run --out '/tmp/<dir>'";
  evil.report = "shards/0/\"report\".html";
  evil.faults_fired["<point>:error"] = 1;
  SweepFacts facts;
  facts.command = "vstress sweep --out </pre><script>";
  NightlyReport report = BuildNightlyReport(facts, {evil});
  SweepCompare compare;
  compare.previous = "<prev>/summary.json";
  compare.new_signatures = {"<new>"};
  report.compare = compare;
  const std::string html = RenderNightlyHtml(report, "vstress merge <d>");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<point>"), std::string::npos);
  EXPECT_EQ(html.find("<new>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;"), std::string::npos);
  EXPECT_NE(html.find("href=\"shards/0/&quot;report&quot;.html\""), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);
}

// Proves: with a comparison the page opens with what changed — new and fixed signatures and the
// throughput ratio — and a sweep where every shard passed says so instead of an empty table.
TEST(NightlyHtmlTest, ShowsTheComparisonAtTheTopAndNoEmptyFailureTable) {
  NightlyReport report = BuildNightlyReport({}, {Shard(0, "pass", 1, 100)});
  SweepCompare compare;
  compare.previous = "/sweeps/yesterday/summary.json";
  compare.fixed_signatures = {"read: newest write at the read: delete"};
  compare.median_ops_per_s = 100;
  compare.previous_median_ops_per_s = 125;
  compare.throughput_ratio = 0.8;
  report.compare = compare;
  const std::string html = RenderNightlyHtml(report, "vstress merge d");
  EXPECT_LT(html.find("id=\"compare\""), html.find("id=\"failures\""));
  EXPECT_NE(html.find("<p id=\"new-signatures\">none</p>"), std::string::npos);
  EXPECT_NE(html.find("<ul id=\"fixed-signatures\"><li><code>read: newest write at the read: "
                      "delete</code></li></ul>"),
            std::string::npos);
  EXPECT_NE(html.find("×0.80 (-20%)"), std::string::npos);
  EXPECT_NE(html.find("id=\"no-failures\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"signatures\""), std::string::npos);
}

}  // namespace
}  // namespace reports
