#include "table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dbformat.h"
#include "table_builder.h"
#include "table_format.h"

namespace engine {
namespace {

constexpr char kFileName[] = "000012.sst";

// Files over std::strings, so these tests do not depend on a FileSystem implementation.
class StringWritableFile final : public WritableFile {
 public:
  // Appends fail with IOError once `fail_after_bytes` bytes have been written.
  explicit StringWritableFile(size_t fail_after_bytes = SIZE_MAX)
      : fail_after_bytes_(fail_after_bytes) {}
  Status Append(std::string_view data) override {
    if (contents.size() + data.size() > fail_after_bytes_) return Status::IOError("disk full");
    contents.append(data);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }
  uint64_t Size() const override { return contents.size(); }

  std::string contents;

 private:
  const size_t fail_after_bytes_;
};

class StringRandomAccessFile final : public RandomAccessFile {
 public:
  StringRandomAccessFile(std::string contents, std::shared_ptr<std::atomic<int>> reads)
      : contents_(std::move(contents)), reads_(std::move(reads)) {}
  Status Read(uint64_t offset, size_t n, std::string* /*scratch*/,
              std::string_view* result) const override {
    if (reads_ != nullptr) reads_->fetch_add(1);
    *result = offset >= contents_.size() ? std::string_view()
                                         : std::string_view(contents_).substr(offset, n);
    return Status::Ok();
  }

 private:
  const std::string contents_;
  const std::shared_ptr<std::atomic<int>> reads_;
};

using Entries = std::vector<std::pair<std::string, std::string>>;

std::string UserKey(int i) {
  char key[32];
  std::snprintf(key, sizeof(key), "key%06d", i);
  return key;
}

// User keys 0, 2, 4, ... (odd ones are absent), each with 1-3 versions at descending sequences,
// plus `hot_versions` versions of user key 1001 so that one key spans several data blocks.
Entries MakeEntries(int user_keys, int hot_versions) {
  Entries entries;
  std::mt19937 rng(7);
  for (int i = 0; i < user_keys; i++) {
    const int versions = 1 + static_cast<int>(rng() % 3);
    for (int v = versions; v >= 1; v--) {
      const auto type = (rng() % 8 == 0) ? ValueType::kDeletion : ValueType::kValue;
      entries.emplace_back(MakeInternalKey(UserKey(i * 2), v * 10, type),
                           "v" + std::to_string(i) + "." + std::to_string(v));
    }
  }
  for (int v = hot_versions; v >= 1; v--) {
    entries.emplace_back(MakeInternalKey(UserKey(1001), v, ValueType::kValue),
                         "hot." + std::to_string(v));
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return InternalKeyLess()(a.first, b.first); });
  return entries;
}

TableOptions SmallBlocks() {
  TableOptions options;
  options.block_bytes = 256;
  options.block_restart_interval = 4;
  return options;
}

std::string BuildTable(const TableOptions& options, const Entries& entries) {
  StringWritableFile file;
  TableBuilder builder(options, &file);
  for (const auto& [key, value] : entries) builder.Add(key, value);
  EXPECT_TRUE(builder.Finish().ok());
  EXPECT_EQ(builder.FileSize(), file.contents.size());
  EXPECT_EQ(builder.NumEntries(), entries.size());
  return file.contents;
}

Result<std::shared_ptr<Table>> OpenTable(const TableOptions& options, std::string contents,
                                         std::shared_ptr<std::atomic<int>> reads = nullptr) {
  const uint64_t size = contents.size();
  return Table::Open(options, std::make_unique<StringRandomAccessFile>(std::move(contents), reads),
                     size, kFileName);
}

// The index entries (last key of each data block -> handle), decoded straight from the bytes.
std::vector<std::pair<std::string, BlockHandle>> IndexEntries(const std::string& contents) {
  Footer footer;
  EXPECT_TRUE(
      footer.DecodeFrom(std::string_view(contents).substr(contents.size() - kFooterBytes)).ok());
  StringRandomAccessFile file(contents, nullptr);
  std::string index_contents;
  EXPECT_TRUE(ReadBlock(file, footer.index_handle, true, kFileName, &index_contents).ok());
  auto index = NewBlockIterator(Block::Parse(std::move(index_contents)).value(), "");
  std::vector<std::pair<std::string, BlockHandle>> result;
  for (index->SeekToFirst(); index->Valid(); index->Next()) {
    BlockHandle handle;
    std::string_view encoded = index->value();
    EXPECT_TRUE(handle.DecodeFrom(&encoded));
    result.emplace_back(std::string(index->key()), handle);
  }
  return result;
}

// The model's answer to Get: the first entry >= target with target's user key, or null.
const std::pair<std::string, std::string>* ModelGet(const Entries& entries,
                                                    const std::string& target) {
  auto it = std::lower_bound(
      entries.begin(), entries.end(), target,
      [](const auto& e, const std::string& t) { return CompareInternalKeys(e.first, t) < 0; });
  if (it == entries.end() || ExtractUserKey(it->first) != ExtractUserKey(target)) return nullptr;
  return &*it;
}

bool MentionsFileAndOffset(const Status& s, uint64_t offset) {
  return s.message().find(kFileName) != std::string::npos &&
         s.message().find("offset " + std::to_string(offset)) != std::string::npos;
}

// Every entry comes back in order, the footer's entry count is right and all checksums verify.
TEST(TableTest, RoundTripManyKeys) {
  const Entries entries = MakeEntries(3000, 300);
  auto table = OpenTable(SmallBlocks(), BuildTable(SmallBlocks(), entries));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->NumEntries(), entries.size());
  auto it = (*table)->NewIterator();
  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    ASSERT_LT(i, entries.size());
    ASSERT_EQ(it->key(), entries[i].first);
    ASSERT_EQ(it->value(), entries[i].second);
  }
  EXPECT_EQ(i, entries.size());
  EXPECT_TRUE(it->status().ok());
  EXPECT_TRUE((*table)->VerifyChecksums().ok());
}

