// The engine's contract under its libfiu fault points, one failure at a time.
//
// A retryable failure (a flush or compaction write, a file delete) is retried and leaves no trace:
// no data lost, no stray file, no background error. A failure that is not retryable (a MANIFEST
// write, a WAL write) puts the DB into a background-error state: writes fail with an injected
// BackgroundError, reads keep working, no file is deleted, and a reopen loses no acknowledged
// write. A write that failed is never visible, not even after a reopen.
//
// Each fault is enabled through fiu_enable_external with a callback that counts the point's hits
// and fails only the chosen ones, so every test can assert that its fault really fired.
#include <gtest/gtest.h>

// The engine is built with FIU_ENABLE; without it <fiu.h> turns fiu_init into a no-op macro.
#ifndef FIU_ENABLE
#define FIU_ENABLE 1
#endif
#include <fiu-control.h>
#include <fiu.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/db.h"
#include "engine/testing.h"
#include "tests/engine/db_test_util.h"

namespace vstress_test {
namespace {

using engine::DB;
using engine::Options;
using engine::ReadOptions;
using engine::Status;
using engine::WriteOptions;

// Fails every hit from the first failing one on.
constexpr int kFailEveryHit = INT_MAX;

struct FaultState {
  std::atomic<int> hits{0};
  std::atomic<int> failures{0};
  int first_failing_hit = 1;  // 1-based
  int failures_max = 1;
};

// libfiu's external callback: counts the hit and decides whether it fails.
int DecideFault(const char* /*name*/, int* /*failnum*/, void** failinfo, unsigned int* /*flags*/) {
  auto* state = static_cast<FaultState*>(*failinfo);
  const int hit = ++state->hits;
  if (hit < state->first_failing_hit || state->failures >= state->failures_max) return 0;
  ++state->failures;
  return 1;
}

// Makes `point` fail with EIO on hits first_failing_hit .. first_failing_hit + failures_max - 1,
// counting every hit, until destroyed.
class ScopedFault {
 public:
  explicit ScopedFault(const char* point, int first_failing_hit = 1, int failures_max = 1)
      : point_(point) {
    state_.first_failing_hit = first_failing_hit;
    state_.failures_max = failures_max;
    EXPECT_EQ(0, fiu_enable_external(point_, EIO, &state_, 0, &DecideFault)) << point_;
  }
  ~ScopedFault() { fiu_disable(point_); }
  ScopedFault(const ScopedFault&) = delete;
  ScopedFault& operator=(const ScopedFault&) = delete;

  int hits() const { return state_.hits; }
  int failures() const { return state_.failures; }

