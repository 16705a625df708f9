#include "memtable.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dbformat.h"

namespace engine {
namespace {

// Owns one reference to a memtable for the length of a test.
class MemTableRef {
 public:
  MemTableRef() : memtable_(new MemTable) { memtable_->Ref(); }
  ~MemTableRef() { memtable_->Unref(); }
  MemTable* operator->() const { return memtable_; }
  MemTable* get() const { return memtable_; }

 private:
  MemTable* memtable_;
};

// What Get returned, flattened for comparisons.
struct Lookup {
  bool found = false;
  bool deleted = false;
  std::string value;
  SequenceNumber sequence = 0;
};

Lookup Get(const MemTable* memtable, std::string_view key, SequenceNumber seq) {
  Lookup result;
  result.found =
      memtable->Get(LookupKey(key, seq), &result.value, &result.deleted, &result.sequence);
  return result;
}

void ExpectValue(const Lookup& lookup, std::string_view value, SequenceNumber sequence) {
  EXPECT_TRUE(lookup.found);
  EXPECT_FALSE(lookup.deleted);
  EXPECT_EQ(value, lookup.value);
  EXPECT_EQ(sequence, lookup.sequence);
}

void ExpectDeleted(const Lookup& lookup, SequenceNumber sequence) {
  EXPECT_TRUE(lookup.found);
  EXPECT_TRUE(lookup.deleted);
  EXPECT_EQ(sequence, lookup.sequence);
}

// A fresh memtable finds nothing and has no entries.
TEST(MemTableTest, EmptyFindsNothing) {
  MemTableRef mem;
  EXPECT_FALSE(Get(mem.get(), "a", kMaxSequenceNumber).found);
  EXPECT_EQ(0u, mem->NumEntries());
  auto iter = mem->NewIterator();
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().ok());
}

// Get returns the newest version at or below the read sequence: overwrites, tombstones, and keys
// written only after the read sequence are handled.
TEST(MemTableTest, GetHonorsSequence) {
  MemTableRef mem;
  mem->Add(1, ValueType::kValue, "k", "v1");
  mem->Add(3, ValueType::kValue, "k", "v3");
  mem->Add(5, ValueType::kDeletion, "k", "");
  mem->Add(7, ValueType::kValue, "k", "v7");
  mem->Add(2, ValueType::kValue, "j", "j2");  // Neighbours must not leak into "k" lookups.
  mem->Add(4, ValueType::kValue, "l", "l4");
  mem->Add(6, ValueType::kValue, "later", "x");

  EXPECT_FALSE(Get(mem.get(), "k", 0).found);
  ExpectValue(Get(mem.get(), "k", 1), "v1", 1);
  ExpectValue(Get(mem.get(), "k", 2), "v1", 1);
  ExpectValue(Get(mem.get(), "k", 3), "v3", 3);
  ExpectValue(Get(mem.get(), "k", 4), "v3", 3);
  ExpectDeleted(Get(mem.get(), "k", 5), 5);
  ExpectDeleted(Get(mem.get(), "k", 6), 5);
  ExpectValue(Get(mem.get(), "k", 7), "v7", 7);
  ExpectValue(Get(mem.get(), "k", kMaxSequenceNumber), "v7", 7);
  EXPECT_FALSE(Get(mem.get(), "later", 5).found);
  ExpectValue(Get(mem.get(), "later", 6), "x", 6);
  EXPECT_FALSE(Get(mem.get(), "kk", kMaxSequenceNumber).found);
  EXPECT_FALSE(Get(mem.get(), "", kMaxSequenceNumber).found);
  EXPECT_EQ(7u, mem->NumEntries());
}

// Empty keys and values, and values larger than an arena block, are stored intact.
TEST(MemTableTest, EmptyAndLargeEntries) {
  MemTableRef mem;
  const std::string big(3 * Arena::kBlockBytes + 17, 'b');
  mem->Add(1, ValueType::kValue, "", "empty-key");
  mem->Add(2, ValueType::kValue, "empty-value", "");
  mem->Add(3, ValueType::kValue, "big", big);
  ExpectValue(Get(mem.get(), "", 10), "empty-key", 1);
  ExpectValue(Get(mem.get(), "empty-value", 10), "", 2);
  ExpectValue(Get(mem.get(), "big", 10), big, 3);
  EXPECT_GE(mem->ApproximateMemoryUsage(), big.size());
}

// Keys on both sides of LookupKey's inline buffer (and keys whose length needs a two-byte varint)
// are found, and only at their own sequences.
TEST(MemTableTest, ShortAndLongKeysAreFound) {
  MemTableRef mem;
  std::vector<std::string> keys;
  for (size_t bytes :
       {size_t{1}, size_t{100}, size_t{119}, size_t{120}, size_t{127}, size_t{300}, size_t{5000}}) {
    keys.push_back(std::string(bytes, 'k'));
  }
  for (size_t i = 0; i < keys.size(); i++) {
    mem->Add(10 + i, ValueType::kValue, keys[i], "v" + std::to_string(i));
  }
  for (size_t i = 0; i < keys.size(); i++) {
    SCOPED_TRACE(keys[i].size());
    ExpectValue(Get(mem.get(), keys[i], kMaxSequenceNumber), "v" + std::to_string(i), 10 + i);
    EXPECT_FALSE(Get(mem.get(), keys[i], 9 + i).found);
    EXPECT_FALSE(Get(mem.get(), keys[i] + "x", kMaxSequenceNumber).found);
  }
}

// The iterator walks internal-key order (user key ascending, sequence descending) both ways, and
// Seek to (key, seq) lands on the newest entry of key visible at seq.
TEST(MemTableTest, IteratorOrderAndSeek) {
  MemTableRef mem;
  mem->Add(2, ValueType::kValue, "b", "b2");
  mem->Add(1, ValueType::kValue, "a", "a1");
  mem->Add(4, ValueType::kDeletion, "b", "");
  mem->Add(3, ValueType::kValue, "c", "c3");
  mem->Add(5, ValueType::kValue, "a", "a5");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {MakeInternalKey("a", 5, ValueType::kValue), "a5"},
      {MakeInternalKey("a", 1, ValueType::kValue), "a1"},
      {MakeInternalKey("b", 4, ValueType::kDeletion), ""},
      {MakeInternalKey("b", 2, ValueType::kValue), "b2"},
      {MakeInternalKey("c", 3, ValueType::kValue), "c3"},
  };
  auto iter = mem->NewIterator();
  iter->SeekToFirst();
  for (const auto& [key, value] : expected) {
    ASSERT_TRUE(iter->Valid());
    EXPECT_EQ(key, iter->key());
    EXPECT_EQ(value, iter->value());
    iter->Next();
  }
  EXPECT_FALSE(iter->Valid());
  iter->SeekToLast();
  for (auto it = expected.rbegin(); it != expected.rend(); ++it) {
    ASSERT_TRUE(iter->Valid());
    EXPECT_EQ(it->first, iter->key());
    iter->Prev();
  }
  EXPECT_FALSE(iter->Valid());