// Seek then Next/Prev agree with the model at every position, crossing block boundaries both ways,
// and a full reverse scan from SeekToLast returns every entry.
TEST(TableTest, SeekNextPrevAcrossBlockBoundaries) {
  const Entries entries = MakeEntries(500, 100);
  auto table = OpenTable(SmallBlocks(), BuildTable(SmallBlocks(), entries));
  ASSERT_TRUE(table.ok());
  ASSERT_GT(IndexEntries(BuildTable(SmallBlocks(), entries)).size(), 20u);
  auto it = (*table)->NewIterator();
  for (size_t i = 0; i < entries.size(); i++) {
    it->Seek(entries[i].first);
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), entries[i].first);
    it->Prev();
    ASSERT_EQ(it->Valid(), i > 0);
    if (i > 0) {
      ASSERT_EQ(it->key(), entries[i - 1].first);
    }
    it->Seek(entries[i].first);
    it->Next();
    ASSERT_EQ(it->Valid(), i + 1 < entries.size());
    if (i + 1 < entries.size()) {
      ASSERT_EQ(it->key(), entries[i + 1].first);
    }
  }
  size_t remaining = entries.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    ASSERT_GT(remaining, 0u);
    ASSERT_EQ(it->key(), entries[--remaining].first);
  }
  EXPECT_EQ(remaining, 0u);
  it->Seek(MakeInternalKey("zzz", 1, ValueType::kValue));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

// Get returns the newest version at or below the read sequence, including for a user key whose
// versions span several data blocks, and NotFound for absent keys or too-old sequences.
TEST(TableTest, GetFindsNewestVersionAtOrBelowSequence) {
  const Entries entries = MakeEntries(1000, 400);
  const std::string contents = BuildTable(SmallBlocks(), entries);
  auto table = OpenTable(SmallBlocks(), contents);
  ASSERT_TRUE(table.ok());
  std::vector<std::pair<int, SequenceNumber>> queries;
  for (SequenceNumber seq = 0; seq <= 405; seq++) queries.emplace_back(1001, seq);
  for (int i = 0; i < 2004; i++) {
    for (SequenceNumber seq : {0, 5, 10, 15, 20, 25, 30, 35, 1000}) queries.emplace_back(i, seq);
  }
  int found = 0;
  for (const auto& [key_index, seq] : queries) {
    const std::string target = MakeInternalKey(UserKey(key_index), seq, kValueTypeForSeek);
    std::string key, value;
    const Status s = (*table)->Get(target, &key, &value);
    const auto* expected = ModelGet(entries, target);
    if (expected == nullptr) {
      ASSERT_TRUE(s.IsNotFound()) << UserKey(key_index) << "@" << seq << ": " << s.ToString();
      continue;
    }
    ASSERT_TRUE(s.ok()) << UserKey(key_index) << "@" << seq << ": " << s.ToString();
    ASSERT_EQ(key, expected->first);
    ASSERT_EQ(value, expected->second);
    found++;
  }
  EXPECT_GT(found, 1000);
  // The 400 versions of the hot key really do span several blocks.
  int hot_blocks = 0;
  for (const auto& [last_key, handle] : IndexEntries(contents)) {
    hot_blocks += ExtractUserKey(last_key) == UserKey(1001) ? 1 : 0;
  }
  EXPECT_GE(hot_blocks, 3);
}

