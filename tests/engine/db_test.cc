// Cross-component tests of engine::DB: the public API end to end on the real file system.
#include "engine/db.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "engine/testing.h"
#include "tests/engine/db_test_util.h"

namespace vstress_test {
namespace {

using engine::DB;
using engine::Options;
using engine::ReadOptions;
using engine::WriteOptions;

// Writes return increasing sequence numbers and Get reports the sequence it read at.
TEST(DBTest, PutGetDeleteWithSequences) {
  TempDir dir;
  auto db = OpenOrDie(SmallOptions(), dir.path());
  auto s1 = db->Put(WriteOptions(), "a", "1");
  auto s2 = db->Put(WriteOptions(), "a", "2");
  auto s3 = db->Delete(WriteOptions(), "b");
  ASSERT_TRUE(s1.ok() && s2.ok() && s3.ok());
  EXPECT_EQ(s1.value() + 1, s2.value());
  EXPECT_EQ(s2.value() + 1, s3.value());
  std::string value;
  engine::SequenceNumber observed = 0;
  ASSERT_TRUE(db->Get(ReadOptions(), "a", &value, &observed).ok());
  EXPECT_EQ("2", value);
  EXPECT_EQ(s3.value(), observed);
  EXPECT_TRUE(db->Get(ReadOptions(), "b", &value, &observed).IsNotFound());
  ASSERT_TRUE(db->Delete(WriteOptions(), "a").ok());
  EXPECT_EQ("NOT_FOUND", GetOrStatus(db.get(), "a"));
}

// A batch is applied atomically with consecutive sequence numbers, returning the last.
TEST(DBTest, WriteBatchAssignsConsecutiveSequences) {
  TempDir dir;
  auto db = OpenOrDie(SmallOptions(), dir.path());
  engine::WriteBatch batch;
  batch.Put("x", "1");
  batch.Put("y", "2");
  batch.Delete("x");
  auto seq = db->Write(WriteOptions(), &batch);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(3u, seq.value());
  EXPECT_EQ("NOT_FOUND", GetOrStatus(db.get(), "x"));
  EXPECT_EQ("2", GetOrStatus(db.get(), "y"));
}

// Data written before a flush and compaction reads back the same from tables, in both directions.
TEST(DBTest, ReadsSurviveFlushAndCompaction) {
  TempDir dir;
  auto db = OpenOrDie(SmallOptions(), dir.path());
  Model model;
  for (int i = 0; i < 3000; i++) {
    const std::string k = Key((i * 7919) % 1000);
    const std::string v = "v" + std::to_string(i);
    ASSERT_TRUE(db->Put(WriteOptions(), k, v).ok());
    model[k] = v;
    if (i % 5 == 0) {
      ASSERT_TRUE(db->Delete(WriteOptions(), Key(i % 1000)).ok());
      model.erase(Key(i % 1000));
    }
  }
  ASSERT_TRUE(db->CompactRange("", "").ok());
  EXPECT_GT(db->GetStats().flushes, 0u);
  EXPECT_GT(db->GetStats().compactions, 0u);
  EXPECT_EQ(model, ReadAll(db.get()));
  for (const auto& [k, v] : model) ASSERT_EQ(v, GetOrStatus(db.get(), k));
  // Backwards iteration yields the same entries in reverse.
  auto it = db->NewIterator(ReadOptions());
  auto expected = model.rbegin();
  for (it->SeekToLast(); it->Valid(); it->Prev(), ++expected) {
    ASSERT_NE(expected, model.rend());
    ASSERT_EQ(expected->first, it->key());
    ASSERT_EQ(expected->second, it->value());
  }
  EXPECT_EQ(expected, model.rend());
}

// A snapshot keeps returning its point-in-time state across overwrites, deletes and compactions.
TEST(DBTest, SnapshotSeesPointInTimeAcrossCompaction) {
  TempDir dir;
  auto db = OpenOrDie(SmallOptions(), dir.path());
  for (int i = 0; i < 500; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "old").ok());
  const engine::Snapshot* snap = db->GetSnapshot();
  const auto before = ReadAll(db.get(), snap);
  for (int i = 0; i < 500; i++) {
    if (i % 2) {
      ASSERT_TRUE(db->Delete(WriteOptions(), Key(i)).ok());
    } else {
      ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "new").ok());
    }
  }
  ASSERT_TRUE(db->CompactRange("", "").ok());
  EXPECT_EQ(before, ReadAll(db.get(), snap));
  EXPECT_EQ("old", GetOrStatus(db.get(), Key(1), snap));
  EXPECT_EQ("NOT_FOUND", GetOrStatus(db.get(), Key(1)));
  db->ReleaseSnapshot(snap);
}

