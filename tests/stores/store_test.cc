// Every store in the registry through the Store interface: writes get consecutive sequences (a
// batch of n takes n), a read's, an iterator's and a snapshot's position contains the state they
// show, snapshots keep their state across later writes, and the store reopens with what was
// written. The same test for each: what differs between engines is only how exact positions are.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/file_system.h"
#include "faults/fault_fs.h"
#include "stores/registry.h"
#include "tests/engine/db_test_util.h"

namespace {

using stores::BatchEntry;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<stores::Store> Open(stores::SequenceNumber first = 0) {
    stores::StoreConfig config;
    config.engine.memtable_bytes = 64 << 10;
    config.first_sequence = first;
    auto opened = stores::FindStore(GetParam())->open(config, dir_.path());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  static stores::SequenceNumber Put(stores::Store* s, std::string_view key,
                                    std::string_view value) {
    const BatchEntry e{false, key, value};
    stores::SequenceNumber voided = 0;
    auto r = s->Write(false, {&e, 1}, &voided);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : 0;
  }
  vstress_test::TempDir dir_;
};

// Proves: sequences are consecutive, one per entry, and LastSequence is the last write's.
TEST_P(StoreTest, WritesTakeOneSequencePerEntry) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const auto a = Put(store.get(), "a", "1");
  const BatchEntry batch[] = {{false, "b", "2"}, {true, "a", ""}, {false, "c", "3"}};
  stores::SequenceNumber voided = 0;
  auto b = store->Write(true, batch, &voided);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value(), a + 3);
  EXPECT_EQ(store->LastSequence(), a + 3);
  std::string value;
  stores::Position at;
  EXPECT_TRUE(store->Get({}, "a", &value, &at).IsNotFound());
  ASSERT_TRUE(store->Get({}, "c", &value, &at).ok());
  EXPECT_EQ(value, "3");
  EXPECT_LE(at.low, a + 3);
  EXPECT_GE(at.high, a + 3);
}

// Proves: a snapshot keeps the state at its position, which brackets the writes before it.
TEST_P(StoreTest, ASnapshotKeepsItsState) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const auto first = Put(store.get(), "k", "old");
  auto snapshot = store->GetSnapshot();
  const stores::Position at = snapshot->position();
  EXPECT_LE(at.low, first);
  EXPECT_GE(at.high, first);
  Put(store.get(), "k", "new");
  std::string value;
  stores::Position read_at;
  stores::ReadOptions through;
  through.snapshot = snapshot.get();
  ASSERT_TRUE(store->Get(through, "k", &value, &read_at).ok());
  EXPECT_EQ(value, "old");
  auto it = store->NewIterator(through);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "old");
}

// Proves: an iterator shows one state, whatever is written after it was made.
TEST_P(StoreTest, AnIteratorShowsOneState) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 100; i++) Put(store.get(), vstress_test::Key(i), "v1");
  auto it = store->NewIterator({});
  for (int i = 0; i < 100; i++) Put(store.get(), vstress_test::Key(i), "v2");
  int seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_EQ(it->value(), "v1");
    seen++;
  }
  EXPECT_EQ(seen, 100);
  EXPECT_TRUE(it->status().ok());
  EXPECT_GE(it->position().high, 100u);
}

// Proves: a reopened store holds what was written, and counts on from where it is told.
TEST_P(StoreTest, ReopenKeepsTheDataAndTheCount) {
  stores::SequenceNumber last = 0;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 500; i++) last = Put(store.get(), vstress_test::Key(i), std::to_string(i));
    ASSERT_TRUE(store->WaitForBackgroundIdle().ok());
  }
  auto store = Open(last);
  ASSERT_NE(store, nullptr);
  std::string value;
  stores::Position at;
  ASSERT_TRUE(store->Get({}, vstress_test::Key(499), &value, &at).ok());
  EXPECT_EQ(value, "499");
  EXPECT_EQ(store->LastSequence(), last);
  EXPECT_EQ(Put(store.get(), "after", "x"), last + 1);
}

