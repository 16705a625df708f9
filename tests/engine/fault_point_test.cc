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
};

// A MANIFEST write at `point` fails during a flush: the shared body of tests (a) and (b).
void ExpectFlushManifestFailureContained(const char* point) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 300, "one", &model);
  ASSERT_TRUE(db->Flush().ok());
  PutRange(db.get(), 200, 300, "two", &model);
  const engine::SequenceNumber acked = db->GetStats().last_sequence;
  {
    ScopedFault fault(point);
    const Status s = db->Flush();
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(s.injected()) << s.ToString();
    ASSERT_EQ(1, fault.failures());
  }
  EXPECT_GE(db->GetStats().background_errors, 1u);
  const Status bg = db->BackgroundErrorStatus();
  EXPECT_TRUE(bg.IsBackgroundError()) << bg.ToString();
  EXPECT_TRUE(bg.injected()) << bg.ToString();
  auto put = db->Put(WriteOptions(), "after-failure", "x");
  ASSERT_FALSE(put.ok());
  EXPECT_TRUE(put.status().IsBackgroundError()) << put.status().ToString();
  EXPECT_TRUE(put.status().injected()) << put.status().ToString();
  EXPECT_EQ(acked, db->GetStats().last_sequence) << "a failed write publishes no sequence";

  // Reads keep working, from the unflushed memtable and from the table flushed before.
  ExpectGetsMatch(db.get(), model);
  EXPECT_EQ(model, ReadAll(db.get()));
  EXPECT_EQ("NOT_FOUND", GetOrStatus(db.get(), "after-failure"));

  // The failed flush's table stays (the MANIFEST on disk may name it), and nothing is deleted.
  const auto tables = ListTables(dir.path());
  EXPECT_EQ(2u, tables.size());
  const uint64_t deleted = db->GetStats().files_deleted;
  db->NewIterator(ReadOptions()).reset();
  EXPECT_FALSE(db->RunBackgroundStep());
  EXPECT_FALSE(db->Flush().ok());
  EXPECT_FALSE(db->CompactRange("", "").ok());
  EXPECT_FALSE(db->WaitForBackgroundIdle().ok());
  EXPECT_EQ(tables, ListTables(dir.path()));
  EXPECT_EQ(deleted, db->GetStats().files_deleted);
  db->Close();
  db.reset();
  ExpectReopenHolds(dir.path(), model, ManualOptions());
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
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  ASSERT_NO_FATAL_FAILURE(WriteTwoTables(db.get(), /*keys=*/400, /*second_first=*/100, &model));
  const auto inputs = ListTables(dir.path());
  ASSERT_EQ(2u, inputs.size());
  {
    ScopedFault fault("engine/manifest/sync");
    EXPECT_TRUE(db->RunBackgroundStep());
    ASSERT_EQ(1, fault.failures()) << "the step should have been a compaction";
  }
  EXPECT_EQ(0u, db->GetStats().compactions);
  EXPECT_TRUE(db->BackgroundErrorStatus().injected());
  const auto tables = ListTables(dir.path());
  EXPECT_GT(tables.size(), inputs.size()) << "the compaction's outputs stay protected";
  for (const auto& t : inputs) EXPECT_TRUE(Contains(tables, t)) << t;
  EXPECT_EQ(model, ReadAll(db.get()));
  EXPECT_FALSE(db->RunBackgroundStep());
  EXPECT_EQ(tables, ListTables(dir.path()));
  db->Close();
  db.reset();
  ExpectReopenHolds(dir.path(), model, ManualOptions());
}

// A compaction failing at `point` on hit `failing_hit` is retried and succeeds, leaving no stray
// table and no background error.
void ExpectCompactionRetried(const char* point, int failing_hit) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  ASSERT_NO_FATAL_FAILURE(WriteTwoTables(db.get(), /*keys=*/400, /*second_first=*/100, &model));
  const auto inputs = ListTables(dir.path());
  ASSERT_EQ(2u, inputs.size());
  ScopedFault fault(point, failing_hit);
  EXPECT_TRUE(db->RunBackgroundStep());
  ASSERT_EQ(1, fault.failures()) << "the step should have been a compaction";
  EXPECT_EQ(0u, db->GetStats().compactions);
  EXPECT_EQ(inputs, ListTables(dir.path())) << "a failed compaction's outputs are removed";
  EXPECT_TRUE(db->BackgroundErrorStatus().ok()) << "one failure is retried, not fatal";
  EXPECT_TRUE(db->Put(WriteOptions(), Key(0), "during-retry").ok());
  model[Key(0)] = "during-retry";

  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  EXPECT_GT(fault.hits(), failing_hit) << "the compaction was retried";
  const auto stats = db->GetStats();
  EXPECT_GE(stats.compactions, 1u);
  EXPECT_EQ(0u, stats.background_errors);
  EXPECT_EQ(0u, stats.deferred_deletions);
  EXPECT_TRUE(engine::testing::ProtectedOutputs(db.get()).empty());
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
  EXPECT_EQ(model, ReadAll(db.get()));
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  ExpectReopenHolds(dir.path(), model, ManualOptions());
}

