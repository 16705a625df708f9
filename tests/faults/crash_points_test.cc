// Power loss at the engine's own fault points: a FaultController rule `<point>:crash:nth=<k>`
// whose crash hook calls FaultFS::Crash (kDropUnsynced; kTornUnsynced in the torn-tail test)
// freezes the file system at the k-th hit of one engine point (a flush's table write, a
// compaction's output write or install, a MANIFEST append, sync or CURRENT switch, a file delete,
// a WAL append or sync), in the middle of the step that point interrupts, on whichever thread hit
// it. Then the DB is dropped, the file system restarted and the DB reopened.
//
// What must hold after each such power loss (doc/design.md, "The oracle"): reopening succeeds (no
// missing file, no corruption), and the recovered state equals the state after some prefix of the
// acknowledged writes that includes every write acknowledged with sync, and so every write before
// it. A write that failed never comes back; only where the power loss keeps a torn part of each
// unsynced tail may the write under way at that moment (whose WAL record the tail may hold whole)
// come back, after all the others. What reopening recovered is itself durable: a second power loss
// right after it takes nothing away.
//
// The workload drives every point on purpose rather than waiting for the background thread to get
// there: rounds of writes (a sixth of them synced, a tenth deletes), each round ending with a
// Flush(), every second round with a CompactRange() over everything, and every third round with a
// clean close and reopen. The reopens matter for the MANIFEST points: every open writes a new
// MANIFEST and switches CURRENT to it (a fresh DB does so twice, in CreateNew and in recovery),
// and at runtime CURRENT never changes, so engine/manifest/set_current is only ever hit by an
// open: its cases crash a reopen.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/file_system.h"
#include "faults/fault_controller.h"
#include "faults/fault_fs.h"
#include "faults/fault_rule.h"
#include "tests/faults/write_history.h"

namespace {

using engine::DB;
using engine::SequenceNumber;
using engine::Status;
using faults::FaultController;
using faults::FaultFS;
using vstress_test::kDbPath;
using vstress_test::Model;
using vstress_test::RandomWriter;
using vstress_test::ReadAll;
using vstress_test::SmallOptions;
using vstress_test::WriteHistory;

constexpr int kWritesPerRound = 150;
// Rounds a case runs at most before it gives up waiting for its crash (each case's hit number is
// reached well before: see kCases).
constexpr int kRoundsMax = 16;
constexpr int kSyncPercent = 16;
constexpr int kCompactEveryRounds = 2;
constexpr int kReopenEveryRounds = 3;

// One crash case: a DB on FaultFS over the in-memory file system, written by the test thread
// until the crash rule fires, then recovered and checked.
class CrashPointCase {
 public:
  CrashPointCase(std::string point, uint64_t nth, FaultFS::CrashMode mode, uint64_t seed)
      : context_(point + " nth=" + std::to_string(nth) +
                 (mode == FaultFS::CrashMode::kTornUnsynced ? " (torn tails)" : "")),
        mode_(mode),
        seed_(seed),
        writer_(seed, kSyncPercent),
        fs_(std::make_shared<FaultFS>(engine::NewMemFileSystem())) {
    auto rule = faults::ParseRule(point + ":crash:nth=" + std::to_string(nth));
    EXPECT_TRUE(rule.ok()) << rule.status().ToString();
    faults::FaultControllerOptions options;
    options.seed = seed;
    if (rule.ok()) options.rules.push_back(rule.value());
    controller_ = std::make_unique<FaultController>(options);
    FaultFS* fs = fs_.get();
    controller_->SetCrashHook([fs, mode, seed] { fs->Crash(mode, seed); });
  }

  const std::string& context() const { return context_; }
  bool fired() const { return controller_->fires_total() > 0; }

  // Runs the workload until the crash fires or kRoundsMax rounds have passed. Every failure on the
  // way must be the injected crash.
  void RunUntilCrash() {
    const Status installed = controller_->Install();
    ASSERT_TRUE(installed.ok()) << installed.ToString();
    if (!Open()) return;
    for (int round = 0; round < kRoundsMax && !fs_->crashed(); round++) {
      if (!WriteRound()) return;
      if (!Expect(db_->Flush(), "Flush")) return;
      if (round % kCompactEveryRounds == kCompactEveryRounds - 1 &&
          !Expect(db_->CompactRange("", ""), "CompactRange")) {
        return;
      }
      if (round % kReopenEveryRounds == kReopenEveryRounds - 1 && !CleanReopen()) return;
    }
  }

  // Power loss (unless the rule already caused one), restart, reopen with no faults, and check the
  // recovered state; then a second power loss right after recovery must take nothing away.
  void RecoverAndCheck() {
    controller_->Uninstall();
    if (!fs_->crashed()) fs_->Crash(mode_, seed_);
    db_.reset();  // its Close may fail on the frozen file system; that is expected
    fs_->Restart();
    auto reopened = DB::Open(SmallOptions(fs_), kDbPath);
    ASSERT_TRUE(reopened.ok()) << context_ << ": reopen after the crash failed: "
                               << reopened.status().ToString();
    db_ = std::move(reopened).value();
    const Model recovered = ReadAll(db_.get());
    const SequenceNumber last_sequence = db_->GetStats().last_sequence;
    const std::optional<size_t> prefix = history_.MatchPrefix(
        recovered, last_sequence, /*allow_in_flight=*/mode_ == FaultFS::CrashMode::kTornUnsynced);
    EXPECT_TRUE(prefix.has_value())
        << context_ << ": recovered state is no allowed prefix "
        << "(engine last sequence " << last_sequence << "): " << history_.Explain(recovered);

    fs_->Crash(mode_, seed_ + 1);
    db_.reset();
    fs_->Restart();
    auto again = DB::Open(SmallOptions(fs_), kDbPath);
    ASSERT_TRUE(again.ok()) << context_ << ": second reopen failed: " << again.status().ToString();
    db_ = std::move(again).value();
    EXPECT_EQ(ReadAll(db_.get()), recovered)
        << context_ << ": a power loss right after recovery changed the recovered state";
    db_.reset();
  }

