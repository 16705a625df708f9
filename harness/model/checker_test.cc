// Unit tests of the Checker: a correct point read or scan step passes, and each way a read can be
// wrong (missing, stale, future, failed write, torn, foreign, out of bounds, read error, skipped or
// unordered scan keys) is reported with its key, expected and observed spelling, and history.
#include "harness/model/checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "workloads/key_chooser.h"
#include "workloads/value.h"

namespace harness::model {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kValueBytes = 40;

// The spelling Checker uses for a value ("v1.2 (40 bytes)").
std::string Spelled(uint32_t writer, uint64_t index, size_t bytes = kValueBytes) {
  return "v" + std::to_string(writer) + "." + std::to_string(index) + " (" + std::to_string(bytes) +
         " bytes)";
}

// Records writes with dense sequences into a real Oracle, as the writers do, and checks reads
// with the workload's key and value encoding.
class CheckerTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kKeySpace = 10;

  // Writes MakeValue(writer, index, kValueBytes) to `key`; returns the value.
  std::string Put(uint64_t key, uint32_t writer, uint64_t index) {
    std::string value = workloads::MakeValue(writer, index, kValueBytes);
    oracle_.RecordWrite(key, ++seq_, ValueId{writer, index, static_cast<uint32_t>(value.size())});
    return value;
  }
  void Delete(uint64_t key) { oracle_.RecordWrite(key, ++seq_, std::nullopt); }

  std::optional<Violation> Get(uint64_t key, SequenceNumber seq, std::string_view value) const {
    return checker_.CheckGet("point_read", key, seq, engine::Status::Ok(), value, seq, seq);
  }
  std::optional<Violation> GetNotFound(uint64_t key, SequenceNumber seq) const {
    return checker_.CheckGet("point_read", key, seq, engine::Status::NotFound("k"), "", seq, seq);
  }

  Oracle oracle_{kKeySpace};
  Checker checker_{&oracle_, KeyValueCodec{&workloads::KeyName, &workloads::ParseKeyIndex,
                                           &workloads::ParseValueId}};
  SequenceNumber seq_ = 0;
};

// ---- point reads ----

// The visible value, not-found for a key never written, and not-found after a delete all pass.
TEST_F(CheckerTest, CorrectGetsPass) {
  const std::string a = Put(3, 1, 1);
  EXPECT_EQ(std::nullopt, Get(3, 1, a));
  EXPECT_EQ(std::nullopt, GetNotFound(4, 1));
  Delete(3);
  EXPECT_EQ(std::nullopt, GetNotFound(3, 2));
  // Within bounds that are wider than the read's sequence.
  EXPECT_EQ(std::nullopt, checker_.CheckGet("point_read", 3, 1, engine::Status::Ok(), a, 0, 2));
}

// Not-found where a write is visible is reported, with everything a reader of the report needs.
TEST_F(CheckerTest, GetReportsMissingKey) {
  Put(3, 1, 1);
  Put(3, 1, 2);
  const auto v = checker_.CheckGet("point_read", 3, 2, engine::Status::NotFound("k"), "", 1, 2);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ("point_read", v->kind);
  EXPECT_EQ("k00000003", v->key);
  EXPECT_EQ(2u, v->read_sequence);
  EXPECT_EQ(1u, v->lower_bound);
  EXPECT_EQ(2u, v->upper_bound);
  EXPECT_EQ(Spelled(1, 2), v->expected);
  EXPECT_EQ("not-found", v->observed);
  EXPECT_THAT(v->message, HasSubstr("missing"));
  EXPECT_EQ(oracle_.HistoryString(3), v->key_history);
  EXPECT_THAT(v->key_history, HasSubstr("seq=1 put v1.1"));
  EXPECT_THAT(v->key_history, HasSubstr("seq=2 put v1.2"));
}