// Proves: every store's kind names its engine and a version from its library.
TEST_P(StoreTest, KindNamesItsVersion) {
  const stores::StoreKind* kind = stores::FindStore(GetParam());
  ASSERT_NE(kind, nullptr);
  EXPECT_FALSE(kind->version().empty());
}

// Proves: the engine's counters are read from the engine (flushes and compactions happen under
// writes through a small memtable, and are counted), and the two gauges are present exactly when
// the store's kind says it exposes them — absent, never 0, otherwise.
TEST_P(StoreTest, StatsCountTheEnginesWorkAndGaugesAreAbsentWhereNotExposed) {
  const stores::StoreKind* kind = stores::FindStore(GetParam());
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string value(1000, 'v');
  for (int i = 0; i < 2000; i++) Put(store.get(), vstress_test::Key(i % 300), value);
  ASSERT_TRUE(store->WaitForBackgroundIdle().ok());
  const stores::StoreStats stats = store->Stats();
  EXPECT_GT(stats.flushes, 0u);
  EXPECT_GT(stats.deepest_level + stats.compactions, 0u);
  EXPECT_EQ(stats.live_versions.has_value(), kind->exposes_live_versions);
  EXPECT_EQ(stats.deferred_deletions.has_value(), kind->exposes_deferred_deletions);
  EXPECT_EQ(stats.oldest_version_age_seconds.has_value(), kind->exposes_oldest_version_age);
  if (stats.live_versions) {
    EXPECT_GE(*stats.live_versions, 1u);
  }
  const std::vector<std::string> absent = stores::GaugesNotExposed(*kind);
  EXPECT_EQ(std::count(absent.begin(), absent.end(), "live_versions"),
            kind->exposes_live_versions ? 0 : 1);
}

// Proves: every store can be flushed and compacted on demand and count its tables per level, and
// says whether it can resume after a background error without a reopen (only RocksDB can).
TEST_P(StoreTest, MaintenanceFlushesCompactsAndCountsTables) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  stores::Maintenance* m = store->maintenance();
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->TablesPerLevel().empty());
  for (int i = 0; i < 100; i++) Put(store.get(), vstress_test::Key(i), "v");
  ASSERT_TRUE(m->Flush().ok());
  EXPECT_FALSE(m->TablesPerLevel().empty());
  ASSERT_TRUE(m->CompactRange("", "").ok());
  uint64_t tables = 0;
  for (const auto& [level, n] : m->TablesPerLevel()) tables += n;
  EXPECT_GE(tables, 1u);
  EXPECT_EQ(m->Resume().ok(), GetParam() == "rocksdb") << m->Resume().ToString();
}

// Proves: a store mutant changes what the store answers. A dropped delete leaves the value
// visible; a stale per-thread cache answers a repeated Get with the first value.
TEST_P(StoreTest, StoreMutantsPlantTheirBugAroundAnyStore) {
  stores::StoreConfig config;
  config.store.mutations = {"dropped-delete", "stale-get-cache"};
  auto opened = stores::Open(*stores::FindStore(GetParam()), config, dir_.path());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto store = std::move(opened).value();
  Put(store.get(), "a", "1");
  std::string value;
  stores::Position at;
  ASSERT_TRUE(store->Get({}, "a", &value, &at).ok());
  Put(store.get(), "a", "2");
  ASSERT_TRUE(store->Get({}, "a", &value, &at).ok());
  EXPECT_EQ(value, "1");  // the stale cache
  Put(store.get(), "b", "1");
  const BatchEntry del{true, "b", ""};
  stores::SequenceNumber voided = 0;
  ASSERT_TRUE(store->Write(false, {&del, 1}, &voided).ok());
  auto it = store->NewIterator({});
  it->Seek("b");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");  // the delete was dropped
}