 private:
  // Opens the DB; false if the open failed, which only the injected crash may cause.
  bool Open() {
    auto opened = DB::Open(SmallOptions(fs_), kDbPath);
    if (opened.ok()) {
      db_ = std::move(opened).value();
      return true;
    }
    Expect(opened.status(), "Open");
    return false;
  }

  // True if `s` is ok; otherwise records a failure unless `s` is the injected crash's doing.
  bool Expect(const Status& s, const char* what) {
    if (s.ok()) return true;
    EXPECT_TRUE(s.injected() && fs_->crashed() && fired())
        << context_ << ": " << what << " failed without the injected crash: " << s.ToString();
    return false;
  }

  // kWritesPerRound random puts and deletes, each recorded once acknowledged. False at the first
  // failed write, which is recorded only as in flight: it must never come back, unless a torn
  // tail kept its WAL record.
  bool WriteRound() {
    for (int i = 0; i < kWritesPerRound; i++) {
      WriteHistory::Write write;
      const engine::Result<SequenceNumber> seq = writer_.Next(db_.get(), &write);
      if (!Expect(seq.status(), "a write")) {
        history_.RecordInFlight(std::move(write.key), std::move(write.value));
        return false;
      }
      EXPECT_GT(seq.value(), history_.last_sequence()) << context_ << ": sequence number reused";
      write.sequence = seq.value();
      history_.Record(std::move(write));
    }
    return true;
  }

  // Closes the DB and opens it again (the crash may fire in that open). A clean close loses
  // nothing, and once an open has succeeded everything before it is durable: recovery wrote the
  // WALs' contents to synced tables and a synced MANIFEST.
  bool CleanReopen() {
    db_.reset();
    if (!Open()) return false;
    // The crash may also fire in an open that still succeeds (a failed delete of an obsolete file
    // does not fail it) or, from the background thread, while the state is read here. Either way
    // the file system is frozen and there is nothing to compare.
    Model state;
    const Status read = vstress_test::TryReadAll(db_.get(), &state);
    if (fs_->crashed()) return false;
    EXPECT_TRUE(read.ok()) << context_ << ": reading after a clean reopen: " << read.ToString();
    EXPECT_EQ(state, history_.StateAt(history_.size()))
        << context_ << ": a clean close and reopen lost writes";
    history_.MarkAllDurable();
    return true;
  }

  const std::string context_;
  const FaultFS::CrashMode mode_;
  const uint64_t seed_;
  RandomWriter writer_;
  std::shared_ptr<FaultFS> fs_;
  std::unique_ptr<FaultController> controller_;
  std::unique_ptr<DB> db_;
  WriteHistory history_;
};

struct PointCase {
  const char* point;
  std::vector<uint64_t> hits;
};

// Hit numbers per point, from the first hit (often inside the first open) to well into the run.
// clang-format off
const std::vector<PointCase> kCases = {
    {"engine/flush/write_table", {1, 4}},
    {"engine/compaction/write_output", {1, 6}},
    {"engine/compaction/install", {1, 3}},
    {"engine/manifest/append", {1, 2, 7}},
    {"engine/manifest/sync", {2, 9}},
    {"engine/manifest/set_current", {2, 3, 4}},
    {"engine/file/delete", {1, 5, 12}},
    {"engine/wal/append", {1, 300, 1000}},
    {"engine/wal/sync", {1, 40}},
};
// clang-format on

// Runs every case of kCases with power losses of kind `mode`; stops at the first failing case.
void RunCases(FaultFS::CrashMode mode, uint64_t first_seed) {
  uint64_t seed = first_seed;
  std::vector<std::string> never_fired;
  int cases = 0;
  for (const PointCase& pc : kCases) {
    for (uint64_t nth : pc.hits) {
      CrashPointCase c(pc.point, nth, mode, seed++);
      cases++;
      c.RunUntilCrash();
      if (!c.fired()) never_fired.push_back(c.context());
      c.RecoverAndCheck();
      if (::testing::Test::HasFailure()) return;  // one case's failures are enough to read
    }
  }
  // Each case crashed where it says it does (the hit numbers are reachable by the workload).
  EXPECT_TRUE(never_fired.empty()) << never_fired.size() << " of " << cases
                                   << " cases never fired, first " << never_fired.front();
}

// Proves that a power loss (unsynced data dropped) at each hit of each engine point where one
// makes sense leaves a DB that reopens and holds, durably, a prefix of the acknowledged writes
// containing every synced one, and never the write the crash failed.
TEST(CrashPointsTest, PowerLossAtEachEnginePointKeepsASyncedPrefix) {
  RunCases(FaultFS::CrashMode::kDropUnsynced, 100);
}

// Proves the same when each file keeps a torn part of its unsynced tail (a MANIFEST or WAL cut
// inside a record), where the write under way at the crash may come back after all the others.
TEST(CrashPointsTest, PowerLossWithTornTailsAtEachEnginePointKeepsASyncedPrefix) {
  RunCases(FaultFS::CrashMode::kTornUnsynced, 500);
}

}  // namespace