// An older write's value read at a sequence that sees a newer one is reported as stale.
TEST_F(CheckerTest, GetReportsStaleValue) {
  const std::string old_value = Put(3, 1, 1);
  Put(3, 2, 1);
  const auto v = Get(3, 2, old_value);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(Spelled(2, 1), v->expected);
  EXPECT_EQ(Spelled(1, 1), v->observed);
  EXPECT_THAT(v->message, HasSubstr("stale"));
}

// A newer write's value read at a sequence below it is reported (a future value).
TEST_F(CheckerTest, GetReportsFutureValue) {
  Put(3, 1, 1);
  const std::string newer = Put(3, 2, 1);
  const auto v = Get(3, 1, newer);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(Spelled(1, 1), v->expected);
  EXPECT_EQ(Spelled(2, 1), v->observed);
  EXPECT_THAT(v->message, HasSubstr("future"));
}

// A value read where the key must be absent (before its first write, or after a delete).
TEST_F(CheckerTest, GetReportsValueWhereKeyMustBeAbsent) {
  Put(0, 9, 9);
  const std::string value = Put(3, 1, 1);
  const auto before = Get(3, 1, value);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ("not-found", before->expected);
  EXPECT_EQ(Spelled(1, 1), before->observed);
  EXPECT_THAT(before->message, HasSubstr("absent"));
  Delete(3);
  const auto after_delete = Get(3, 3, value);
  ASSERT_TRUE(after_delete.has_value());
  EXPECT_EQ("not-found", after_delete->expected);
  EXPECT_THAT(after_delete->key_history, HasSubstr("seq=3 delete"));
}

// The value of a write that returned an error is reported as such, whether the key should be
// absent or should hold another value.
TEST_F(CheckerTest, GetReportsFailedWriteBecomingVisible) {
  const std::string failed = workloads::MakeValue(2, 9, kValueBytes);
  oracle_.RecordFailedWrite(ValueId{2, 9, static_cast<uint32_t>(failed.size())});
  Put(0, 9, 9);
  const auto on_absent = Get(3, 1, failed);
  ASSERT_TRUE(on_absent.has_value());
  EXPECT_THAT(on_absent->message, HasSubstr("a write that failed became visible"));
  EXPECT_EQ(Spelled(2, 9), on_absent->observed);
  Put(3, 1, 1);
  const auto on_present = Get(3, 2, failed);
  ASSERT_TRUE(on_present.has_value());
  EXPECT_THAT(on_present->message, HasSubstr("a write that failed became visible"));
  EXPECT_EQ(Spelled(1, 1), on_present->expected);
}

// BUG (disabled until fixed): checker.h promises "a value whose write failed is its own violation
// kind", and reports::Violation lists the kind failed_write_visible, but CheckGet and
// CheckScanStep keep the read's kind (point_read / scan), so vstress_violations_total{kind} and
// violations.json never show it.
TEST_F(CheckerTest, FailedWriteVisibleHasItsOwnKind) {
  const std::string failed = workloads::MakeValue(2, 9, kValueBytes);
  oracle_.RecordFailedWrite(ValueId{2, 9, static_cast<uint32_t>(failed.size())});
  Put(0, 9, 9);
  const auto get = Get(3, 1, failed);
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ("failed_write_visible", get->kind);
  const auto scan = checker_.CheckScanStep(1, false, 2, 3, failed);
  ASSERT_TRUE(scan.has_value());
  EXPECT_EQ("failed_write_visible", scan->kind);
}