// With a bloom filter, Gets of absent user keys almost never read a data block.
TEST(TableTest, BloomFilterSkipsReadsOfAbsentKeys) {
  const Entries entries = MakeEntries(2000, 0);
  auto reads = std::make_shared<std::atomic<int>>(0);
  auto table = OpenTable(SmallBlocks(), BuildTable(SmallBlocks(), entries), reads);
  ASSERT_TRUE(table.ok());
  reads->store(0);
  constexpr int kQueries = 1000;
  for (int i = 0; i < kQueries; i++) {
    std::string key, value;
    const std::string target = MakeInternalKey(UserKey(i * 2 + 1), 100, kValueTypeForSeek);
    ASSERT_TRUE((*table)->Get(target, &key, &value).IsNotFound());
  }
  EXPECT_LT(reads->load(), kQueries / 20);  // ~1% false positives at 10 bits per key
  TableOptions no_filter = SmallBlocks();
  no_filter.bloom_bits_per_key = 0;
  auto unfiltered = OpenTable(no_filter, BuildTable(no_filter, entries));
  ASSERT_TRUE(unfiltered.ok());
  std::string key, value;
  EXPECT_TRUE(
      (*unfiltered)->Get(MakeInternalKey(UserKey(4), 100, kValueTypeForSeek), &key, &value).ok());
  EXPECT_TRUE((*unfiltered)
                  ->Get(MakeInternalKey(UserKey(5), 100, kValueTypeForSeek), &key, &value)
                  .IsNotFound());
}

// A flipped bit in a data block is Corruption naming the file and the block's offset, from Get,
// from an iterator and from VerifyChecksums.
TEST(TableTest, FlippedBitInDataBlockIsCorruptionNamingFileAndOffset) {
  const Entries entries = MakeEntries(500, 0);
  std::string contents = BuildTable(SmallBlocks(), entries);
  const auto index = IndexEntries(contents);
  ASSERT_GE(index.size(), 3u);
  const BlockHandle damaged = index[1].second;  // not the first block: the offset is not 0
  contents[damaged.offset + damaged.size_bytes / 2] ^= 0x10;
  auto table = OpenTable(SmallBlocks(), contents);
  ASSERT_TRUE(table.ok()) << "the index and filter are intact";

  std::string key, value;
  const Status get = (*table)->Get(index[1].first, &key, &value);
  EXPECT_TRUE(get.IsCorruption()) << get.ToString();
  EXPECT_TRUE(MentionsFileAndOffset(get, damaged.offset)) << get.ToString();
  EXPECT_NE(get.message().find("checksum mismatch"), std::string::npos) << get.ToString();
  EXPECT_TRUE((*table)->Get(index[0].first, &key, &value).ok()) << "other blocks still read";

  auto it = (*table)->NewIterator();
  size_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen++;
  EXPECT_LT(seen, entries.size());
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_TRUE(MentionsFileAndOffset(it->status(), damaged.offset)) << it->status().ToString();

  const Status verify = (*table)->VerifyChecksums();
  EXPECT_TRUE(verify.IsCorruption());
  EXPECT_TRUE(MentionsFileAndOffset(verify, damaged.offset)) << verify.ToString();
}

// A table cut short anywhere (down to nothing) fails Open with Corruption naming the file.
TEST(TableTest, TruncatedFileFailsOpen) {
  const std::string contents = BuildTable(SmallBlocks(), MakeEntries(200, 0));
  for (size_t size : {size_t{0}, size_t{10}, kFooterBytes - 1, contents.size() / 2,
                      contents.size() - kFooterBytes, contents.size() - 1}) {
    auto table = OpenTable(SmallBlocks(), contents.substr(0, size));
    ASSERT_FALSE(table.ok()) << size;
    EXPECT_TRUE(table.status().IsCorruption()) << table.status().ToString();
    EXPECT_NE(table.status().message().find(kFileName), std::string::npos)
        << table.status().ToString();
  }
}

// A wrong magic number fails Open with Corruption that says so and names the file.
TEST(TableTest, WrongMagicNumberFailsOpen) {
  std::string contents = BuildTable(SmallBlocks(), MakeEntries(50, 0));
  contents[contents.size() - 3] ^= 0x01;
  auto table = OpenTable(SmallBlocks(), contents);
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsCorruption());
  EXPECT_NE(table.status().message().find("magic"), std::string::npos);
  EXPECT_NE(table.status().message().find(kFileName), std::string::npos);
}