// Every acknowledged write is back after close and reopen (WAL replay and tables both).
TEST(DBTest, ReopenKeepsEverything) {
  TempDir dir;
  Model model;
  {
    auto db = OpenOrDie(SmallOptions(), dir.path());
    for (int i = 0; i < 2000; i++) {
      const std::string k = Key(i % 700);
      ASSERT_TRUE(db->Put(WriteOptions(), k, std::to_string(i)).ok());
      model[k] = std::to_string(i);
    }
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenOrDie(SmallOptions(), dir.path());
  EXPECT_EQ(model, ReadAll(db.get()));
  auto seq = db->Put(WriteOptions(), "after", "reopen");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(2001u, seq.value());
}

// A table an iterator still reads is deferred, not deleted, and goes when the iterator does.
TEST(DBTest, IteratorDefersDeletionOfCompactedTables) {
  TempDir dir;
  Options o = SmallOptions();
  o.background = engine::BackgroundMode::kManual;  // nothing moves between the steps below
  auto db = OpenOrDie(o, dir.path());
  for (int i = 0; i < 1000; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "v1").ok());
  ASSERT_TRUE(db->Flush().ok());
  const auto pinned_before = ListTables(dir.path());
  auto it = db->NewIterator(ReadOptions());
  for (int i = 0; i < 1000; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "v2").ok());
  ASSERT_TRUE(db->CompactRange("", "").ok());
  auto stats = db->GetStats();
  EXPECT_GE(stats.live_versions, 2u);
  EXPECT_GE(stats.deferred_deletions, 1u);
  // Every table the iterator's Version lists is still on disk.
  auto on_disk = ListTables(dir.path());
  for (const auto& t : pinned_before) EXPECT_TRUE(Contains(on_disk, t)) << t;
  auto seen = ReadAll(it.get());
  ASSERT_EQ(1000u, seen.size());
  for (const auto& [k, v] : seen) ASSERT_EQ("v1", v) << k;
  it.reset();
  stats = db->GetStats();
  EXPECT_EQ(1u, stats.live_versions);
  EXPECT_EQ(0u, stats.deferred_deletions);
  EXPECT_EQ(0u, stats.deferred_deletion_bytes);
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
}

// A table that a trivial move pushed down a level, then a compaction made obsolete, stays on disk
// while an iterator pins a Version listing it at its old level (one refcount across levels).
TEST(DBTest, TrivialMoveKeepsOneRefcountPerTable) {
  TempDir dir;
  Options o = SmallOptions();
  o.background = engine::BackgroundMode::kManual;
  auto db = OpenOrDie(o, dir.path());
  for (int i = 0; i < 50; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "first").ok());
  ASSERT_TRUE(db->Flush().ok());
  const auto tables = ListTables(dir.path());
  ASSERT_EQ(1u, tables.size());
  auto it = db->NewIterator(ReadOptions());    // pins the Version with the table at level 0
  ASSERT_TRUE(db->CompactRange("", "").ok());  // trivial moves down to the last level
  for (int i = 0; i < 50; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "second").ok());
  ASSERT_TRUE(db->CompactRange("", "").ok());  // rewrites it: now obsolete
  auto on_disk = ListTables(dir.path());
  EXPECT_TRUE(Contains(on_disk, tables[0]));
  EXPECT_GE(db->GetStats().deferred_deletions, 1u);
  auto seen = ReadAll(it.get());
  EXPECT_EQ(50u, seen.size());
  for (const auto& [k, v] : seen) EXPECT_EQ("first", v);
  it.reset();
  on_disk = ListTables(dir.path());
  EXPECT_FALSE(Contains(on_disk, tables[0]));
  EXPECT_EQ(0u, db->GetStats().deferred_deletions);
}

// A second Open of a DB that is open fails with a message saying it is locked.
TEST(DBTest, SecondOpenIsRefusedByLock) {
  TempDir dir;
  auto db = OpenOrDie(SmallOptions(), dir.path());
  auto second = DB::Open(SmallOptions(), dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(std::string::npos, second.status().message().find("locked"))
      << second.status().ToString();
}

// Options::Validate names the bad field.
TEST(DBTest, InvalidOptionsNameTheField) {
  TempDir dir;
  Options o = SmallOptions();
  o.level0_stop_trigger = 1;
  auto db = DB::Open(o, dir.path());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsInvalidArgument());
  EXPECT_NE(std::string::npos, db.status().message().find("level0_stop_trigger"));
}