// A value whose bytes were cut short or damaged is reported, at every kind of damage.
TEST_F(CheckerTest, GetReportsTornValue) {
  const std::string value = Put(3, 1, 1);
  ASSERT_EQ(kValueBytes, value.size());
  const std::string truncated = value.substr(0, 25);
  const auto cut = Get(3, 1, truncated);
  ASSERT_TRUE(cut.has_value());
  EXPECT_THAT(cut->message, HasSubstr("torn"));
  EXPECT_EQ(Spelled(1, 1), cut->expected);

  std::string flipped = value;
  flipped[30] = flipped[30] == 'a' ? 'b' : 'a';  // a filler letter
  const auto damaged = Get(3, 1, flipped);
  ASSERT_TRUE(damaged.has_value());
  EXPECT_THAT(damaged->message, HasSubstr("torn"));

  // Cut back to the bare id, it is a well-formed value of another length: still torn.
  const auto bare = Get(3, 1, "v1.1");
  ASSERT_TRUE(bare.has_value());
  EXPECT_THAT(bare->message, HasSubstr("torn"));
  EXPECT_EQ("v1.1 (4 bytes)", bare->observed);
}

// BUG (disabled until fixed): a value that does not parse is spelled as "v0.0 (N bytes)" in
// `observed` (SpellObserved ignores parse_value's result), which names a real write — writer 0's
// first value — instead of showing what was read.
TEST_F(CheckerTest, UnparseableValueIsNotSpelledAsWriteZeroZero) {
  const std::string value = Put(3, 1, 1);
  const auto torn = Get(3, 1, value.substr(0, 25));
  ASSERT_TRUE(torn.has_value());
  EXPECT_THAT(torn->observed, Not(HasSubstr("v0.0")));
  const auto foreign = Get(3, 1, "hello, world");
  ASSERT_TRUE(foreign.has_value());
  EXPECT_THAT(foreign->observed, Not(HasSubstr("v0.0")));
}

// A value no writer produced is reported as foreign, with its first bytes in the message.
TEST_F(CheckerTest, GetReportsForeignValue) {
  Put(3, 1, 1);
  for (std::string_view foreign : {"hello, world", "", "v1.1x", "x1.1"}) {
    const auto v = Get(3, 1, foreign);
    ASSERT_TRUE(v.has_value()) << foreign;
    EXPECT_THAT(v->message, HasSubstr("not one any writer wrote")) << foreign;
  }
  const auto v = Get(3, 1, "hello, world");
  EXPECT_THAT(v->message, HasSubstr("hello, world"));
}

// A read whose sequence lies outside [lower, upper] is reported even when its value is the one
// visible at that sequence.
TEST_F(CheckerTest, GetReportsSequenceOutsideItsBounds) {
  const std::string a = Put(3, 1, 1);
  Put(0, 9, 9);
  Put(0, 9, 10);
  const auto below = checker_.CheckGet("point_read", 3, 1, engine::Status::Ok(), a, 2, 3);
  ASSERT_TRUE(below.has_value());
  EXPECT_THAT(below->message, HasSubstr("outside its real-time bounds [2, 3]"));
  EXPECT_EQ(2u, below->lower_bound);
  EXPECT_EQ(3u, below->upper_bound);
  EXPECT_EQ(Spelled(1, 1), below->observed);
  const auto above = checker_.CheckGet("snapshot_read", 3, 3, engine::Status::Ok(), a, 1, 2);
  ASSERT_TRUE(above.has_value());
  EXPECT_EQ("snapshot_read", above->kind);
  EXPECT_THAT(above->message, HasSubstr("outside"));
  const auto not_found =
      checker_.CheckGet("point_read", 4, 3, engine::Status::NotFound("k"), "", 1, 2);
  ASSERT_TRUE(not_found.has_value());
  EXPECT_THAT(not_found->message, HasSubstr("outside"));
}

// A read that failed without an injected fault is reported, with the Status as observed.
TEST_F(CheckerTest, GetReportsReadError) {
  Put(3, 1, 1);
  const engine::Status error = engine::Status::IOError("pread 000007.sst");
  const auto v = checker_.CheckGet("point_read", 3, 1, error, "", 1, 1);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(error.ToString(), v->observed);
  EXPECT_THAT(v->message, HasSubstr("read failed"));
  EXPECT_THAT(v->message, HasSubstr("pread 000007.sst"));
  EXPECT_EQ(Spelled(1, 1), v->expected);
  // Also on a key that is absent: an error is never a valid not-found.
  const auto absent =
      checker_.CheckGet("point_read", 4, 1, engine::Status::Corruption("bad"), "", 1, 1);
  ASSERT_TRUE(absent.has_value());
  EXPECT_THAT(absent->message, HasSubstr("read failed"));
}

