#include "harness/model/client_op.h"

#include <gtest/gtest.h>

#include "workloads/value.h"

namespace harness::model {
namespace {

// Proves: every kind of client op prints to text that parses back to an equal op, for the role
// that runs it.
TEST(ClientOpTest, TextRoundTripsForEveryRole) {
  ClientOp put;
  put.kind = ClientOp::Kind::kWrite;
  put.write.kind = workloads::Op::Kind::kPut;
  put.write.key = "k00000042";
  put.write.value = workloads::MakeValue(0, 12, 40);
  put.write.sync = true;
  ClientOp get;
  get.kind = ClientOp::Kind::kGet;
  get.key = 7;
  ClientOp open;
  open.kind = ClientOp::Kind::kScanOpen;
  open.key = 10;
  open.has_start = true;
  open.reverse = true;
  ClientOp open_all;
  open_all.kind = ClientOp::Kind::kScanOpen;
  ClientOp step;
  step.kind = ClientOp::Kind::kScanStep;
  ClientOp close;
  close.kind = ClientOp::Kind::kScanClose;
  ClientOp take;
  take.kind = ClientOp::Kind::kSnapshotTake;
  ClientOp snap_get;
  snap_get.kind = ClientOp::Kind::kSnapshotGet;
  snap_get.key = 3;
  ClientOp release;
  release.kind = ClientOp::Kind::kSnapshotRelease;
  const std::pair<ClientOp, ClientRole> cases[] = {{put, ClientRole::kWriter},
                                                   {get, ClientRole::kReader},
                                                   {open, ClientRole::kScanner},
                                                   {open_all, ClientRole::kScanner},
                                                   {step, ClientRole::kScanner},
                                                   {close, ClientRole::kScanner},
                                                   {take, ClientRole::kSnapshotReader},
                                                   {snap_get, ClientRole::kSnapshotReader},
                                                   {release, ClientRole::kSnapshotReader}};
  for (const auto& [op, role] : cases) {
    const std::string text = ToString(op);
    auto parsed = ParseClientOp(text, role);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed.value(), op) << text;
  }
  EXPECT_EQ(ToString(put), "put k00000042 v0.12/40 sync");
  EXPECT_EQ(ToString(open), "open k00000010 rev");
}

// Proves: text a role cannot run is refused with a message naming it.
TEST(ClientOpTest, RefusesOpsOfAnotherRole) {
  EXPECT_FALSE(ParseClientOp("take", ClientRole::kReader).ok());
  EXPECT_FALSE(ParseClientOp("get k00000001", ClientRole::kWriter).ok());
  EXPECT_FALSE(ParseClientOp("step", ClientRole::kSnapshotReader).ok());
  EXPECT_FALSE(ParseClientOp("open k1 fwd", ClientRole::kScanner).ok());
  EXPECT_FALSE(ParseClientOp("open k00000001 sideways", ClientRole::kScanner).ok());
  const auto bad = ParseClientOp("get nokey", ClientRole::kReader);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("get nokey"), std::string::npos);
}

// Proves: outcomes spell what a read saw, our values compactly.
TEST(ClientOpTest, OutcomesSpellWhatWasSeen) {
  StepOutcome o;
  o.kind = StepOutcome::Kind::kValue;
  o.seq = 5531;
  SetOutcomeValue(workloads::MakeValue(1, 4, 20), &o);
  EXPECT_EQ(ToString(o), "v1.4/20 seq=5531");
  o.has_key = true;
  o.key = 17;
  EXPECT_EQ(ToString(o), "k00000017=v1.4/20 seq=5531");
  SetOutcomeValue("not ours", &o);
  EXPECT_EQ(ToString(o), "k00000017=(not a value vstress wrote) seq=5531");
  StepOutcome error;
  error.kind = StepOutcome::Kind::kError;
  error.code = engine::Status::Code::kIOError;
  error.injected = true;
  EXPECT_EQ(ToString(error), "IOError [injected]");
}

}  // namespace
}  // namespace harness::model
