// Unit tests of the Oracle: visibility at a sequence, out-of-order recording (the lock-free newest
// version must hand over to the locked path), the recorded prefix, acknowledgements, failed writes,
// pruning down to the oldest pinned reader, the history text, and concurrent writers and readers.
#include "harness/model/oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "workloads/workload_spec.h"

namespace harness::model {
namespace {

// Mirrors Oracle::kLowWaterRefreshWrites (private): pruning uses a low-water mark recomputed once
// every this many writes, so a released pin takes up to this many writes to stop holding versions.
constexpr uint64_t kRefreshWrites = 1024;

ValueId Val(uint32_t writer, uint64_t index, uint32_t bytes = 16) {
  return ValueId{writer, index, bytes};
}

// How HistoryString starts the line of the version at `seq`.
std::string SeqPrefix(SequenceNumber seq) { return "seq=" + std::to_string(seq) + " "; }

// Records sequences densely, so every read below is at or under recorded_through().
class OracleTest : public ::testing::Test {
 protected:
  SequenceNumber Put(uint64_t key, ValueId value) {
    oracle_.RecordWrite(key, ++next_seq_, value);
    return next_seq_;
  }
  SequenceNumber Delete(uint64_t key) {
    oracle_.RecordWrite(key, ++next_seq_, std::nullopt);
    return next_seq_;
  }
  // A write to a key no test reads, to move the sequence on.
  SequenceNumber Elsewhere() { return Put(kOtherKey, Val(9, next_seq_ + 1)); }

