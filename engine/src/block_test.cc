#include "block.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "block_builder.h"
#include "coding.h"
#include "dbformat.h"

namespace engine {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

// `count` entries with shared prefixes (so prefix compression is exercised), in sorted order.
Entries SortedEntries(int count) {
  Entries entries;
  for (int i = 0; i < count; i++) {
    char user_key[32];
    std::snprintf(user_key, sizeof(user_key), "user-key-%06d", i * 2);
    entries.emplace_back(MakeInternalKey(user_key, 100, ValueType::kValue),
                         "value-" + std::to_string(i));
  }
  return entries;
}

std::string BuildBlock(const Entries& entries, int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [key, value] : entries) builder.Add(key, value);
  return std::string(builder.Finish());
}

std::shared_ptr<const Block> ParseOrDie(std::string contents) {
  Result<std::shared_ptr<const Block>> block = Block::Parse(std::move(contents));
  EXPECT_TRUE(block.ok()) << block.status().ToString();
  return block.ok() ? block.value() : nullptr;
}

// Steps an iterator through at most `steps_max` entries each way, checking it never reports
// anything but ok or Corruption. The step bound makes a looping iterator fail instead of hang.
void DriveIterator(InternalIterator* it, const std::string& target) {
  constexpr int kStepsMax = 10000;
  int steps = 0;
  for (it->SeekToFirst(); it->Valid() && steps < kStepsMax; it->Next()) steps++;
  ASSERT_LT(steps, kStepsMax);
  steps = 0;
  for (it->SeekToLast(); it->Valid() && steps < kStepsMax; it->Prev()) steps++;
  ASSERT_LT(steps, kStepsMax);
  it->Seek(target);
  if (it->Valid()) it->Prev();
  const Status s = it->status();
  EXPECT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
}

// Forward iteration returns exactly the entries added, for several restart intervals.
TEST(BlockTest, RoundTripForwardAndBackward) {
  const Entries entries = SortedEntries(300);
  for (int restart_interval : {1, 2, 16, 1000}) {
    auto it = NewBlockIterator(ParseOrDie(BuildBlock(entries, restart_interval)), "");
    size_t i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
      ASSERT_LT(i, entries.size());
      EXPECT_EQ(it->key(), entries[i].first);
      EXPECT_EQ(it->value(), entries[i].second);
    }
    EXPECT_EQ(i, entries.size());
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      ASSERT_GT(i, 0u);
      i--;
      EXPECT_EQ(it->key(), entries[i].first);
    }
    EXPECT_EQ(i, 0u);
    EXPECT_TRUE(it->status().ok());
  }
}

// Seek lands on the first key >= target: exact hits, gaps between keys, and past the end.
TEST(BlockTest, SeekFindsFirstKeyAtOrAfterTarget) {
  const Entries entries = SortedEntries(100);
  auto it = NewBlockIterator(ParseOrDie(BuildBlock(entries, 4)), "");
  for (size_t i = 0; i < entries.size(); i++) {
    it->Seek(entries[i].first);
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), entries[i].first);
    // user-key-(2i+1) lies strictly between entries i and i+1.
    char between[32];
    std::snprintf(between, sizeof(between), "user-key-%06zu", i * 2 + 1);
    it->Seek(MakeInternalKey(between, 100, ValueType::kValue));
    if (i + 1 < entries.size()) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), entries[i + 1].first);
    } else {
      EXPECT_FALSE(it->Valid());
    }
  }
  it->Seek(MakeInternalKey("a", 1, ValueType::kValue));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), entries[0].first);
  EXPECT_TRUE(it->status().ok());
}