// Expected() spells what a read must show.
TEST_F(CheckerTest, ExpectedSpellsTheVisibleVersion) {
  Put(3, 1, 1);
  Delete(3);
  EXPECT_EQ(Spelled(1, 1), checker_.Expected(3, 1));
  EXPECT_EQ("not-found", checker_.Expected(3, 2));
  EXPECT_EQ("not-found", checker_.Expected(5, 2));
}

// ---- scans ----

// Key 2, 5 and 7 hold values at seq 5; key 4 held one at seq 4 only.
class CheckerScanTest : public CheckerTest {
 protected:
  void SetUp() override {
    a_ = Put(2, 1, 1);  // seq 1
    b_ = Put(5, 1, 2);  // seq 2
    c_ = Put(7, 1, 3);  // seq 3
    d_ = Put(4, 1, 4);  // seq 4
    Delete(4);          // seq 5
  }
  std::optional<Violation> Step(SequenceNumber seq, bool reverse, std::optional<uint64_t> previous,
                                std::optional<uint64_t> key, std::string_view value) const {
    return checker_.CheckScanStep(seq, reverse, previous, key, value);
  }
  static constexpr SequenceNumber kNow = 5;
  std::string a_, b_, c_, d_;
};

// Every step of a correct forward and reverse scan passes, including running off each end.
TEST_F(CheckerScanTest, CorrectScansPass) {
  EXPECT_EQ(std::nullopt, Step(kNow, false, std::nullopt, 2, a_));
  EXPECT_EQ(std::nullopt, Step(kNow, false, 2, 5, b_));
  EXPECT_EQ(std::nullopt, Step(kNow, false, 5, 7, c_));
  EXPECT_EQ(std::nullopt, Step(kNow, false, 7, std::nullopt, ""));
  EXPECT_EQ(std::nullopt, Step(kNow, true, std::nullopt, 7, c_));
  EXPECT_EQ(std::nullopt, Step(kNow, true, 7, 5, b_));
  EXPECT_EQ(std::nullopt, Step(kNow, true, 5, 2, a_));
  EXPECT_EQ(std::nullopt, Step(kNow, true, 2, std::nullopt, ""));
  // At seq 4, key 4 is live and a step onto it passes.
  EXPECT_EQ(std::nullopt, Step(4, false, 2, 4, d_));
}

// A forward step over a key that holds a value reports that key.
TEST_F(CheckerScanTest, ForwardStepReportsSkippedKey) {
  const auto v = Step(4, false, 2, 5, b_);  // key 4 is live at seq 4
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ("scan", v->kind);
  EXPECT_EQ("k00000004", v->key);
  EXPECT_EQ(Spelled(1, 4), v->expected);
  EXPECT_EQ("skipped", v->observed);
  EXPECT_EQ(4u, v->read_sequence);
  EXPECT_THAT(v->message, HasSubstr("skipped"));
  EXPECT_EQ(oracle_.HistoryString(4), v->key_history);
  // From the start of the range, too.
  const auto from_start = Step(kNow, false, std::nullopt, 5, b_);
  ASSERT_TRUE(from_start.has_value());
  EXPECT_EQ("k00000002", from_start->key);
}

// A reverse step over a key that holds a value reports that key.
TEST_F(CheckerScanTest, ReverseStepReportsSkippedKey) {
  const auto v = Step(kNow, true, 7, 2, a_);  // skips key 5
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ("k00000005", v->key);
  EXPECT_EQ("skipped", v->observed);
  const auto from_end = Step(kNow, true, std::nullopt, 5, b_);  // skips key 7
  ASSERT_TRUE(from_end.has_value());
  EXPECT_EQ("k00000007", from_end->key);
}