  static constexpr uint64_t kOtherKey = 15;
  Oracle oracle_{16};
  SequenceNumber next_seq_ = 0;
};

// The engine giving two writes one sequence is refused (the caller reports it), and does not hold
// the recorded prefix back: a duplicate would otherwise sit in the ahead-set forever.
TEST_F(OracleTest, ASequenceRecordedTwiceIsRefusedAndThePrefixStillAdvances) {
  EXPECT_TRUE(oracle_.RecordWrite(0, 1, Val(1, 1)));
  EXPECT_FALSE(oracle_.RecordWrite(1, 1, Val(1, 2)));  // at or below the prefix
  EXPECT_TRUE(oracle_.RecordWrite(1, 3, Val(1, 3)));
  EXPECT_FALSE(oracle_.RecordWrite(2, 3, Val(1, 4)));  // ahead of the prefix
  EXPECT_FALSE(oracle_.RecordWrite(2, 0, Val(1, 5)));  // sequences start at 1
  EXPECT_TRUE(oracle_.RecordWrite(2, 2, Val(1, 6)));
  EXPECT_EQ(oracle_.recorded_through(), 3u);
  EXPECT_EQ(oracle_.ValueAt(2, 2), Val(1, 6));
}

// Proves: the cuts a bracketed read can have been at are exactly the sequences where the key
// shows what it saw — a value from its write up to the next write of the key, absence before the
// first write and after a delete — cut to the bracket.
TEST_F(OracleTest, SequencesShowingAreWhereTheKeyShowsIt) {
  Elsewhere();                                 // 1
  const SequenceNumber a = Put(3, Val(1, 1));  // 2
  Elsewhere();                                 // 3
  const SequenceNumber d = Delete(3);          // 4
  Elsewhere();                                 // 5
  const SequenceNumber b = Put(3, Val(1, 2));  // 6
  Elsewhere();                                 // 7
  EXPECT_EQ(oracle_.SequencesShowing(3, Val(1, 1), 1, 7), (std::vector<SeqInterval>{{a, d - 1}}));
  EXPECT_EQ(oracle_.SequencesShowing(3, std::nullopt, 1, 7),
            (std::vector<SeqInterval>{{1, a - 1}, {d, b - 1}}));
  EXPECT_EQ(oracle_.SequencesShowing(3, Val(1, 2), 1, 7), (std::vector<SeqInterval>{{b, 7}}));
  EXPECT_EQ(oracle_.SequencesShowing(3, Val(1, 2), 3, 5), std::vector<SeqInterval>{});
  EXPECT_EQ(oracle_.SequencesShowing(3, Val(1, 1), 3, 3), (std::vector<SeqInterval>{{3, 3}}));
  EXPECT_EQ(oracle_.SequencesShowing(3, Val(9, 9), 1, 7), std::vector<SeqInterval>{});
  EXPECT_EQ(oracle_.SequencesShowing(16, std::nullopt, 2, 5), (std::vector<SeqInterval>{{2, 5}}));
}

// A key index outside the key space (a scan returning a key no writer could write) is absent,
// not an exception.
TEST_F(OracleTest, AKeyOutsideTheKeySpaceIsAbsent) {
  Put(3, Val(1, 1));
  EXPECT_EQ(oracle_.ValueAt(16, next_seq_), std::nullopt);
  EXPECT_EQ(oracle_.ValueAt(1'000'000, next_seq_), std::nullopt);
  EXPECT_NE(oracle_.HistoryString(16).find("outside the key space"), std::string::npos);
}

// A read sees nothing before the first write, that write from its sequence on, and the next write
// only from the next write's sequence on.
TEST_F(OracleTest, ValueAtSeesTheNewestWriteAtOrBelowTheSequence) {
  Elsewhere();                                 // seq 1
  const SequenceNumber a = Put(3, Val(1, 1));  // seq 2
  Elsewhere();                                 // seq 3
  const SequenceNumber b = Put(3, Val(1, 2));  // seq 4
  Elsewhere();                                 // seq 5
  ASSERT_EQ(5u, oracle_.recorded_through());
  EXPECT_EQ(std::nullopt, oracle_.ValueAt(3, a - 1));
  EXPECT_EQ(Val(1, 1), oracle_.ValueAt(3, a));
  EXPECT_EQ(Val(1, 1), oracle_.ValueAt(3, b - 1));
  EXPECT_EQ(Val(1, 2), oracle_.ValueAt(3, b));
  EXPECT_EQ(Val(1, 2), oracle_.ValueAt(3, b + 1));
}

// A key no one wrote is absent at every sequence, and has an empty history.
TEST_F(OracleTest, KeyNeverWrittenIsAbsent) {
  for (int i = 0; i < 5; i++) Put(3, Val(1, i));
  for (SequenceNumber s = 0; s <= oracle_.recorded_through(); s++) {
    EXPECT_EQ(std::nullopt, oracle_.ValueAt(4, s)) << "seq " << s;
  }
  EXPECT_EQ("", oracle_.HistoryString(4));
}

// A delete hides the key from its sequence on, and a later put brings it back.
TEST_F(OracleTest, DeleteHidesTheKeyUntilTheNextPut) {
  const SequenceNumber put1 = Put(3, Val(1, 1));
  const SequenceNumber del = Delete(3);
  const SequenceNumber put2 = Put(3, Val(2, 7));
  EXPECT_EQ(Val(1, 1), oracle_.ValueAt(3, put1));
  EXPECT_EQ(std::nullopt, oracle_.ValueAt(3, del));
  EXPECT_EQ(Val(2, 7), oracle_.ValueAt(3, put2));
  // The newest version is a delete: the lock-free path must answer absent.
  Delete(3);
  EXPECT_EQ(std::nullopt, oracle_.ValueAt(3, oracle_.recorded_through()));
}

// A write recorded after a newer one of the same key (seq 12 before seq 10) is found by reads
// between them; reads at or above the newest still see the newest.
TEST_F(OracleTest, WriteRecordedOutOfOrderIsVisibleBelowTheNewer) {
  for (SequenceNumber s = 1; s <= 9; s++) oracle_.RecordWrite(kOtherKey, s, Val(9, s));
  oracle_.RecordWrite(0, 12, Val(1, 12));
  oracle_.RecordWrite(0, 10, Val(2, 10));
  EXPECT_EQ(10u, oracle_.recorded_through()) << "seq 11 is not recorded yet";
  oracle_.RecordWrite(kOtherKey, 11, Val(9, 11));
  oracle_.RecordWrite(kOtherKey, 13, Val(9, 13));
  ASSERT_EQ(13u, oracle_.recorded_through());
  EXPECT_EQ(std::nullopt, oracle_.ValueAt(0, 9));
  EXPECT_EQ(Val(2, 10), oracle_.ValueAt(0, 10));
  EXPECT_EQ(Val(2, 10), oracle_.ValueAt(0, 11));
  EXPECT_EQ(Val(1, 12), oracle_.ValueAt(0, 12));
  EXPECT_EQ(Val(1, 12), oracle_.ValueAt(0, 13));
  EXPECT_EQ("seq=10 put v2.10 (16 bytes)\nseq=12 put v1.12 (16 bytes)\n", oracle_.HistoryString(0));
}

// The same with a late delete between two puts: a read between the delete and the newer put
// finds the key absent, not the newest put.
TEST_F(OracleTest, DeleteRecordedOutOfOrderHidesTheOlderPut) {
  oracle_.RecordWrite(0, 1, Val(1, 1));
  oracle_.RecordWrite(0, 4, Val(1, 4));
  oracle_.RecordWrite(0, 2, std::nullopt);
  oracle_.RecordWrite(kOtherKey, 3, Val(9, 3));
  ASSERT_EQ(4u, oracle_.recorded_through());
  EXPECT_EQ(Val(1, 1), oracle_.ValueAt(0, 1));
  EXPECT_EQ(std::nullopt, oracle_.ValueAt(0, 2));
  EXPECT_EQ(std::nullopt, oracle_.ValueAt(0, 3));
  EXPECT_EQ(Val(1, 4), oracle_.ValueAt(0, 4));
}

// recorded_through() covers only a gap-free prefix: a write beyond a gap is held back until the
// gap fills, then the prefix jumps over everything recorded.
TEST_F(OracleTest, RecordedThroughAdvancesOnlyOverADensePrefix) {
  EXPECT_EQ(0u, oracle_.recorded_through());
  oracle_.RecordWrite(0, 1, Val(0, 1));
  EXPECT_EQ(1u, oracle_.recorded_through());
  oracle_.RecordWrite(0, 3, Val(0, 3));
  oracle_.RecordWrite(1, 5, Val(0, 5));
  EXPECT_EQ(1u, oracle_.recorded_through());
  oracle_.RecordWrite(2, 2, Val(0, 2));
  EXPECT_EQ(3u, oracle_.recorded_through());
  oracle_.RecordWrite(3, 4, std::nullopt);
  EXPECT_EQ(5u, oracle_.recorded_through());
}

// acknowledged() only moves up, and is independent of what is recorded.
TEST_F(OracleTest, AcknowledgeIsMonotonic) {
  EXPECT_EQ(0u, oracle_.acknowledged());
  oracle_.Acknowledge(5);
  EXPECT_EQ(5u, oracle_.acknowledged());
  oracle_.Acknowledge(3);
  EXPECT_EQ(5u, oracle_.acknowledged());
  oracle_.Acknowledge(9);
  EXPECT_EQ(9u, oracle_.acknowledged());
  EXPECT_EQ(0u, oracle_.recorded_through());
}

// A failed write is remembered by its exact id; other writes are not failed.
TEST_F(OracleTest, FailedWritesAreRememberedExactly) {
  EXPECT_FALSE(oracle_.IsFailedWrite(Val(2, 9)));
  oracle_.RecordFailedWrite(Val(2, 9));
  EXPECT_TRUE(oracle_.IsFailedWrite(Val(2, 9)));
  EXPECT_FALSE(oracle_.IsFailedWrite(Val(2, 8)));
  EXPECT_FALSE(oracle_.IsFailedWrite(Val(3, 9)));
  // Recording a failure does not make anything visible.
  Put(0, Val(1, 1));
  EXPECT_EQ(Val(1, 1), oracle_.ValueAt(0, 1));
}

// A failed write is kept whole until taken (for a reopen that may recover it), its values stay
// failed until forgotten, and sequences a failed write used up count as recorded.
TEST_F(OracleTest, FailedWritesAreKeptWholeAndVoidSequencesAreRecorded) {
  const WriteEntry batch[] = {{0, Val(2, 1)}, {1, std::nullopt}};
  oracle_.RecordFailedWrite(batch, 7);
  EXPECT_TRUE(oracle_.IsFailedWrite(Val(2, 1)));
  const auto taken = oracle_.TakeFailedWrites();
  ASSERT_EQ(1u, taken.size());
  EXPECT_EQ(7u, taken[0].after);
  EXPECT_EQ((std::vector<WriteEntry>{batch[0], batch[1]}), taken[0].entries);
  EXPECT_TRUE(oracle_.TakeFailedWrites().empty());
  oracle_.ForgetFailedWrite(batch);
  EXPECT_FALSE(oracle_.IsFailedWrite(Val(2, 1)));

  EXPECT_EQ(0u, oracle_.NewestWriteTo(0));
  Put(0, Val(1, 1));  // seq 1
  oracle_.RecordVoid(2, 3);
  EXPECT_EQ(3u, oracle_.recorded_through());
  EXPECT_TRUE(oracle_.RecordWrite(0, 4, Val(1, 2)));
  EXPECT_EQ(4u, oracle_.recorded_through());
  EXPECT_EQ(4u, oracle_.NewestWriteTo(0));
}

// Ids at their extremes come back unchanged, from the lock-free newest version and from the locked
// path alike.
TEST_F(OracleTest, ExtremeValueIdsRoundTrip) {
  const ValueId big{0xFFFFFFFFu, ~uint64_t{0}, workloads::kValueBytesMax};
  const ValueId zero{0, 0, 0};
  const SequenceNumber s1 = Put(0, big);
  const SequenceNumber s2 = Put(0, zero);
  const SequenceNumber s3 = Put(0, big);
  EXPECT_EQ(big, oracle_.ValueAt(0, s1));   // locked path: not the newest
  EXPECT_EQ(zero, oracle_.ValueAt(0, s2));  // locked path
  EXPECT_EQ(big, oracle_.ValueAt(0, s3));   // newest: lock-free
}

// LowWater is the minimum of the recorded prefix and every pinned slot; idle slots do not count.
TEST_F(OracleTest, LowWaterIsTheOldestPinOrTheRecordedPrefix) {
  for (int i = 0; i < 10; i++) Elsewhere();
  ReaderSlot* a = oracle_.NewReaderSlot();
  ReaderSlot* b = oracle_.NewReaderSlot();
  EXPECT_EQ(ReaderSlot::kNoPin, a->pinned());
  EXPECT_EQ(10u, oracle_.LowWater());
  a->Pin(7);
  b->Pin(4);
  EXPECT_EQ(4u, oracle_.LowWater());
  b->Unpin();
  EXPECT_EQ(7u, oracle_.LowWater());
  a->Unpin();
  EXPECT_EQ(10u, oracle_.LowWater());
}

// A slot pinned at S keeps every version a read at or above S can need, however many writes
// follow; once it is unpinned, the next low-water refresh lets old versions go.
TEST_F(OracleTest, PruningKeepsWhatAPinnedSlotMayStillReadThenReleasesIt) {
  ReaderSlot* slot = oracle_.NewReaderSlot();
  const SequenceNumber first = Put(0, Val(1, 1));
  Elsewhere();
  const SequenceNumber pinned = Elsewhere();
  slot->Pin(pinned);
  const uint64_t writes = 3 * kRefreshWrites;
  for (uint64_t i = 0; i < writes; i++) Put(0, Val(1, 100 + i));
  // Everything a read at or above the pin can ask for is still there.
  EXPECT_EQ(Val(1, 1), oracle_.ValueAt(0, pinned));
  EXPECT_EQ(Val(1, 100), oracle_.ValueAt(0, pinned + 1));
  for (SequenceNumber s = pinned; s <= oracle_.recorded_through(); s += 97) {
    const ValueId expected = s == pinned ? Val(1, 1) : Val(1, 100 + (s - pinned - 1));
    ASSERT_EQ(expected, oracle_.ValueAt(0, s)) << "seq " << s;
  }
  EXPECT_EQ(writes + 1 + 2, oracle_.versions_held()) << "key 0 plus the two other-key writes";
  EXPECT_TRUE(oracle_.HistoryString(0).starts_with(SeqPrefix(first)));

  slot->Unpin();
  const uint64_t held_while_pinned = oracle_.versions_held();
  for (uint64_t i = 0; i < 2 * kRefreshWrites; i++) Put(0, Val(2, i));
  EXPECT_LE(oracle_.versions_held(), kRefreshWrites + 8);
  EXPECT_LT(oracle_.versions_held(), held_while_pinned / 2);
  EXPECT_FALSE(oracle_.HistoryString(0).starts_with(SeqPrefix(first)));
  // The newest version is, of course, kept.
  EXPECT_EQ(Val(2, 2 * kRefreshWrites - 1), oracle_.ValueAt(0, oracle_.recorded_through()));
}

// Without any pinned slot, a hot key's history stays bounded by the refresh interval, yet every
// sequence since the last refresh (where a reader pinning now may still read) is answered right:
// the newest version at or below the low-water mark survives.
TEST_F(OracleTest, VersionsHeldStayBoundedWithoutPins) {
  // Write i (0-based) is seq i + 1, to key i % 2, value v1.i.
  for (uint64_t i = 0; i < 10 * kRefreshWrites; i++) Put(i % 2, Val(1, i));
  EXPECT_LE(oracle_.versions_held(), kRefreshWrites + 8);
  const SequenceNumber newest = oracle_.recorded_through();
  ASSERT_EQ(10 * kRefreshWrites, newest);
  for (SequenceNumber s = newest - kRefreshWrites; s <= newest; s++) {
    for (uint64_t key = 0; key < 2; key++) {
      const uint64_t last_write = (s - 1) % 2 == key ? s - 1 : s - 2;
      ASSERT_EQ(Val(1, last_write), oracle_.ValueAt(key, s)) << "key " << key << " seq " << s;
    }
  }
}

// The history lists versions oldest first, one per line, puts with id and size, deletes plainly.
TEST_F(OracleTest, HistoryStringFormat) {
  oracle_.RecordWrite(2, 3, ValueId{3, 1, 12});
  oracle_.RecordWrite(2, 1, ValueId{0, 7, 100});
  oracle_.RecordWrite(2, 2, std::nullopt);
  EXPECT_EQ(
      "seq=1 put v0.7 (100 bytes)\n"
      "seq=2 delete\n"
      "seq=3 put v3.1 (12 bytes)\n",
      oracle_.HistoryString(2));
}

// ---- crashes ----

// The state after each prefix of writes, as a recovered DB would hold it.
std::vector<std::optional<ValueId>> StateAt(const Oracle& oracle, SequenceNumber seq) {
  std::vector<std::optional<ValueId>> state(oracle.key_space());
  for (uint64_t key = 0; key < state.size(); key++) state[key] = oracle.ValueAt(key, seq);
  return state;
}

// A state equal to some prefix is matched exactly, the highest such prefix wins, and a state with
// a hole (a later write kept, an earlier one lost) matches none.
TEST_F(OracleTest, ClosestPrefixFindsTheRecoveredPrefixOrCountsTheDifferences) {
  oracle_.KeepForCrashes(true);
  Put(1, Val(0, 1));                    // 1
  Put(2, Val(0, 2));                    // 2
  const SequenceNumber s3 = Delete(1);  // 3
  const SequenceNumber s4 = Put(2, Val(0, 4));
  Put(3, Val(0, 5));  // 5
  for (SequenceNumber s = 0; s <= 5; s++) {
    const Oracle::PrefixMatch m = oracle_.ClosestPrefix(StateAt(oracle_, s), 0, 5);
    EXPECT_EQ(0u, m.differing) << "prefix " << s;
    EXPECT_EQ(s, m.seq);
  }
  // Write 4 kept, write 3 lost: key 1 still has its value.
  auto holed = StateAt(oracle_, s4);
  holed[1] = Val(0, 1);
  const Oracle::PrefixMatch m = oracle_.ClosestPrefix(holed, 0, 5);
  EXPECT_EQ(1u, m.differing);
  // Only in [lo, hi]: below the floor is not a candidate.
  EXPECT_NE(0u, oracle_.ClosestPrefix(StateAt(oracle_, 1), s3, 5).differing);
  // A value no write produced differs everywhere.
  auto foreign = StateAt(oracle_, 5);
  foreign[3] = Oracle::kUnrecognized;
  EXPECT_EQ(1u, oracle_.ClosestPrefix(foreign, 0, 5).differing);
}

// A batch is atomic: a state that holds part of one is no prefix.
TEST_F(OracleTest, ClosestPrefixNeverEndsInsideABatch) {
  oracle_.KeepForCrashes(true);
  Put(1, Val(0, 1));  // 1
  oracle_.RecordWrite(2, 2, Val(0, 2), /*batch_inner=*/true);
  oracle_.RecordWrite(3, 3, Val(0, 3));  // the batch is 2..3
  next_seq_ = 3;
  EXPECT_EQ(0u, oracle_.ClosestPrefix(StateAt(oracle_, 3), 0, 3).differing);
  EXPECT_EQ(0u, oracle_.ClosestPrefix(StateAt(oracle_, 1), 0, 3).differing);
  EXPECT_NE(0u, oracle_.ClosestPrefix(StateAt(oracle_, 2), 0, 3).differing);
}

// After a crash the writes above the recovered prefix are gone: their values count as failed, the
// prefix and acknowledgements move to where the DB goes on (past a gap of lost sequences), and
// the next write there is recorded normally.
TEST_F(OracleTest, TruncateToDropsTheLostWritesAndGoesOnFromTheDbsSequence) {
  oracle_.KeepForCrashes(true);
  Put(1, Val(0, 1));  // 1
  Put(1, Val(0, 2));  // 2
  Put(2, Val(0, 3));  // 3
  oracle_.Acknowledge(3);
  oracle_.AcknowledgeSynced(1);
  EXPECT_EQ(2u, oracle_.TruncateTo(1, /*resume=*/5));
  EXPECT_EQ(Val(0, 1), oracle_.ValueAt(1, 5));
  EXPECT_EQ(std::nullopt, oracle_.ValueAt(2, 5));
  EXPECT_TRUE(oracle_.IsFailedWrite(Val(0, 2)));
  EXPECT_TRUE(oracle_.IsFailedWrite(Val(0, 3)));
  EXPECT_EQ(5u, oracle_.recorded_through());
  EXPECT_EQ(5u, oracle_.acknowledged());
  EXPECT_EQ(5u, oracle_.synced());
  EXPECT_TRUE(oracle_.RecordWrite(2, 6, Val(1, 1)));
  EXPECT_EQ(6u, oracle_.recorded_through());
  EXPECT_EQ(Val(1, 1), oracle_.ValueAt(2, 6));
}

// ---- concurrency ----

// A fixed write schedule over a few hot keys: sequence s (1-based) goes to HotKey(s) and is a
// delete every fifth time, otherwise a put of a value unique to s. Writer w records the sequences
// with (s - 1) % kWriters == w. Because the schedule is fixed, the answer at any (key, seq) can be
// computed without the oracle.
class WriteSchedule {
 public:
  static constexpr uint64_t kHotKeys = 4;
  static constexpr uint32_t kWriters = 2;

