// Unit tests of fault-rule parsing and validation.
#include "faults/fault_rule.h"

#include <gtest/gtest.h>

namespace faults {
namespace {

// The documented examples parse into the expected rules and print back to the same text.
TEST(FaultRuleTest, ParsesDocumentedForms) {
  auto r = ParseRule("engine/manifest/sync:error:p=0.2");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ("engine/manifest/sync", r->pattern);
  EXPECT_EQ(Action::kError, r->action);
  EXPECT_EQ(Trigger::Kind::kProbability, r->trigger.kind);
  EXPECT_DOUBLE_EQ(0.2, r->trigger.probability);

  auto d = ParseRule("engine/compaction/*:delay=5ms:every=3");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(Action::kDelay, d->action);
  EXPECT_EQ(std::chrono::microseconds(5000), d->delay);
  EXPECT_EQ(Trigger::Kind::kEvery, d->trigger.kind);
  EXPECT_EQ(3u, d->trigger.n);
  EXPECT_TRUE(d->Matches("engine/compaction/install"));
  EXPECT_FALSE(d->Matches("engine/flush/write_table"));

  auto w = ParseRule("fs/wal/append:torn:nth=100@after_ops=1000,before=10s");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(1000u, *w->window.after_ops);
  EXPECT_DOUBLE_EQ(10.0, *w->window.before_seconds);
  for (const char* text :
       {"engine/manifest/sync:error:p=0.2", "engine/compaction/*:delay=5ms:every=3",
        "fs/wal/append:torn:nth=100@after_ops=1000,before=10s", "engine/file/delete:nospace:once",
        "fs/table/sync:error:every=5@path=*000012.sst"}) {
    auto parsed = ParseRule(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(text, parsed->ToString());
  }
}

// A rule without a trigger fires once.
TEST(FaultRuleTest, TriggerDefaultsToOnce) {
  auto r = ParseRule("engine/wal/sync:crash");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Trigger::Kind::kOnce, r->trigger.kind);
}

// Each kind of bad rule is refused with a message naming the rule and the problem.
TEST(FaultRuleTest, RejectsBadRulesWithClearMessages) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c :
       {Case{"engine/nope:error", "matches no fault point"},
        Case{"engine/wal/sync:explode", "unknown action"},
        Case{"engine/wal/sync:error:sometimes", "unknown trigger"},
        Case{"engine/wal/sync:error:p=1.5", "probability"},
        Case{"engine/wal/sync:error:p=abc", "probability"}, Case{":error", "empty point pattern"},
        Case{"*:error", "empty point pattern"},
        Case{"engine/*/sync:error", "'*' may only end a pattern"},
        Case{"engine/manifest/sync:torn", "torn needs a point that appends"},
        Case{"engine/wal/sync:delay", "delay needs a duration"},
        Case{"engine/wal/sync:delay=5parsecs", "bad delay"},
        Case{"engine/wal/sync:delay=60s", "at most 10s"},
        Case{"engine/wal/sync:error:nth=0", "whole number >= 1"},
        Case{"engine/wal/sync:error@after_ops=10,before_ops=5", "below before_ops"},
        Case{"engine/wal/sync:error@sometime", "unknown window"},
        Case{"engine/wal/sync", "expected POINT:ACTION"},
        Case{"engine/wal/sync:error@path=*.log", "fs/ points only"},
        Case{"fs/wal/sync:error@path=", "path needs a glob"}}) {
    auto r = ParseRule(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << c.text;
    EXPECT_NE(std::string::npos, r.status().message().find(c.says))
        << c.text << " -> " << r.status().message();
    EXPECT_NE(std::string::npos, r.status().message().find("fault rule")) << c.text;
  }
}

// The point list holds all twelve engine points and the FaultFS points, each described.
TEST(FaultRuleTest, ListsEngineAndFileSystemPoints) {
  const auto& points = AllFaultPoints();
  int engine_points = 0;
  int fs_points = 0;
  for (const auto& p : points) {
    if (p.starts_with("engine/")) engine_points++;
    if (p.starts_with("fs/")) fs_points++;
    EXPECT_NE("unknown point", DescribePoint(p)) << p;
  }
  EXPECT_EQ(12, engine_points);
  EXPECT_EQ(20, fs_points);
}

}  // namespace
}  // namespace faults