 private:
  const char* point_;
  FaultState state_;
};

// Writes round "one" (keys 0 .. keys-1) and round "two" (from `second_first` on), each flushed to
// a level-0 table of its own: two tables, so the next background step compacts them.
void WriteTwoTables(DB* db, int keys, int second_first, Model* model) {
  PutRange(db, 0, keys, "one", model);
  ASSERT_TRUE(db->Flush().ok());
  PutRange(db, second_first, keys, "two", model);
  ASSERT_TRUE(db->Flush().ok());
}

// Every key of `model` reads back its value with Get.
void ExpectGetsMatch(DB* db, const Model& model) {
  for (const auto& [k, v] : model) ASSERT_EQ(v, GetOrStatus(db, k)) << k;
}

// Reopens `path` without faults and checks it holds exactly `model`, with no stray file.
void ExpectReopenHolds(const std::string& path, const Model& model, const Options& o) {
  auto db = OpenOrDie(o, path);
  ASSERT_NE(nullptr, db);
  EXPECT_EQ(model, ReadAll(db.get()));
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(path));
  EXPECT_TRUE(db->Put(WriteOptions(), "after-reopen", "x").ok());
}

// Whether the engine was built with its fault points (VSTRESS_FAULT_POINTS): a WAL append must
// pass through "engine/wal/append".
bool FaultPointsCompiledIn() {
  fiu_init(0);
  TempDir dir;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  if (db == nullptr) return false;
  ScopedFault probe("engine/wal/append", /*first_failing_hit=*/INT_MAX);
  EXPECT_TRUE(db->Put(WriteOptions(), "probe", "x").ok());
  return probe.hits() > 0;
}

class FaultPointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const bool compiled_in = FaultPointsCompiledIn();
    if (!compiled_in) GTEST_SKIP() << "the engine was built without fault points";
  }

  // Opens db_ in dir_ with `options` (closing any DB opened before).
  void Open(const Options& options = ManualOptions()) {
    db_.reset();
    db_ = OpenOrDie(options, dir_.path());
    ASSERT_NE(nullptr, db_);
  }
  // Opens db_ with ManualOptions and writes two level-0 tables into it (WriteTwoTables); inputs_
  // names them.
  void OpenWithTwoTables(int keys, int second_first) {
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_NO_FATAL_FAILURE(WriteTwoTables(db_.get(), keys, second_first, &model_));
    inputs_ = ListTables(dir_.path());
    ASSERT_EQ(2u, inputs_.size());
  }

  void ExpectFlushManifestFailureContained(const char* point);
  void ExpectCompactionRetried(const char* point, int failing_hit);
  void ExpectFailedWalWriteInvisible(const char* point, WriteOptions::Sync sync);

  TempDir dir_;
  Model model_;  // what db_ must hold
  std::unique_ptr<DB> db_;
  std::vector<std::string> inputs_;  // the tables OpenWithTwoTables wrote
};

// A MANIFEST write at `point` fails during a flush: the shared body of tests (a) and (b).
void FaultPointTest::ExpectFlushManifestFailureContained(const char* point) {
  ASSERT_NO_FATAL_FAILURE(Open());
  PutRange(db_.get(), 0, 300, "one", &model_);
  ASSERT_TRUE(db_->Flush().ok());
  PutRange(db_.get(), 200, 300, "two", &model_);
  const engine::SequenceNumber acked = db_->GetStats().last_sequence;
  {
    ScopedFault fault(point);
    const Status s = db_->Flush();
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(s.injected()) << s.ToString();
    ASSERT_EQ(1, fault.failures());
  }
  EXPECT_GE(db_->GetStats().background_errors, 1u);
  const Status bg = db_->BackgroundErrorStatus();
  EXPECT_TRUE(bg.IsBackgroundError()) << bg.ToString();
  EXPECT_TRUE(bg.injected()) << bg.ToString();
  auto put = db_->Put(WriteOptions(), "after-failure", "x");
  ASSERT_FALSE(put.ok());
  EXPECT_TRUE(put.status().IsBackgroundError()) << put.status().ToString();
  EXPECT_TRUE(put.status().injected()) << put.status().ToString();
  EXPECT_EQ(acked, db_->GetStats().last_sequence) << "a failed write publishes no sequence";

  // Reads keep working, from the unflushed memtable and from the table flushed before.
  ExpectGetsMatch(db_.get(), model_);
  EXPECT_EQ(model_, ReadAll(db_.get()));
  EXPECT_EQ("NOT_FOUND", GetOrStatus(db_.get(), "after-failure"));

  // The failed flush's table stays (the MANIFEST on disk may name it), and nothing is deleted.
  const auto tables = ListTables(dir_.path());
  EXPECT_EQ(2u, tables.size());
  const uint64_t deleted = db_->GetStats().files_deleted;
  db_->NewIterator(ReadOptions()).reset();
  EXPECT_FALSE(db_->RunBackgroundStep());
  EXPECT_FALSE(db_->Flush().ok());
  EXPECT_FALSE(db_->CompactRange("", "").ok());
  EXPECT_FALSE(db_->WaitForBackgroundIdle().ok());
  EXPECT_EQ(tables, ListTables(dir_.path()));
  EXPECT_EQ(deleted, db_->GetStats().files_deleted);
  db_->Close();
  db_.reset();
  ExpectReopenHolds(dir_.path(), model_, ManualOptions());
}