  explicit WriteSchedule(SequenceNumber writes) : writes_(writes), per_key_(kHotKeys) {
    for (SequenceNumber s = 1; s <= writes; s++) per_key_[HotKey(s)].push_back(s);
  }
  SequenceNumber writes() const { return writes_; }
  static uint64_t HotKey(SequenceNumber s) { return (s * 0x9E3779B97F4A7C15ull >> 40) % kHotKeys; }
  static std::optional<ValueId> ValueOf(SequenceNumber s) {
    if (s % 5 == 0) return std::nullopt;
    return ValueId{static_cast<uint32_t>((s - 1) % kWriters), s,
                   static_cast<uint32_t>(16 + s % 31)};
  }
  // What a read of `key` at `seq` must return.
  std::optional<ValueId> At(uint64_t key, SequenceNumber seq) const {
    const auto& seqs = per_key_[key];
    auto above = std::upper_bound(seqs.begin(), seqs.end(), seq);
    if (above == seqs.begin()) return std::nullopt;
    return ValueOf(*(above - 1));
  }
  // Writer w's sequences in the order it records them: ascending, except that each run of four is
  // recorded newest first, so the same key often gets a newer version before an older one.
  std::vector<SequenceNumber> RecordOrder(uint32_t writer) const {
    std::vector<SequenceNumber> mine;
    for (SequenceNumber s = writer + 1; s <= writes_; s += kWriters) mine.push_back(s);
    for (size_t i = 0; i + 4 <= mine.size(); i += 4)
      std::reverse(mine.begin() + i, mine.begin() + i + 4);
    return mine;
  }