// Seek orders versions of one user key newest first: (k, 50) lands on the version at seq 50 or
// the next older one.
TEST(BlockTest, SeekRespectsSequenceOrder) {
  Entries entries;
  for (SequenceNumber seq = 100; seq >= 10; seq -= 10) {
    entries.emplace_back(MakeInternalKey("k", seq, ValueType::kValue), std::to_string(seq));
  }
  auto it = NewBlockIterator(ParseOrDie(BuildBlock(entries, 3)), "");
  it->Seek(MakeInternalKey("k", 55, kValueTypeForSeek));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "50");
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "60");
  it->Seek(MakeInternalKey("k", 5, kValueTypeForSeek));
  EXPECT_FALSE(it->Valid());
}

// A block with no entries parses and yields an invalid iterator with an ok status.
TEST(BlockTest, EmptyBlock) {
  auto it = NewBlockIterator(ParseOrDie(BuildBlock({}, 16)), "");
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(MakeInternalKey("x", 1, ValueType::kValue));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

// Parse rejects blocks whose restart array cannot be right.
TEST(BlockTest, ParseRejectsBadRestartArrays) {
  EXPECT_TRUE(Block::Parse("").status().IsCorruption());
  EXPECT_TRUE(Block::Parse("abc").status().IsCorruption());
  std::string zero_restarts;
  PutFixed32(&zero_restarts, 0);
  EXPECT_TRUE(Block::Parse(zero_restarts).status().IsCorruption());
  std::string too_many = BuildBlock(SortedEntries(5), 2);
  EncodeFixed32(too_many.data() + too_many.size() - 4, 1000000);
  EXPECT_TRUE(Block::Parse(too_many).status().IsCorruption());
  // Restart offsets past the entries, or not increasing.
  std::string bad_offset = BuildBlock(SortedEntries(5), 2);
  EncodeFixed32(bad_offset.data() + bad_offset.size() - 8, 0xfffffff0u);
  EXPECT_TRUE(Block::Parse(bad_offset).status().IsCorruption());
}

// An entry whose lengths run past the block is Corruption carrying the error context.
TEST(BlockTest, MalformedEntryIsCorruptionWithContext) {
  std::string block;
  PutVarint32(&block, 0);    // shared
  PutVarint32(&block, 200);  // unshared: more bytes than the block holds
  PutVarint32(&block, 1);    // value
  block += "short-key-bytes!";
  PutFixed32(&block, 0);  // restart 0
  PutFixed32(&block, 1);  // one restart
  auto it = NewBlockIterator(ParseOrDie(block), "000007.sst: block at offset 512");
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  ASSERT_TRUE(it->status().IsCorruption());
  EXPECT_NE(it->status().message().find("000007.sst: block at offset 512"), std::string::npos)
      << it->status().message();
}

// A key shorter than the 8-byte tag is Corruption (comparing it would read out of bounds).
TEST(BlockTest, KeyShorterThanTagIsCorruption) {
  BlockBuilder builder(16);
  builder.Add("abc", "v");
  auto it = NewBlockIterator(ParseOrDie(std::string(builder.Finish())), "");
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  it->Seek(MakeInternalKey("a", 1, ValueType::kValue));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

// Random byte damage and truncation never crash or read out of bounds (run under ASan) and only
// ever surface as Corruption.
TEST(BlockTest, DamagedBlocksNeverCrash) {
  const std::string good = BuildBlock(SortedEntries(60), 4);
  const std::string target = MakeInternalKey("user-key-000031", 100, ValueType::kValue);
  std::mt19937 rng(301);
  for (int trial = 0; trial < 3000; trial++) {
    std::string damaged = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; f++) {
      damaged[rng() % damaged.size()] = static_cast<char>(rng());
    }
    if (trial % 3 == 0) damaged.resize(rng() % damaged.size());
    Result<std::shared_ptr<const Block>> block = Block::Parse(std::move(damaged));
    if (!block.ok()) {
      EXPECT_TRUE(block.status().IsCorruption());
      continue;
    }
    auto it = NewBlockIterator(block.value(), "ctx");
    DriveIterator(it.get(), target);
  }
}

}  // namespace
}  // namespace engine