// (a) A failed MANIFEST sync in a flush is contained and reopening loses no write.
TEST_F(FaultPointTest, ManifestSyncFailureDuringFlushIsContained) {
  ExpectFlushManifestFailureContained("engine/manifest/sync");
}

// (b) A failed MANIFEST append during a flush is contained the same way.
TEST_F(FaultPointTest, ManifestAppendFailureDuringFlushIsContained) {
  ExpectFlushManifestFailureContained("engine/manifest/append");
}

// A failed MANIFEST sync for a compaction keeps inputs and outputs; reopen loses nothing.
TEST_F(FaultPointTest, ManifestSyncFailureDuringCompactionKeepsEveryTable) {
  ASSERT_NO_FATAL_FAILURE(OpenWithTwoTables(/*keys=*/400, /*second_first=*/100));
  {
    ScopedFault fault("engine/manifest/sync");
    EXPECT_TRUE(db_->RunBackgroundStep());
    ASSERT_EQ(1, fault.failures()) << "the step should have been a compaction";
  }
  EXPECT_EQ(0u, db_->GetStats().compactions);
  EXPECT_TRUE(db_->BackgroundErrorStatus().injected());
  const auto tables = ListTables(dir_.path());
  EXPECT_GT(tables.size(), inputs_.size()) << "the compaction's outputs stay protected";
  for (const auto& t : inputs_) EXPECT_TRUE(Contains(tables, t)) << t;
  EXPECT_EQ(model_, ReadAll(db_.get()));
  EXPECT_FALSE(db_->RunBackgroundStep());
  EXPECT_EQ(tables, ListTables(dir_.path()));
  db_->Close();
  db_.reset();
  ExpectReopenHolds(dir_.path(), model_, ManualOptions());
}

// A compaction failing at `point` on hit `failing_hit` is retried and succeeds, leaving no stray
// table and no background error.
void FaultPointTest::ExpectCompactionRetried(const char* point, int failing_hit) {
  ASSERT_NO_FATAL_FAILURE(OpenWithTwoTables(/*keys=*/400, /*second_first=*/100));
  ScopedFault fault(point, failing_hit);
  EXPECT_TRUE(db_->RunBackgroundStep());
  ASSERT_EQ(1, fault.failures()) << "the step should have been a compaction";
  EXPECT_EQ(0u, db_->GetStats().compactions);
  EXPECT_EQ(inputs_, ListTables(dir_.path())) << "a failed compaction's outputs are removed";
  EXPECT_TRUE(db_->BackgroundErrorStatus().ok()) << "one failure is retried, not fatal";
  EXPECT_TRUE(db_->Put(WriteOptions(), Key(0), "during-retry").ok());
  model_[Key(0)] = "during-retry";

  ASSERT_TRUE(db_->WaitForBackgroundIdle().ok());
  EXPECT_GT(fault.hits(), failing_hit) << "the compaction was retried";
  const auto stats = db_->GetStats();
  EXPECT_GE(stats.compactions, 1u);
  EXPECT_EQ(0u, stats.background_errors);
  EXPECT_EQ(0u, stats.deferred_deletions);
  EXPECT_TRUE(engine::testing::ProtectedOutputs(db_.get()).empty());
  EXPECT_EQ(SortedExpectedFiles(db_.get()), ListDir(dir_.path()));
  EXPECT_EQ(model_, ReadAll(db_.get()));
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  ExpectReopenHolds(dir_.path(), model_, ManualOptions());
}

// (c) A failed compaction output write is retried; abandoned outputs go, no data is lost.
TEST_F(FaultPointTest, CompactionWriteOutputFailureIsRetried) {
  ExpectCompactionRetried("engine/compaction/write_output", 2);
}