 private:
  const SequenceNumber writes_;
  std::vector<std::vector<SequenceNumber>> per_key_;
};

std::string Spell(const std::optional<ValueId>& v) {
  return v ? "v" + std::to_string(v->writer) + "." + std::to_string(v->index) : "absent";
}

// Two writers record an interleaved, partly reversed schedule on four hot keys while two readers
// pin slots and read at sequences from their pin up to the recorded prefix: every answer equals
// the schedule's, whichever of the lock-free and locked paths gave it, and pruning under the pins
// never drops a version a pinned reader can still ask for.
TEST(OracleConcurrencyTest, ReadersAlwaysSeeTheScheduleWhileWritersRecordOutOfOrder) {
  constexpr SequenceNumber kConcurrentWrites = 40000;
  // The last writes are recorded after the threads stop, so pruning catches up on every hot key.
  const WriteSchedule schedule(kConcurrentWrites + 2 * kRefreshWrites);
  Oracle oracle(WriteSchedule::kHotKeys);
  std::atomic<bool> writers_done{false};
  std::atomic<uint64_t> reads{0};
  std::atomic<uint64_t> reads_while_writing{0};
  std::atomic<uint64_t> mismatches{0};
  std::mutex first_mismatch_mu;
  std::string first_mismatch;  // guarded by first_mismatch_mu
  constexpr uint64_t kReadsBeforeSecondHalf = 2000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);