// Damage to the footer's handles or to the index block fails Open instead of misreading.
TEST(TableTest, DamagedFooterOrIndexFailsOpen) {
  const std::string contents = BuildTable(SmallBlocks(), MakeEntries(50, 0));
  std::string bad_footer = contents;
  bad_footer[contents.size() - kFooterBytes + 2] ^= 0x40;
  auto table = OpenTable(SmallBlocks(), bad_footer);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("footer checksum"), std::string::npos)
      << table.status().ToString();

  Footer footer;
  ASSERT_TRUE(
      footer.DecodeFrom(std::string_view(contents).substr(contents.size() - kFooterBytes)).ok());
  std::string bad_index = contents;
  bad_index[footer.index_handle.offset + 1] ^= 0x01;
  table = OpenTable(SmallBlocks(), bad_index);
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(MentionsFileAndOffset(table.status(), footer.index_handle.offset))
      << table.status().ToString();
}

// With checksums off, random damage to data blocks never crashes (run under ASan): every read
// returns ok or Corruption.
TEST(TableTest, UnverifiedDamageNeverCrashes) {
  TableOptions options = SmallBlocks();
  options.verify_checksums = false;
  const std::string contents = BuildTable(options, MakeEntries(300, 50));
  const uint64_t data_end = IndexEntries(contents).back().second.end_offset();
  std::mt19937 rng(99);
  for (int trial = 0; trial < 300; trial++) {
    std::string damaged = contents;
    for (int f = 0; f < 8; f++) damaged[rng() % data_end] = static_cast<char>(rng());
    auto table = OpenTable(options, damaged);
    ASSERT_TRUE(table.ok());
    auto it = (*table)->NewIterator();
    int steps = 0;
    for (it->SeekToLast(); it->Valid() && steps < 100000; it->Prev()) steps++;
    for (it->SeekToFirst(); it->Valid() && steps < 200000; it->Next()) steps++;
    ASSERT_LT(steps, 200000);
    EXPECT_TRUE(it->status().ok() || it->status().IsCorruption()) << it->status().ToString();
    std::string key, value;
    const Status s =
        (*table)->Get(MakeInternalKey(UserKey(300), 99, kValueTypeForSeek), &key, &value);
    EXPECT_TRUE(s.ok() || s.IsNotFound() || s.IsCorruption()) << s.ToString();
  }
}

// A table with no entries opens, iterates as empty and finds nothing.
TEST(TableTest, EmptyTable) {
  auto table = OpenTable(SmallBlocks(), BuildTable(SmallBlocks(), {}));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->NumEntries(), 0u);
  auto it = (*table)->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  std::string key, value;
  EXPECT_TRUE((*table)->Get(MakeInternalKey("a", 1, kValueTypeForSeek), &key, &value).IsNotFound());
  EXPECT_TRUE((*table)->VerifyChecksums().ok());
}

// An iterator keeps its Table alive after every other reference is dropped.
TEST(TableTest, IteratorOutlivesTableReference) {
  const Entries entries = MakeEntries(200, 0);
  auto table = OpenTable(SmallBlocks(), BuildTable(SmallBlocks(), entries));
  ASSERT_TRUE(table.ok());
  auto it = (*table)->NewIterator();
  table = Status::Corruption("drop the reference");
  size_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen++;
  EXPECT_EQ(seen, entries.size());
}

// Many threads reading one Table (Get and iterators) all see the right data.
TEST(TableTest, ConcurrentReadersAgree) {
  const Entries entries = MakeEntries(1000, 100);
  auto table = OpenTable(SmallBlocks(), BuildTable(SmallBlocks(), entries));
  ASSERT_TRUE(table.ok());
  std::shared_ptr<Table> shared = *table;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < entries.size(); i += 3) {
        std::string key, value;
        if (!shared->Get(entries[i].first, &key, &value).ok() || value != entries[i].second) {
          failures++;
        }
      }
      auto it = shared->NewIterator();
      size_t seen = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) seen++;
      if (seen != entries.size()) failures++;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// The builder keeps the first write error and reports only the bytes that made it to the file.
TEST(TableTest, BuilderKeepsFirstWriteError) {
  StringWritableFile file(/*fail_after_bytes=*/1000);
  TableBuilder builder(SmallBlocks(), &file);
  for (const auto& [key, value] : MakeEntries(500, 0)) builder.Add(key, value);
  EXPECT_TRUE(builder.status().IsIOError());
  EXPECT_TRUE(builder.Finish().IsIOError());
  EXPECT_EQ(builder.FileSize(), file.contents.size());
  EXPECT_LE(file.contents.size(), 1000u);
}

}  // namespace
}  // namespace engine