// Proves: every store keeps every file on the run's file system (the vstress engine natively,
// LevelDB through FileSystemEnv, RocksDB through EngineFileSystem). On a FaultFS over an in-memory
// file system, at a path that does not exist on disk, the store creates, flushes, reopens and reads
// back its data; nothing appears on disk; and FaultFS was asked about table appends and MANIFEST
// syncs, the points fs/ rules name.
TEST_P(StoreTest, EveryFileGoesThroughTheRunsFileSystem) {
  const stores::StoreKind* kind = stores::FindStore(GetParam());
  // Under / in the in-memory file system; a file that bypassed it would appear under / on disk.
  const std::string root = "/vstress-store-test-" + std::to_string(::getpid());
  const std::string path = root + "/db";
  auto fs = std::make_shared<faults::FaultFS>(engine::NewMemFileSystem());
  auto points = std::make_shared<std::map<std::string, int>>();
  auto mu = std::make_shared<std::mutex>();
  fs->SetDecider([points, mu](const std::string& point, const std::string&) {
    std::lock_guard<std::mutex> lock(*mu);
    (*points)[point]++;
    return std::optional<faults::Action>();
  });
  stores::StoreConfig config;
  config.engine.memtable_bytes = 16 << 10;
  config.engine.table_target_bytes = 16 << 10;
  config.file_system = fs;
  const std::string value(200, 'v');
  {
    ASSERT_TRUE(fs->CreateDirIfMissing(root).ok());
    auto opened = kind->open(config, path);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    for (int i = 0; i < 2000; i++) Put(opened.value().get(), vstress_test::Key(i), value);
    ASSERT_TRUE(opened.value()->WaitForBackgroundIdle().ok());
  }
  config.first_sequence = 2000;
  auto reopened = kind->open(config, path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  std::string read;
  stores::Position at;
  ASSERT_TRUE(reopened.value()->Get({}, vstress_test::Key(1999), &read, &at).ok());
  EXPECT_EQ(read, value);
  EXPECT_FALSE(std::filesystem::exists(root)) << GetParam() << " wrote to the real disk";
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  std::vector<std::string> names;
  ASSERT_TRUE(fs->GetChildren(path, &names).ok());
  EXPECT_NE(std::find(names.begin(), names.end(), "CURRENT"), names.end());
  std::lock_guard<std::mutex> lock(*mu);
  EXPECT_GT((*points)["fs/table/append"], 0) << GetParam();
  EXPECT_GT((*points)["fs/manifest/sync"], 0) << GetParam();
  EXPECT_GT((*points)["fs/wal/append"], 0) << GetParam();
}

// Proves: a store option that cannot run is refused naming it; engine mutants only where the
// store has them.
TEST(StoreSpecTest, BadStoreOptionsAreRefusedByName) {
  workloads::StoreSpec spec;
  workloads::EngineSpec engine;
  spec.name = "leveldb";
  EXPECT_TRUE(stores::CheckStoreSpec(spec, engine).ok());
  engine.mutations = {"iterator-no-pin"};
  EXPECT_NE(stores::CheckStoreSpec(spec, engine).message().find("engine.mutations"),
            std::string::npos);
  spec.name = "vstress";
  EXPECT_TRUE(stores::CheckStoreSpec(spec, engine).ok());
  spec.mutations = {"no-such-mutant"};
  EXPECT_NE(stores::CheckStoreSpec(spec, engine).message().find("no-such-mutant"),
            std::string::npos);
  spec.mutations = {};
  spec.wal_recovery_mode = "sometimes";
  EXPECT_NE(stores::CheckStoreSpec(spec, engine).message().find("store.wal_recovery_mode"),
            std::string::npos);
  spec.wal_recovery_mode = "absolute-consistency";
  spec.max_background_jobs = 0;
  EXPECT_NE(stores::CheckStoreSpec(spec, engine).message().find("store.max_background_jobs"),
            std::string::npos);
  spec.max_background_jobs = 2;
  spec.name = "no-such-store";
  EXPECT_NE(stores::CheckStoreSpec(spec, engine).message().find("no-such-store"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(EveryStore, StoreTest, ::testing::Values("vstress", "leveldb", "rocksdb"),
                         [](const auto& info) { return info.param; });

}  // namespace