  auto writer = [&](uint32_t w) {
    std::vector<SequenceNumber> order = schedule.RecordOrder(w);
    std::erase_if(order, [](SequenceNumber s) { return s > kConcurrentWrites; });
    for (size_t i = 0; i < order.size(); i++) {
      // Halfway, wait for the readers to get going so the two really overlap (bounded).
      if (i == order.size() / 2) {
        while (reads.load() < kReadsBeforeSecondHalf &&
               std::chrono::steady_clock::now() < deadline) {
          std::this_thread::yield();
        }
      }
      const SequenceNumber s = order[i];
      oracle.RecordWrite(WriteSchedule::HotKey(s), s, WriteSchedule::ValueOf(s));
      oracle.Acknowledge(s);
    }
  };
  auto reader = [&](uint32_t r) {
    ReaderSlot* slot = oracle.NewReaderSlot();
    std::mt19937_64 random(r + 1);
    bool last_round = false;
    while (!last_round) {
      last_round = writers_done.load();
      slot->Pin(oracle.recorded_through());
      // Loaded after the pin: any low-water mark computed without this pin is at or below it.
      const SequenceNumber from = oracle.recorded_through();
      for (int i = 0; i < 64; i++) {
        const bool writing = !writers_done.load();
        const SequenceNumber to = oracle.recorded_through();
        // Half the reads at the newest recorded sequence (mostly the lock-free path), half spread
        // back to the pin (mostly the locked path, on versions pruning must have kept).
        const SequenceNumber seq = i % 2 == 0 ? to : from + random() % (to - from + 1);
        const uint64_t key = random() % WriteSchedule::kHotKeys;
        const std::optional<ValueId> got = oracle.ValueAt(key, seq);
        const std::optional<ValueId> want = schedule.At(key, seq);
        if (got != want && mismatches.fetch_add(1) == 0) {
          std::lock_guard<std::mutex> guard(first_mismatch_mu);
          first_mismatch = "key " + std::to_string(key) + " seq " + std::to_string(seq) + ": got " +
                           Spell(got) + ", want " + Spell(want) + "\n" + oracle.HistoryString(key);
        }
        // Decided before the read counts, so the reads the writers waited for all count here.
        if (writing) reads_while_writing.fetch_add(1);
        reads.fetch_add(1);
      }
      slot->Unpin();
    }
  };