  iter->Seek(MakeInternalKey("b", 3, kValueTypeForSeek));
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(expected[3].first, iter->key());
  iter->Seek(MakeInternalKey("bb", kMaxSequenceNumber, kValueTypeForSeek));
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(expected[4].first, iter->key());
  iter->Seek(MakeInternalKey("d", kMaxSequenceNumber, kValueTypeForSeek));
  EXPECT_FALSE(iter->Valid());
}

// An iterator keeps its memtable alive after the creator's last Unref (ASan proves no
// use-after-free and no leak).
TEST(MemTableTest, IteratorHoldsReference) {
  auto* mem = new MemTable;
  mem->Ref();
  mem->Add(1, ValueType::kValue, "k", "v");
  auto iter = mem->NewIterator();
  mem->Unref();  // The iterator's reference is now the only one.
  iter->SeekToFirst();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ("v", iter->value());
  iter.reset();  // Deletes the memtable.
}

// Memory usage grows with data, so the DB can decide when to switch memtables.
TEST(MemTableTest, MemoryUsageGrows) {
  MemTableRef mem;
  const size_t before = mem->ApproximateMemoryUsage();
  const std::string value(100, 'v');
  for (int i = 0; i < 1000; i++) {
    mem->Add(i + 1, ValueType::kValue, "key" + std::to_string(i), value);
  }
  EXPECT_GE(mem->ApproximateMemoryUsage(), before + 1000 * value.size());
  EXPECT_EQ(1000u, mem->NumEntries());
}

// Readers calling Get concurrently with one writer find every key published before the call,
// with the right value. Meant to run under ThreadSanitizer too.
TEST(MemTableTest, ConcurrentGetWithWriter) {
  constexpr int kKeys = 5000;
  constexpr int kReaders = 2;
  MemTableRef mem;
  std::atomic<int> published{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; r++) {
    readers.emplace_back([&mem, &published, r] {
      std::mt19937 random(r);
      while (published.load(std::memory_order_acquire) < kKeys) {
        const int count = published.load(std::memory_order_acquire);
        if (count == 0) {
          std::this_thread::yield();
          continue;
        }
        const int i = static_cast<int>(random() % static_cast<unsigned>(count));
        const Lookup lookup = Get(mem.get(), "key" + std::to_string(i), kMaxSequenceNumber);
        ASSERT_TRUE(lookup.found) << i;
        ASSERT_EQ("value" + std::to_string(i), lookup.value);
      }
    });
  }
  for (int i = 0; i < kKeys; i++) {
    mem->Add(i + 1, ValueType::kValue, "key" + std::to_string(i), "value" + std::to_string(i));
    published.store(i + 1, std::memory_order_release);
  }
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(static_cast<uint64_t>(kKeys), mem->NumEntries());
}

}  // namespace
}  // namespace engine
