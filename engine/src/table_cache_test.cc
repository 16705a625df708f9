#include "table_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "dbformat.h"
#include "engine/file_system.h"
#include "file_names.h"
#include "table_builder.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>
#include <fiu.h>
#endif

namespace engine {
namespace {

constexpr char kDbPath[] = "/db";
constexpr int kEntriesPerTable = 500;

std::string TableKey(int i) { return "key" + std::to_string(100000 + i); }

// Writes table `number` into `dir`, holding kEntriesPerTable keys each with the value
// "table<number>", and returns its size in bytes.
uint64_t WriteTableTo(FileSystem* fs, const std::string& dir, uint64_t number) {
  auto file = fs->NewWritableFile(TableFileName(dir, number));
  EXPECT_TRUE(file.ok());
  TableOptions options;
  options.block_bytes = 512;
  TableBuilder builder(options, file->get());
  for (int i = 0; i < kEntriesPerTable; i++) {
    builder.Add(MakeInternalKey(TableKey(i), number, ValueType::kValue),
                "table" + std::to_string(number));
  }
  EXPECT_TRUE(builder.Finish().ok());
  EXPECT_TRUE((*file)->Close().ok());
  return builder.FileSize();
}

class TableCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_->CreateDirIfMissing(kDbPath).ok()); }

  uint64_t WriteTable(uint64_t number) { return WriteTableTo(fs_.get(), kDbPath, number); }

  std::shared_ptr<FileSystem> fs_ = NewMemFileSystem();
};

// A second FindTable is served from the cache: the same Table object comes back.
TEST_F(TableCacheTest, FindTableCachesOpenTables) {
  const uint64_t size = WriteTable(5);
  TableCache cache(kDbPath, fs_.get(), TableOptions(), 16);
  auto first = cache.FindTable(5, size);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = cache.FindTable(5, size);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first.value(), second.value());
  EXPECT_EQ(cache.Size(), 1u);
  std::string key, value;
  ASSERT_TRUE(
      cache.Get(5, size, MakeInternalKey(TableKey(7), 100, kValueTypeForSeek), &key, &value).ok());
  EXPECT_EQ(value, "table5");
}

// The cache never holds more than entries_max tables; the least recently used one goes first.
TEST_F(TableCacheTest, LruBoundEvictsLeastRecentlyUsed) {
  std::vector<uint64_t> sizes;
  for (uint64_t n = 1; n <= 3; n++) sizes.push_back(WriteTable(n));
  TableCache cache(kDbPath, fs_.get(), TableOptions(), 2);
  auto table1 = cache.FindTable(1, sizes[0]);
  ASSERT_TRUE(table1.ok());
  ASSERT_TRUE(cache.FindTable(2, sizes[1]).ok());
  ASSERT_TRUE(cache.FindTable(1, sizes[0]).ok());  // 1 is now more recent than 2
  ASSERT_TRUE(cache.FindTable(3, sizes[2]).ok());  // evicts 2
  EXPECT_EQ(cache.Size(), 2u);
  auto again1 = cache.FindTable(1, sizes[0]);
  ASSERT_TRUE(again1.ok());
  EXPECT_EQ(table1.value(), again1.value()) << "table 1 should have stayed cached";
}

// Evicting a table while an iterator over it is open leaves the iterator fully usable.
TEST_F(TableCacheTest, EvictionWhileIteratingKeepsIteratorWorking) {
  const uint64_t size = WriteTable(9);
  TableCache cache(kDbPath, fs_.get(), TableOptions(), 16);
  auto it = cache.NewIterator(9, size);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  cache.Evict(9);
  EXPECT_EQ(cache.Size(), 0u);
  int seen = 1;
  for (it->Next(); it->Valid(); it->Next()) seen++;
  EXPECT_EQ(seen, kEntriesPerTable);
  EXPECT_TRUE(it->status().ok());
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(ExtractUserKey(it->key()), TableKey(kEntriesPerTable - 1));
}