// (c) A failed compaction output write is retried; abandoned outputs go, no data is lost.
TEST_F(FaultPointTest, CompactionWriteOutputFailureIsRetried) {
  ExpectCompactionRetried("engine/compaction/write_output", 2);
}

// A compaction that fails to read its inputs is retried and nothing is lost.
TEST_F(FaultPointTest, CompactionReadInputFailureIsRetried) {
  ExpectCompactionRetried("engine/compaction/read_input", 1);
}

// A compaction that fails just before installing its result is retried; its outputs are removed.
// A failed compaction whose output cannot be deleted (the delete fails too) leaves no stray table
// once the DB is idle: the idle GC scan collects it.
TEST_F(FaultPointTest, AbandonedOutputWhoseDeleteFailsIsCollectedWhenIdle) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  ASSERT_NO_FATAL_FAILURE(WriteTwoTables(db.get(), /*keys=*/400, /*second_first=*/100, &model));
  const auto inputs = ListTables(dir.path());
  {
    ScopedFault install("engine/compaction/install");
    ScopedFault remove("engine/file/delete", /*first_failing_hit=*/1, /*failures_max=*/100);
    EXPECT_TRUE(db->RunBackgroundStep());
    ASSERT_EQ(1, install.failures());
    ASSERT_GE(remove.failures(), 1) << "the abandoned output's delete should have failed";
  }
  EXPECT_GT(ListTables(dir.path()).size(), inputs.size()) << "the abandoned output is still there";
  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
  EXPECT_EQ(model, ReadAll(db.get()));
}

TEST_F(FaultPointTest, CompactionInstallFailureIsRetried) {
  ExpectCompactionRetried("engine/compaction/install", 1);
}

// A WAL write failing at `point`: the shared body of tests (d) and (e).
void ExpectFailedWalWriteInvisible(const char* point, WriteOptions::Sync sync) {
  TempDir dir;
  Model model;
  WriteOptions wo;
  wo.sync = sync;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 50, "v", &model, /*padding_bytes=*/0, wo);
  const engine::SequenceNumber acked = db->GetStats().last_sequence;
  const std::string wal = dir.path() + "/" + NewestWithSuffix(dir.path(), ".log");
  const uint64_t wal_bytes = std::filesystem::file_size(wal);
  {
    ScopedFault fault(point);
    auto put = db->Put(wo, "doomed", "never-visible");
    ASSERT_FALSE(put.ok());
    EXPECT_TRUE(put.status().IsIOError()) << put.status().ToString();
    EXPECT_TRUE(put.status().injected()) << put.status().ToString();
    EXPECT_EQ(1, fault.failures());
  }
  EXPECT_EQ(wal_bytes, std::filesystem::file_size(wal)) << "the failed record is cut off the WAL";
  EXPECT_EQ(acked, db->GetStats().last_sequence);
  EXPECT_EQ("NOT_FOUND", GetOrStatus(db.get(), "doomed"));
  EXPECT_EQ(model, ReadAll(db.get()));
  // With its WAL in doubt the DB takes no more writes until it is reopened.
  auto later = db->Put(wo, "later", "x");
  ASSERT_FALSE(later.ok());
  EXPECT_TRUE(later.status().IsBackgroundError()) << later.status().ToString();
  EXPECT_TRUE(later.status().injected()) << later.status().ToString();
  db->Close();
  db.reset();

  auto reopened = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, reopened);
  EXPECT_EQ("NOT_FOUND", GetOrStatus(reopened.get(), "doomed"));
  EXPECT_EQ(model, ReadAll(reopened.get()));
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
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  ASSERT_NO_FATAL_FAILURE(WriteTwoTables(db.get(), /*keys=*/300, /*second_first=*/0, &model));
  const auto inputs = ListTables(dir.path());
  ASSERT_EQ(2u, inputs.size());
  auto it = db->NewIterator(ReadOptions());  // pins the Version listing the two inputs
  ASSERT_TRUE(db->RunBackgroundStep());
  ASSERT_EQ(1u, db->GetStats().compactions);
  EXPECT_EQ(2u, db->GetStats().deferred_deletions);
  {
    ScopedFault fault("engine/file/delete");
    it.reset();  // releases the last Version listing the inputs: both are deleted, one fails
    EXPECT_EQ(2, fault.hits());
    EXPECT_EQ(1, fault.failures());
  }
  EXPECT_EQ(1u, db->GetStats().deferred_deletions);
  EXPECT_NE(SortedExpectedFiles(db.get()), ListDir(dir.path())) << "one input is still on disk";

  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  db->RunBackgroundStep();  // every step retries the deletes that failed
  const auto stats = db->GetStats();
  EXPECT_EQ(0u, stats.deferred_deletions);
  EXPECT_EQ(0u, stats.deferred_deletion_bytes);
  EXPECT_EQ(1u, stats.live_versions);
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
  for (const auto& t : inputs) {
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + t)) << t;
  }
  EXPECT_EQ(model, ReadAll(db.get()));
}

