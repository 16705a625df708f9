#include "reports/junit_merge.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

#include "reports/junit.h"

namespace reports {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) n++;
  return n;
}

ShardJunit Shard(uint64_t index, uint64_t seed, std::optional<std::string> xml,
                 const std::string& missing_reason = "", const std::string& error = "") {
  ShardJunit shard;
  shard.index = index;
  shard.seed = seed;
  shard.xml = std::move(xml);
  shard.missing_reason = missing_reason;
  shard.error = error;
  return shard;
}

// A shard's junit.xml as vstress writes it: a mutant run with one violation.
std::string RunJunit(uint64_t seed) {
  RunInfo info;
  info.seed = seed;
  info.preset = "smoke";
  info.mutant = "drop-tombstone-early";
  RunOutcome outcome;
  outcome.result = "violation";
  outcome.duration_seconds = 2.5;
  outcome.checks["reads_checked"] = 10;
  Violation v;
  v.kind = "point_read";
  v.message = "found a value where <the key> must be absent";
  outcome.violations.push_back(v);
  outcome.violation_count = 1;
  return JunitXml(info, outcome);
}

// Proves: each shard's suite is kept whole, renamed with its index and seed and given the sweep
// properties; the root's counts are the sums of the suites'.
TEST(MergeJunitTest, KeepsEachShardsSuiteRenamedAndSumsTheCounts) {
  const std::string merged = MergeJunit({Shard(0, 7, RunJunit(7)), Shard(1, 8, RunJunit(8))});
  EXPECT_EQ(Count(merged, "<testsuite "), 2u);
  EXPECT_EQ(Count(merged, "<testsuites "), 1u);
  EXPECT_NE(merged.find("name=\"shard 0 seed 7: vstress run smoke mutant drop-tombstone-early "
                        "seed 7\""),
            std::string::npos)
      << merged;
  EXPECT_NE(merged.find("<property name=\"sweep.shard\" value=\"1\"/>"), std::string::npos);
  EXPECT_NE(merged.find("<property name=\"sweep.seed\" value=\"8\"/>"), std::string::npos);
  EXPECT_EQ(Count(merged, "<properties>"), 2u) << "properties added to the existing block";
  EXPECT_NE(merged.find("where &lt;the key&gt; must"), std::string::npos) << "escapes kept";
  // Each run suite: 7 testcases (5 families, run completes, mutant is caught), 1 failure.
  EXPECT_NE(merged.find("<testsuites name=\"vstress sweep\" tests=\"14\" failures=\"2\" "
                        "errors=\"0\""),
            std::string::npos)
      << merged.substr(0, 200);
}

// Proves: a shard without junit.xml becomes a suite of one <error> testcase saying why, and a shard
// in error that has one gains a "shard completes" error counted in its suite and the root.
TEST(MergeJunitTest, ShardsInErrorGetAnErrorTestcase) {
  const std::string merged = MergeJunit({Shard(0, 1, std::nullopt, "no shards/0/junit.xml",
                                               "the shard never ran: no shards/0/shard.json"),
                                         Shard(1, 2, RunJunit(2), "", "died \"badly\"")});
  EXPECT_NE(merged.find("<testsuite name=\"shard 0 seed 1\" tests=\"1\" failures=\"0\" "
                        "errors=\"1\""),
            std::string::npos)
      << merged;
  EXPECT_NE(merged.find("the shard never ran: no shards/0/shard.json; no shards/0/junit.xml"),
            std::string::npos);
  EXPECT_NE(merged.find("tests=\"8\" failures=\"1\" errors=\"1\""), std::string::npos) << merged;
  EXPECT_NE(merged.find("message=\"died &quot;badly&quot;\""), std::string::npos);
  EXPECT_EQ(Count(merged, "name=\"shard completes\""), 2u);
  EXPECT_NE(merged.find("<testsuites name=\"vstress sweep\" tests=\"9\" failures=\"1\" "
                        "errors=\"2\""),
            std::string::npos);
}

// Proves: a junit.xml cut short (no closing tag) or without counts is not copied half-way: the
// shard gets the error suite instead.
TEST(MergeJunitTest, TruncatedOrForeignFilesBecomeErrorSuites) {
  const std::string whole = RunJunit(3);
  const std::string cut = whole.substr(0, whole.size() / 2);
  const std::string merged =
      MergeJunit({Shard(5, 3, cut), Shard(6, 4, "<testsuite name=\"x\"><testcase/></testsuite>")});
  EXPECT_EQ(Count(merged, "holds no complete testsuite"), 2u) << merged;
  EXPECT_EQ(Count(merged, "<testsuite "), 2u);
  EXPECT_EQ(merged.find("point reads"), std::string::npos);
}

// Proves: control characters XML cannot hold are made visible instead of breaking the file.
TEST(EscapeXmlTextTest, EscapesMarkupAndControlCharacters) {
  EXPECT_EQ(EscapeXmlText("a<b>&\"c'\x01\n"), "a&lt;b&gt;&amp;&quot;c&apos;\\x01\n");
}

}  // namespace
}  // namespace reports