// A compaction that fails to read its inputs is retried and nothing is lost.
TEST_F(FaultPointTest, CompactionReadInputFailureIsRetried) {
  ExpectCompactionRetried("engine/compaction/read_input", 1);
}

// A failed compaction whose output cannot be deleted (the delete fails too) leaves no stray table
// once the DB is idle: the idle GC scan collects it.
TEST_F(FaultPointTest, AbandonedOutputWhoseDeleteFailsIsCollectedWhenIdle) {
  ASSERT_NO_FATAL_FAILURE(OpenWithTwoTables(/*keys=*/400, /*second_first=*/100));
  {
    ScopedFault install("engine/compaction/install");
    ScopedFault remove("engine/file/delete", /*first_failing_hit=*/1, /*failures_max=*/100);
    EXPECT_TRUE(db_->RunBackgroundStep());
    ASSERT_EQ(1, install.failures());
    ASSERT_GE(remove.failures(), 1) << "the abandoned output's delete should have failed";
  }
  EXPECT_GT(ListTables(dir_.path()).size(), inputs_.size())
      << "the abandoned output is still there";
  ASSERT_TRUE(db_->WaitForBackgroundIdle().ok());
  EXPECT_EQ(SortedExpectedFiles(db_.get()), ListDir(dir_.path()));
  EXPECT_EQ(model_, ReadAll(db_.get()));
}

// A compaction that fails just before installing its result is retried; its outputs are removed.
TEST_F(FaultPointTest, CompactionInstallFailureIsRetried) {
  ExpectCompactionRetried("engine/compaction/install", 1);
}

// A WAL write failing at `point`: the shared body of tests (d) and (e).
void FaultPointTest::ExpectFailedWalWriteInvisible(const char* point, WriteOptions::Sync sync) {
  WriteOptions wo;
  wo.sync = sync;
  ASSERT_NO_FATAL_FAILURE(Open());
  PutRange(db_.get(), 0, 50, "v", &model_, /*padding_bytes=*/0, wo);
  const engine::SequenceNumber acked = db_->GetStats().last_sequence;
  const std::string wal = dir_.path() + "/" + NewestWithSuffix(dir_.path(), ".log");
  const uint64_t wal_bytes = std::filesystem::file_size(wal);
  {
    ScopedFault fault(point);
    auto put = db_->Put(wo, "doomed", "never-visible");
    ASSERT_FALSE(put.ok());
    EXPECT_TRUE(put.status().IsIOError()) << put.status().ToString();
    EXPECT_TRUE(put.status().injected()) << put.status().ToString();
    EXPECT_EQ(1, fault.failures());
  }
  EXPECT_EQ(wal_bytes, std::filesystem::file_size(wal)) << "the failed record is cut off the WAL";
  EXPECT_EQ(acked, db_->GetStats().last_sequence);
  EXPECT_EQ("NOT_FOUND", GetOrStatus(db_.get(), "doomed"));
  EXPECT_EQ(model_, ReadAll(db_.get()));
  // With its WAL in doubt the DB takes no more writes until it is reopened.
  auto later = db_->Put(wo, "later", "x");
  ASSERT_FALSE(later.ok());
  EXPECT_TRUE(later.status().IsBackgroundError()) << later.status().ToString();
  EXPECT_TRUE(later.status().injected()) << later.status().ToString();
  db_->Close();
  db_.reset();

  auto reopened = OpenOrDie(ManualOptions(), dir_.path());
  ASSERT_NE(nullptr, reopened);
  EXPECT_EQ("NOT_FOUND", GetOrStatus(reopened.get(), "doomed"));
  EXPECT_EQ(model_, ReadAll(reopened.get()));
  auto seq = reopened->Put(wo, "after-reopen", "x");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(acked + 1, seq.value());
}

// (d) A write whose WAL append fails errs as injected and is never visible, even after reopen.
TEST_F(FaultPointTest, WalAppendFailureWriteIsNeverVisible) {
  ExpectFailedWalWriteInvisible("engine/wal/append", WriteOptions::Sync::kNo);
}