// A key at or behind the previous one, in the scan's direction, is reported as out of order.
TEST_F(CheckerScanTest, StepReportsKeysOutOfOrder) {
  const auto back = Step(kNow, false, 5, 2, a_);
  ASSERT_TRUE(back.has_value());
  EXPECT_THAT(back->message, HasSubstr("out of order"));
  EXPECT_EQ("k00000005 then k00000002", back->observed);
  const auto repeat = Step(kNow, false, 5, 5, b_);
  ASSERT_TRUE(repeat.has_value());
  EXPECT_THAT(repeat->message, HasSubstr("out of order"));
  const auto reverse_forward = Step(kNow, true, 2, 5, b_);
  ASSERT_TRUE(reverse_forward.has_value());
  EXPECT_THAT(reverse_forward->message, HasSubstr("out of order"));
  EXPECT_EQ("k00000002 then k00000005", reverse_forward->observed);
}

// Running off the end while a live key lies beyond the last one returned is reported, both ways.
TEST_F(CheckerScanTest, RunningOffTheEndPastALiveKeyIsReported) {
  const auto forward = Step(kNow, false, 5, std::nullopt, "");
  ASSERT_TRUE(forward.has_value());
  EXPECT_EQ("k00000007", forward->key);
  EXPECT_EQ("skipped", forward->observed);
  const auto reverse = Step(kNow, true, 5, std::nullopt, "");
  ASSERT_TRUE(reverse.has_value());
  EXPECT_EQ("k00000002", reverse->key);
  const auto empty_scan = Step(kNow, false, std::nullopt, std::nullopt, "");
  ASSERT_TRUE(empty_scan.has_value());
  EXPECT_EQ("k00000002", empty_scan->key);
}

// A step onto the right key with the wrong value is reported like a point read.
TEST_F(CheckerScanTest, StepReportsWrongValue) {
  const auto stale = Step(kNow, false, 2, 5, a_);
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ("k00000005", stale->key);
  EXPECT_EQ(Spelled(1, 2), stale->expected);
  EXPECT_EQ(Spelled(1, 1), stale->observed);
  EXPECT_THAT(stale->message, HasSubstr("stale"));
  const auto deleted = Step(kNow, false, 2, 4, d_);  // key 4 is deleted at seq 5
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ("not-found", deleted->expected);
  EXPECT_THAT(deleted->message, HasSubstr("absent"));
  const auto torn = Step(kNow, false, 2, 5, b_.substr(0, 30));
  ASSERT_TRUE(torn.has_value());
  EXPECT_THAT(torn->message, HasSubstr("torn"));
}

// BUG (disabled until fixed): a scan that returns a well-formed key name beyond the oracle's key
// space (say a corrupt key from the engine) makes Oracle::ValueAt call keys_.at() out of range:
// std::out_of_range escapes the checker and terminates the scanner thread instead of being
// reported as a violation. (Point reads choose keys inside the key space, so only scans can hit it;
// the forward skip loop also walks up to the bad key.)
TEST_F(CheckerScanTest, KeyBeyondTheKeySpaceIsAViolationNotAnException) {
  std::optional<Violation> v;
  EXPECT_NO_THROW(v = Step(kNow, true, std::nullopt, kKeySpace + 3, a_));
  EXPECT_TRUE(v.has_value());
}

// ---- bracketed reads (a store that cannot say which sequence a read saw) ----

