#include "harness/drivers/sim_history.h"

#include <gtest/gtest.h>

#include "workloads/value.h"

namespace harness::drivers {
namespace {

const std::vector<std::string> kNames = {"writer-0", "reader-0", "scanner-0", "snapshot-reader-0"};
const std::vector<model::ClientRole> kRoles = {
    model::ClientRole::kWriter, model::ClientRole::kReader, model::ClientRole::kScanner,
    model::ClientRole::kSnapshotReader};

StepRecord Write(uint64_t index) {
  StepRecord r;
  r.index = index;
  r.step.op.kind = model::ClientOp::Kind::kWrite;
  r.step.op.write.kind = workloads::Op::Kind::kPut;
  r.step.op.write.key = "k00000042";
  r.step.op.write.value = workloads::MakeValue(0, 12, 40);
  r.observed = "ok seq=5531";
  return r;
}

// Proves: steps of every actor, with fault fires and nesting, print to one line that parses back
// to the same step.
TEST(SimHistoryTest, StepsRoundTrip) {
  StepRecord write = Write(884);
  write.step.fires = {{"engine/wal/sync", 1, faults::Action::kError},
                      {"fs/table/sync", 3, faults::Action::kTorn}};
  StepRecord nested;
  nested.index = 885;
  nested.step.actor = SimStep::Actor::kBackground;
  nested.step.inside = 884;
  nested.step.site = stores::YieldSite::kGetAfterPin;
  nested.observed = "flush";
  StepRecord scan;
  scan.index = 886;
  scan.step.client = 2;
  scan.step.op.kind = model::ClientOp::Kind::kScanStep;
  scan.observed = "k00000017=v1.4/20 seq=5531";
  StepRecord quiesce;
  quiesce.index = 887;
  quiesce.step.actor = SimStep::Actor::kRun;
  quiesce.observed = "1 violation";
  for (const StepRecord& r : {write, nested, scan, quiesce}) {
    const std::string line = FormatStep(r, kNames);
    auto parsed = ParseStep(line, kNames, kRoles);
    ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed.value().index, r.index) << line;
    EXPECT_EQ(parsed.value().step, r.step) << line;
    EXPECT_EQ(parsed.value().observed, r.observed) << line;
    EXPECT_EQ(FormatStep(parsed.value(), kNames), line);
  }
  EXPECT_EQ(FormatStep(write, kNames),
            "#884 writer-0 put k00000042 v0.12/40 // ok seq=5531 [fault engine/wal/sync error #1] "
            "[fault fs/table/sync torn #3]");
  EXPECT_EQ(FormatStep(nested, kNames), "#885 bg step // flush (in #884 get:after-pin)");
}

// Proves: a history file keeps its header and steps; something else is refused, and a bad step
// line is named.
TEST(SimHistoryTest, FilesRoundTripAndBadOnesAreNamed) {
  HistoryHeader header;
  header.seed = 7;
  header.preset = "smoke";
  header.schedule = "pct";
  header.steps_total = 2;
  const std::string text =
      FormatHistory(header, {FormatStep(Write(1), kNames), FormatStep(Write(2), kNames)});
  auto parsed = ParseHistory(text, kNames, kRoles);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed.value().header.complete());
  EXPECT_EQ(parsed.value().header.steps_total, 2u);
  ASSERT_EQ(parsed.value().steps.size(), 2u);
  EXPECT_EQ(parsed.value().steps[1].index, 2u);

  header.first_step = 5;
  header.steps_total = 6;
  auto truncated = ParseHistory(
      FormatHistory(header, {FormatStep(Write(5), kNames), FormatStep(Write(6), kNames)}), kNames,
      kRoles);
  ASSERT_TRUE(truncated.ok());
  EXPECT_FALSE(truncated.value().header.complete());

  EXPECT_FALSE(ParseHistory("put k1 v1\n", kNames, kRoles).ok());
  const auto bad = ParseHistory(text + "#3 nobody step // ok\n", kNames, kRoles);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("nobody"), std::string::npos);
  EXPECT_FALSE(ParseStep("#4 writer-0 put k00000001 v0.1 // ok [fault x]", kNames, kRoles).ok());
  EXPECT_FALSE(ParseStep("#4 bg step // ok (in #x get:after-pin)", kNames, kRoles).ok());
}

}  // namespace
}  // namespace harness::drivers