// (e) A sync write whose WAL sync fails errs as injected and is never visible, even reopened.
TEST_F(FaultPointTest, WalSyncFailureWriteIsNeverVisible) {
  ExpectFailedWalWriteInvisible("engine/wal/sync", WriteOptions::Sync::kYes);
}

// (f) A table delete failing once is retried: no deferred deletion, directory as expected.
TEST_F(FaultPointTest, FailedTableDeleteIsRetried) {
  ASSERT_NO_FATAL_FAILURE(OpenWithTwoTables(/*keys=*/300, /*second_first=*/0));
  auto it = db_->NewIterator(ReadOptions());  // pins the Version listing the two inputs
  ASSERT_TRUE(db_->RunBackgroundStep());
  ASSERT_EQ(1u, db_->GetStats().compactions);
  EXPECT_EQ(2u, db_->GetStats().deferred_deletions);
  {
    ScopedFault fault("engine/file/delete");
    it.reset();  // releases the last Version listing the inputs: both are deleted, one fails
    EXPECT_EQ(2, fault.hits());
    EXPECT_EQ(1, fault.failures());
  }
  EXPECT_EQ(1u, db_->GetStats().deferred_deletions);
  EXPECT_NE(SortedExpectedFiles(db_.get()), ListDir(dir_.path())) << "one input is still on disk";

  ASSERT_TRUE(db_->WaitForBackgroundIdle().ok());
  db_->RunBackgroundStep();  // every step retries the deletes that failed
  const auto stats = db_->GetStats();
  EXPECT_EQ(0u, stats.deferred_deletions);
  EXPECT_EQ(0u, stats.deferred_deletion_bytes);
  EXPECT_EQ(1u, stats.live_versions);
  EXPECT_EQ(SortedExpectedFiles(db_.get()), ListDir(dir_.path()));
  for (const auto& t : inputs_) {
    EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/" + t)) << t;
  }
  EXPECT_EQ(model_, ReadAll(db_.get()));
}

// A failed table delete is retried by WaitForBackgroundIdle with no further writes.
TEST_F(FaultPointTest, FailedTableDeleteIsRetriedWhenIdle) {
  Options o = ManualOptions();  // level0_compaction_trigger = 2
  o.background = engine::BackgroundMode::kThread;
  ASSERT_NO_FATAL_FAILURE(Open(o));
  PutRange(db_.get(), 0, 300, "one", &model_);
  ASSERT_TRUE(db_->Flush().ok());
  const auto pinned = ListTables(dir_.path());
  ASSERT_EQ(1u, pinned.size());
  PutRange(db_.get(), 0, 300, "two", &model_);
  auto it = db_->NewIterator(ReadOptions());  // pins the Version listing the first table
  ASSERT_TRUE(db_->Flush().ok());             // the second level-0 table starts a compaction
  ASSERT_TRUE(db_->WaitForBackgroundIdle().ok());
  ASSERT_GE(db_->GetStats().compactions, 1u);
  ASSERT_EQ(1u, db_->GetStats().deferred_deletions);
  {
    ScopedFault fault("engine/file/delete");
    it.reset();
    ASSERT_EQ(1, fault.failures());
  }
  ASSERT_TRUE(db_->WaitForBackgroundIdle().ok());
  // Bounded wait: a retry with back-off has had ample time after this.
  constexpr int kWaitMsMax = 2000;
  for (int waited_ms = 0; waited_ms < kWaitMsMax && db_->GetStats().deferred_deletions != 0;
       waited_ms += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(0u, db_->GetStats().deferred_deletions);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/" + pinned[0]));
  EXPECT_EQ(SortedExpectedFiles(db_.get()), ListDir(dir_.path()));
}

// (f) A failed delete of a retired WAL is retried, so the directory again matches.
TEST_F(FaultPointTest, FailedWalDeleteIsRetried) {
  ASSERT_NO_FATAL_FAILURE(Open());
  PutRange(db_.get(), 0, 100, "one", &model_);
  const std::string retired = NewestWithSuffix(dir_.path(), ".log");
  {
    ScopedFault fault("engine/file/delete");
    ASSERT_TRUE(db_->Flush().ok());
    EXPECT_EQ(1, fault.failures()) << "the flush should have tried to delete " << retired;
  }
  PutRange(db_.get(), 100, 100, "two", &model_);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->WaitForBackgroundIdle().ok());
  db_->RunBackgroundStep();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/" + retired))
      << retired << " was never retried";
  EXPECT_EQ(SortedExpectedFiles(db_.get()), ListDir(dir_.path()));
  EXPECT_EQ(model_, ReadAll(db_.get()));
}