// Proves: a bracketed read passes when some sequence in its bracket shows what it returned — the
// old value, the new one, or absence around a delete — and narrows the cuts to those sequences.
TEST_F(CheckerTest, BracketedGetPassesWhenSomeCutExplainsIt) {
  const std::string a = Put(3, 1, 1);  // 1
  const std::string b = Put(3, 1, 2);  // 2
  Delete(3);                           // 3
  CutSet old_cuts(1, 3);
  EXPECT_EQ(std::nullopt, checker_.CheckGetIn("point_read", 3, &old_cuts, engine::Status::Ok(), a));
  EXPECT_EQ(old_cuts.intervals(), (std::vector<SeqInterval>{{1, 1}}));
  CutSet new_cuts(1, 3);
  EXPECT_EQ(std::nullopt, checker_.CheckGetIn("point_read", 3, &new_cuts, engine::Status::Ok(), b));
  CutSet absent(1, 3);
  EXPECT_EQ(std::nullopt,
            checker_.CheckGetIn("point_read", 3, &absent, engine::Status::NotFound("k"), ""));
  EXPECT_TRUE(absent.exact());
  EXPECT_EQ(absent.lowest(), 3u);
}

// Proves: a value no sequence of the bracket shows is a violation (stale: overwritten before the
// bracket began), naming the bracket; and so is absence where every cut holds a value.
TEST_F(CheckerTest, BracketedGetReportsWhatNoCutExplains) {
  const std::string a = Put(3, 1, 1);  // 1
  Put(3, 1, 2);                        // 2
  Put(5, 1, 3);                        // 3
  Put(5, 1, 4);                        // 4
  CutSet cuts(2, 4);
  const auto stale = checker_.CheckGetIn("point_read", 3, &cuts, engine::Status::Ok(), a);
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->kind, "point_read");
  EXPECT_EQ(stale->observed, Spelled(1, 1));
  EXPECT_THAT(stale->message, HasSubstr("[2, 4]"));
  CutSet present(2, 4);
  const auto missing =
      checker_.CheckGetIn("point_read", 3, &present, engine::Status::NotFound("k"), "");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->observed, "not-found");
}

// Proves: reads through one bracketed snapshot must agree on one cut — each alone is explainable,
// together they are not (key 3's old value and key 5's new one were never there at once).
TEST_F(CheckerTest, ReadsOfOneBracketedStateMustAgreeOnOneCut) {
  const std::string old3 = Put(3, 1, 1);  // 1
  Put(3, 1, 2);                           // 2
  const std::string new5 = Put(5, 1, 3);  // 3
  CutSet snapshot(1, 3);
  EXPECT_EQ(std::nullopt,
            checker_.CheckGetIn("snapshot_read", 3, &snapshot, engine::Status::Ok(), old3));
  const auto v = checker_.CheckGetIn("snapshot_read", 5, &snapshot, engine::Status::Ok(), new5);
  ASSERT_TRUE(v.has_value());
  // The first read left one cut, 1, where key 5 was still absent: checked there exactly.
  EXPECT_EQ(v->read_sequence, 1u);
  EXPECT_EQ(v->expected, "not-found");
}

// Proves: a bracketed scan narrows its cut with every skipped and returned key, and reports a
// skipped key that held a value at every cut still possible.
TEST_F(CheckerTest, BracketedScanStepsNarrowTheCut) {
  Put(2, 1, 1);                         // 1
  const std::string v4 = Put(4, 1, 2);  // 2
  Delete(2);                            // 3
  CutSet cuts(1, 3);
  // Skipping key 2 is right only at 3 (after its delete); then key 4's value fits 3 too.
  EXPECT_EQ(std::nullopt, checker_.CheckScanStepIn(&cuts, false, std::nullopt, 4, v4));
  EXPECT_TRUE(cuts.exact());
  EXPECT_EQ(cuts.lowest(), 3u);
  CutSet early(1, 2);
  const auto v = checker_.CheckScanStepIn(&early, false, std::nullopt, 4, v4);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->key, "k00000002");
  EXPECT_EQ(v->observed, "skipped");
}

}  // namespace
}  // namespace harness::model