// A failed table delete is retried by WaitForBackgroundIdle with no further writes.
TEST_F(FaultPointTest, FailedTableDeleteIsRetriedWhenIdle) {
  TempDir dir;
  Model model;
  Options o = ManualOptions();  // level0_compaction_trigger = 2
  o.background = engine::BackgroundMode::kThread;
  auto db = OpenOrDie(o, dir.path());
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 300, "one", &model);
  ASSERT_TRUE(db->Flush().ok());
  const auto pinned = ListTables(dir.path());
  ASSERT_EQ(1u, pinned.size());
  PutRange(db.get(), 0, 300, "two", &model);
  auto it = db->NewIterator(ReadOptions());  // pins the Version listing the first table
  ASSERT_TRUE(db->Flush().ok());             // the second level-0 table starts a compaction
  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  ASSERT_GE(db->GetStats().compactions, 1u);
  ASSERT_EQ(1u, db->GetStats().deferred_deletions);
  {
    ScopedFault fault("engine/file/delete");
    it.reset();
    ASSERT_EQ(1, fault.failures());
  }
  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  // Bounded wait: a retry with back-off has had ample time after this.
  constexpr int kWaitMsMax = 2000;
  for (int waited_ms = 0; waited_ms < kWaitMsMax && db->GetStats().deferred_deletions != 0;
       waited_ms += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(0u, db->GetStats().deferred_deletions);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + pinned[0]));
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
}

// (f) A failed delete of a retired WAL is retried, so the directory again matches.
TEST_F(FaultPointTest, FailedWalDeleteIsRetried) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 100, "one", &model);
  const std::string retired = NewestWithSuffix(dir.path(), ".log");
  {
    ScopedFault fault("engine/file/delete");
    ASSERT_TRUE(db->Flush().ok());
    EXPECT_EQ(1, fault.failures()) << "the flush should have tried to delete " << retired;
  }
  PutRange(db.get(), 100, 100, "two", &model);
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  db->RunBackgroundStep();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + retired))
      << retired << " was never retried";
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
  EXPECT_EQ(model, ReadAll(db.get()));
}

// (g) A flush whose table write fails once is retried; Flush() succeeds, data intact.
TEST_F(FaultPointTest, FlushWriteTableFailureIsRetried) {
  TempDir dir;
  Model model;
  Options o = ManualOptions();  // only the explicit Flush() flushes
  o.background = engine::BackgroundMode::kThread;
  auto db = OpenOrDie(o, dir.path());
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 300, "v", &model);
  {
    ScopedFault fault("engine/flush/write_table");
    const Status s = db->Flush();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(1, fault.failures());
    EXPECT_EQ(2, fault.hits()) << "one failure, one successful retry";
  }
  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  const auto stats = db->GetStats();
  EXPECT_EQ(1u, stats.flushes);
  EXPECT_EQ(0u, stats.background_errors);
  EXPECT_EQ(1u, ListTables(dir.path()).size());
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
  ExpectGetsMatch(db.get(), model);
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  ExpectReopenHolds(dir.path(), model, o);
}

// (h) Failed table opens fail reads as injected (no background error) until disabled.
TEST_F(FaultPointTest, TableOpenFailureFailsReadsUntilDisabled) {
  TempDir dir;
  Model model;
  {
    auto db = OpenOrDie(ManualOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    PutRange(db.get(), 0, 300, "v", &model);
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenOrDie(ManualOptions(), dir.path());  // a fresh table cache: nothing is open yet
  ASSERT_NE(nullptr, db);
  {
    ScopedFault fault("engine/table/open", 1, kFailEveryHit);
    std::string value;
    const Status s = db->Get(ReadOptions(), Key(5), &value);
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_TRUE(s.injected()) << s.ToString();
    auto it = db->NewIterator(ReadOptions());
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().injected()) << it->status().ToString();
    EXPECT_GE(fault.failures(), 2);
    EXPECT_TRUE(db->BackgroundErrorStatus().ok()) << "a failed read is not a background error";
  }
  ExpectGetsMatch(db.get(), model);
  EXPECT_EQ(model, ReadAll(db.get()));
}

// A CURRENT update failing in Open fails it as injected; the next Open loses nothing.
TEST_F(FaultPointTest, SetCurrentFailureDuringOpenLosesNothing) {
  TempDir dir;
  Model model;
  {
    auto db = OpenOrDie(ManualOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    PutRange(db.get(), 0, 100, "one", &model);
    ASSERT_TRUE(db->Flush().ok());
    PutRange(db.get(), 50, 100, "two", &model);  // left in the WAL
    ASSERT_TRUE(db->Close().ok());
  }
  {
    ScopedFault fault("engine/manifest/set_current");
    auto db = DB::Open(ManualOptions(), dir.path());
    ASSERT_FALSE(db.ok());
    EXPECT_TRUE(db.status().injected()) << db.status().ToString();
    EXPECT_EQ(1, fault.failures());
  }
  ExpectReopenHolds(dir.path(), model, ManualOptions());
}

}  // namespace
}  // namespace vstress_test