// (g) A flush whose table write fails once is retried; Flush() succeeds, data intact.
TEST_F(FaultPointTest, FlushWriteTableFailureIsRetried) {
  Options o = ManualOptions();  // only the explicit Flush() flushes
  o.background = engine::BackgroundMode::kThread;
  ASSERT_NO_FATAL_FAILURE(Open(o));
  PutRange(db_.get(), 0, 300, "v", &model_);
  {
    ScopedFault fault("engine/flush/write_table");
    const Status s = db_->Flush();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(1, fault.failures());
    EXPECT_EQ(2, fault.hits()) << "one failure, one successful retry";
  }
  ASSERT_TRUE(db_->WaitForBackgroundIdle().ok());
  const auto stats = db_->GetStats();
  EXPECT_EQ(1u, stats.flushes);
  EXPECT_EQ(0u, stats.background_errors);
  EXPECT_EQ(1u, ListTables(dir_.path()).size());
  EXPECT_EQ(SortedExpectedFiles(db_.get()), ListDir(dir_.path()));
  ExpectGetsMatch(db_.get(), model_);
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  ExpectReopenHolds(dir_.path(), model_, o);
}

// (h) Failed table opens fail reads as injected (no background error) until disabled.
TEST_F(FaultPointTest, TableOpenFailureFailsReadsUntilDisabled) {
  ASSERT_NO_FATAL_FAILURE(Open());
  PutRange(db_.get(), 0, 300, "v", &model_);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Close().ok());
  ASSERT_NO_FATAL_FAILURE(Open());  // a fresh table cache: nothing is open yet
  {
    ScopedFault fault("engine/table/open", 1, kFailEveryHit);
    std::string value;
    const Status s = db_->Get(ReadOptions(), Key(5), &value);
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_TRUE(s.injected()) << s.ToString();
    auto it = db_->NewIterator(ReadOptions());
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().injected()) << it->status().ToString();
    EXPECT_GE(fault.failures(), 2);
    EXPECT_TRUE(db_->BackgroundErrorStatus().ok()) << "a failed read is not a background error";
  }
  ExpectGetsMatch(db_.get(), model_);
  EXPECT_EQ(model_, ReadAll(db_.get()));
}

// A CURRENT update failing in Open fails it as injected; the next Open loses nothing.
TEST_F(FaultPointTest, SetCurrentFailureDuringOpenLosesNothing) {
  ASSERT_NO_FATAL_FAILURE(Open());
  PutRange(db_.get(), 0, 100, "one", &model_);
  ASSERT_TRUE(db_->Flush().ok());
  PutRange(db_.get(), 50, 100, "two", &model_);  // left in the WAL
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  {
    ScopedFault fault("engine/manifest/set_current");
    auto db = DB::Open(ManualOptions(), dir_.path());
    ASSERT_FALSE(db.ok());
    EXPECT_TRUE(db.status().injected()) << db.status().ToString();
    EXPECT_EQ(1, fault.failures());
  }
  ExpectReopenHolds(dir_.path(), model_, ManualOptions());
}

}  // namespace
}  // namespace vstress_test