  std::vector<std::thread> threads;
  for (uint32_t r = 0; r < 2; r++) threads.emplace_back(reader, r);
  std::vector<std::thread> writers;
  for (uint32_t w = 0; w < WriteSchedule::kWriters; w++) writers.emplace_back(writer, w);
  for (auto& t : writers) t.join();
  writers_done.store(true);
  for (auto& t : threads) t.join();

  EXPECT_EQ(0u, mismatches.load()) << first_mismatch;
  EXPECT_EQ(kConcurrentWrites, oracle.recorded_through());
  EXPECT_EQ(kConcurrentWrites, oracle.acknowledged());
  EXPECT_GE(reads_while_writing.load(), kReadsBeforeSecondHalf) << "readers never overlapped";

  for (SequenceNumber s = kConcurrentWrites + 1; s <= schedule.writes(); s++) {
    oracle.RecordWrite(WriteSchedule::HotKey(s), s, WriteSchedule::ValueOf(s));
  }
  ASSERT_EQ(schedule.writes(), oracle.recorded_through());
  uint64_t history_lines = 0;
  for (uint64_t key = 0; key < WriteSchedule::kHotKeys; key++) {
    EXPECT_EQ(schedule.At(key, schedule.writes()), oracle.ValueAt(key, schedule.writes()));
    const std::string history = oracle.HistoryString(key);
    history_lines += static_cast<uint64_t>(std::count(history.begin(), history.end(), '\n'));
  }
  // The concurrent inserts and prunes kept the count exact, and with no pin left the hot keys'
  // histories shrank to the refresh interval.
  EXPECT_EQ(history_lines, oracle.versions_held());
  EXPECT_LE(oracle.versions_held(), kRefreshWrites + 2 * WriteSchedule::kHotKeys);
}

}  // namespace
}  // namespace harness::model