// On the POSIX file system a table is memory-mapped and its data blocks are read in place. An
// iterator keeps reading them after the table is evicted, its file deleted and the cache itself
// destroyed (under ASan, a block outliving its mapping would fault).
TEST(TableCachePosixTest, MappedBlocksOutliveEvictionDeletionAndCache) {
  std::string dir_template = testing::TempDir() + "engine_table_cache_test_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr) << std::strerror(errno);
  const std::string dir = dir_template;
  std::shared_ptr<FileSystem> fs = NewPosixFileSystem();
  const uint64_t size = WriteTableTo(fs.get(), dir, 7);
  constexpr int kFirst = 250;
  std::unique_ptr<InternalIterator> it;
  {
    TableCache cache(dir, fs.get(), TableOptions(), 16);
    std::string key, value;
    ASSERT_TRUE(
        cache.Get(7, size, MakeInternalKey(TableKey(3), 100, kValueTypeForSeek), &key, &value)
            .ok());
    EXPECT_EQ(ExtractUserKey(key), TableKey(3));
    EXPECT_EQ(value, "table7");
    it = cache.NewIterator(7, size);
    it->Seek(MakeInternalKey(TableKey(kFirst), 100, kValueTypeForSeek));
    ASSERT_TRUE(it->Valid()) << it->status().ToString();
    cache.Evict(7);
  }
  ASSERT_TRUE(fs->DeleteFile(TableFileName(dir, 7)).ok());
  EXPECT_EQ(ExtractUserKey(it->key()), TableKey(kFirst));
  int seen = 0;
  for (; it->Valid(); it->Next()) {
    EXPECT_EQ(it->value(), "table7");
    seen++;
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(seen, kEntriesPerTable - kFirst);
  it.reset();
  std::filesystem::remove_all(dir);
}

// A missing table file gives an error iterator and an error from Get, and nothing is cached.
TEST_F(TableCacheTest, MissingFileIsAnError) {
  TableCache cache(kDbPath, fs_.get(), TableOptions(), 16);
  auto it = cache.NewIterator(42, 1000);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_FALSE(it->status().ok());
  std::string key, value;
  EXPECT_FALSE(cache.Get(42, 1000, MakeInternalKey("a", 1, kValueTypeForSeek), &key, &value).ok());
  EXPECT_EQ(cache.Size(), 0u);
}

// A wrong file size (as from a damaged MANIFEST) is Corruption naming the table.
TEST_F(TableCacheTest, WrongFileSizeIsCorruptionNamingTable) {
  const uint64_t size = WriteTable(12);
  TableCache cache(kDbPath, fs_.get(), TableOptions(), 16);
  auto table = cache.FindTable(12, size - 1);
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsCorruption()) << table.status().ToString();
  EXPECT_NE(table.status().message().find(TableBaseName(12)), std::string::npos);
}

// Threads racing to open one table all end up with the single cached instance.
TEST_F(TableCacheTest, ConcurrentOpensKeepOneTable) {
  const uint64_t size = WriteTable(3);
  TableCache cache(kDbPath, fs_.get(), TableOptions(), 16);
  constexpr int kThreads = 8;
  std::vector<std::shared_ptr<Table>> found(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      auto table = cache.FindTable(3, size);
      if (table.ok()) found[t] = table.value();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& table : found) {
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table, found[0]);
  }
  EXPECT_EQ(cache.Size(), 1u);
}

// The "engine/table/open" fault point fails a cache miss with an injected error, and only a miss.
TEST_F(TableCacheTest, OpenFaultPointInjectsFailure) {
#ifndef FIU_ENABLE
  GTEST_SKIP() << "fault points are compiled out";
#else
  const uint64_t size = WriteTable(4);
  const uint64_t other_size = WriteTable(6);
  TableCache cache(kDbPath, fs_.get(), TableOptions(), 16);
  ASSERT_TRUE(cache.FindTable(6, other_size).ok());
  fiu_init(0);
  ASSERT_EQ(fiu_enable("engine/table/open", EIO, nullptr, 0), 0);
  auto failed = cache.FindTable(4, size);
  const bool cached_still_ok = cache.FindTable(6, other_size).ok();
  fiu_disable("engine/table/open");
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsIOError());
  EXPECT_TRUE(failed.status().injected());
  EXPECT_TRUE(cached_still_ok) << "a cache hit must not pass through the fault point";
  EXPECT_TRUE(cache.FindTable(4, size).ok());
#endif
}

}  // namespace
}  // namespace engine