// Opening a missing DB without create_if_missing fails cleanly.
TEST(DBTest, MissingDbWithoutCreateFails) {
  TempDir dir;
  Options o = SmallOptions();
  o.create_if_missing = false;
  auto db = DB::Open(o, dir.path());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsInvalidArgument()) << db.status().ToString();
}

// With background = manual nothing happens until RunBackgroundStep is called (as long as no writer
// would stall: one that would runs the step itself, doc/design.md).
TEST(DBTest, ManualBackgroundRunsOnlyWhenStepped) {
  TempDir dir;
  Options o = SmallOptions();
  o.background = engine::BackgroundMode::kManual;
  auto db = OpenOrDie(o, dir.path());
  ASSERT_NE(nullptr, db);
  // Writes until the memtable has been switched once (a second WAL exists): a full memtable now
  // waits for a flush, and the next switch, where a writer would stall, is far off.
  auto wal_count = [&] {
    const auto names = ListDir(dir.path());
    return std::count_if(names.begin(), names.end(),
                         [](const std::string& n) { return n.ends_with(".log"); });
  };
  constexpr int kWritesMax = 10000;
  int written = 0;
  while (written < kWritesMax && wal_count() < 2) {
    ASSERT_TRUE(db->Put(WriteOptions(), Key(written), "v").ok());
    written++;
  }
  ASSERT_LT(written, kWritesMax) << "the memtable never switched";
  const auto flushes_before = db->GetStats().flushes;
  EXPECT_EQ(0u, flushes_before);
  EXPECT_TRUE(ListTables(dir.path()).empty());
  constexpr int kStepsMax = 10000;  // this little data reaches idle long before
  int steps = 0;
  while (steps < kStepsMax && db->RunBackgroundStep()) steps++;
  EXPECT_GT(steps, 0);
  EXPECT_LT(steps, kStepsMax) << "background work never went idle";
  EXPECT_GT(db->GetStats().flushes, flushes_before);
  EXPECT_FALSE(ListTables(dir.path()).empty());
  EXPECT_FALSE(db->RunBackgroundStep());
  EXPECT_EQ(static_cast<size_t>(written), ReadAll(db.get()).size());
}

// With background = manual one thread drives the DB. A driver that runs a write at a yield site
// inside another write's inline background work would wait on the write lock for ever; the
// engine aborts naming the mistake instead of hanging (the simulator's rule, doc/design.md
// "Scheduling", keeps it from happening).
TEST(DBDeathTest, ManualWriteInsideAWriteAbortsInsteadOfHanging) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  TempDir dir;
  Options o = SmallOptions();
  o.background = engine::BackgroundMode::kManual;
  o.level0_compaction_trigger = 2;
  o.level0_slowdown_trigger = 2;
  o.level0_stop_trigger = 2;  // the third level-0 table makes writers run the compaction inline
  EXPECT_DEATH(
      {
        auto db = OpenOrDie(o, dir.path());
        engine::DB* raw = db.get();
        engine::testing::SetYieldHook(raw, [raw](engine::testing::YieldSite site) {
          if (site == engine::testing::YieldSite::kCompactionNewOutput) {
            (void)raw->Put(WriteOptions(), "inner", "v");
          }
        });
        for (int i = 0; i < 100000; i++) (void)db->Put(WriteOptions(), Key(i % 500), "value");
      },
      "a write ran inside another write");
}

// The same for a Flush run at a yield site inside a background step: it would wait for the
// immutable memtable that step is about to flush, spinning for ever; it aborts instead.
TEST(DBDeathTest, ManualFlushInsideBackgroundWorkAbortsInsteadOfSpinning) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  TempDir dir;
  Options o = SmallOptions();
  o.background = engine::BackgroundMode::kManual;
  EXPECT_DEATH(
      {
        auto db = OpenOrDie(o, dir.path());
        engine::DB* raw = db.get();
        engine::testing::SetYieldHook(raw, [raw](engine::testing::YieldSite site) {
          if (site != engine::testing::YieldSite::kCompactionNewOutput) return;
          for (int i = 0; i < 5000; i++) (void)raw->Put(WriteOptions(), Key(i), "inner");
          (void)raw->Flush();
        });
        for (int round = 0; round < 200; round++) {
          for (int i = 0; i < 200; i++) (void)db->Put(WriteOptions(), Key(i), "value");
          (void)db->Flush();
          while (db->RunBackgroundStep()) {
          }
        }
      },
      "waited for background work it runs inside");
}

}  // namespace
}  // namespace vstress_test
