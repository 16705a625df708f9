#include "skiplist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "arena.h"

namespace engine {
namespace {

struct U64Comparator {
  int operator()(const uint64_t& a, const uint64_t& b) const {
    if (a < b) return -1;
    if (a > b) return 1;
    return 0;
  }
};
using U64List = SkipList<uint64_t, U64Comparator>;

// Forward iteration from SeekToFirst returns exactly `expected`, in order.
void ExpectForwardScan(const U64List& list, const std::set<uint64_t>& expected) {
  U64List::Iterator iter(&list);
  iter.SeekToFirst();
  for (uint64_t key : expected) {
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(key, iter.key());
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());
}

// Backward iteration from SeekToLast returns exactly `expected`, in reverse order.
void ExpectBackwardScan(const U64List& list, const std::set<uint64_t>& expected) {
  U64List::Iterator iter(&list);
  iter.SeekToLast();
  for (auto it = expected.rbegin(); it != expected.rend(); ++it) {
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(*it, iter.key());
    iter.Prev();
  }
  EXPECT_FALSE(iter.Valid());
}

// An empty list contains nothing and its iterators are never valid.
TEST(SkipListTest, EmptyListHasNoEntries) {
  Arena arena;
  U64List list(U64Comparator{}, &arena);
  EXPECT_FALSE(list.Contains(10));
  U64List::Iterator iter(&list);
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(100);
  EXPECT_FALSE(iter.Valid());
}

// Random inserts are all found, absent keys are not, and both scan directions are sorted.
TEST(SkipListTest, InsertLookupAndOrder) {
  constexpr int kInserts = 2000;
  constexpr uint64_t kKeyRange = 5000;
  std::mt19937_64 random(301);
  Arena arena;
  U64List list(U64Comparator{}, &arena);
  std::set<uint64_t> model;
  for (int i = 0; i < kInserts; i++) {
    const uint64_t key = random() % kKeyRange;
    if (model.insert(key).second) list.Insert(key);
  }
  for (uint64_t key = 0; key < kKeyRange; key++) {
    EXPECT_EQ(model.count(key) == 1, list.Contains(key)) << key;
  }
  ExpectForwardScan(list, model);
  ExpectBackwardScan(list, model);
}

// Seek lands on the first key >= target, and Next/Prev from there follow the model.
TEST(SkipListTest, SeekThenStep) {
  Arena arena;
  U64List list(U64Comparator{}, &arena);
  std::set<uint64_t> model;
  for (uint64_t key = 10; key <= 1000; key += 10) {
    list.Insert(key);
    model.insert(key);
  }
  U64List::Iterator iter(&list);
  for (uint64_t target = 0; target <= 1010; target += 3) {
    iter.Seek(target);
    auto expected = model.lower_bound(target);
    if (expected == model.end()) {
      EXPECT_FALSE(iter.Valid());
      continue;
    }
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(*expected, iter.key());
    iter.Prev();
    if (expected == model.begin()) {
      EXPECT_FALSE(iter.Valid());
    } else {
      ASSERT_TRUE(iter.Valid());
      EXPECT_EQ(*std::prev(expected), iter.key());
      iter.Next();
      EXPECT_EQ(*expected, iter.key());
    }
  }
}

// The arena's usage grows with inserts, so memtables can tell when they are full.
TEST(SkipListTest, ArenaUsageGrowsWithInserts) {
  Arena arena;
  U64List list(U64Comparator{}, &arena);
  const size_t before = arena.MemoryUsage();
  for (uint64_t key = 0; key < 10000; key++) list.Insert(key);
  EXPECT_GT(arena.MemoryUsage(), before + 10000 * sizeof(uint64_t));
}

// Shared state for the concurrent test. The writer inserts keys in insert order and publishes how
// many it has inserted. Keys are even, so odd seek targets fall strictly between keys.
class ConcurrentState {
 public:
  ConcurrentState(size_t key_count, uint64_t seed) {
    std::mt19937_64 random(seed);
    std::set<uint64_t> seen;
    while (insert_order_.size() < key_count) {
      const uint64_t key = random() & ~uint64_t{1};
      if (seen.insert(key).second) insert_order_.push_back(key);
    }
    for (size_t i = 0; i < insert_order_.size(); i++) sorted_.emplace_back(insert_order_[i], i);
    std::sort(sorted_.begin(), sorted_.end());
  }
  const std::vector<uint64_t>& insert_order() const { return insert_order_; }

  // Passes if `key` is one the writer inserts.
  ::testing::AssertionResult IsWriterKey(uint64_t key) const {
    auto it = std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(key, size_t{0}));
    if (it != sorted_.end() && it->first == key) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "reader saw a key that was never inserted: " << key;
  }

  // Passes if no key strictly between `low` and `high` (nullopt: unbounded) was among the first
  // `inserted_before` inserts: a reader that saw `low` and `high` adjacent missed none of them.
  ::testing::AssertionResult NoneMissedBetween(std::optional<uint64_t> low,
                                               std::optional<uint64_t> high,
                                               size_t inserted_before) const {
    auto first =
        low ? std::upper_bound(sorted_.begin(), sorted_.end(), std::make_pair(*low, SIZE_MAX))
            : sorted_.begin();
    auto last =
        high ? std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(*high, size_t{0}))
             : sorted_.end();
    for (auto it = first; it < last; ++it) {
      if (it->second < inserted_before) {
        return ::testing::AssertionFailure() << "reader missed key " << it->first;
      }
    }
    return ::testing::AssertionSuccess();
  }

  std::atomic<size_t> inserted{0};  // insert_order()[0..inserted) are in the list.
  std::atomic<int> readers_started{0};
  std::atomic<bool> done{false};

 private:
  std::vector<uint64_t> insert_order_;
  std::vector<std::pair<uint64_t, size_t>> sorted_;  // (key, insert index), by key.
};

constexpr int kWalkSteps = 32;

// Seeks to an odd `target` and walks forward: keys are real, ascending, with no gap.
void ForwardWalk(const U64List& list, const ConcurrentState& state, uint64_t target) {
  const size_t inserted_before = state.inserted.load(std::memory_order_acquire);
  U64List::Iterator iter(&list);
  iter.Seek(target);
  uint64_t low = target;
  for (int step = 0; step < kWalkSteps; step++, iter.Next()) {
    if (!iter.Valid()) {
      ASSERT_TRUE(state.NoneMissedBetween(low, std::nullopt, inserted_before));
      return;
    }
    const uint64_t key = iter.key();
    ASSERT_TRUE(state.IsWriterKey(key));
    ASSERT_LT(low, key);
    ASSERT_TRUE(state.NoneMissedBetween(low, key, inserted_before));
    low = key;
  }
}

// Seeks to an odd `target` (or the end) and walks backward: keys are real, descending, no gap.
void BackwardWalk(const U64List& list, const ConcurrentState& state, uint64_t target) {
  const size_t inserted_before = state.inserted.load(std::memory_order_acquire);
  U64List::Iterator iter(&list);
  iter.Seek(target);
  std::optional<uint64_t> high;  // The key last seen; unbounded until there is one.
  if (iter.Valid()) {
    ASSERT_TRUE(state.IsWriterKey(iter.key()));
    ASSERT_TRUE(state.NoneMissedBetween(target, iter.key(), inserted_before));
    high = iter.key();
    iter.Prev();
  } else {
    iter.SeekToLast();
  }
  for (int step = 0; step < kWalkSteps; step++, iter.Prev()) {
    if (!iter.Valid()) {
      ASSERT_TRUE(state.NoneMissedBetween(std::nullopt, high, inserted_before));
      return;
    }
    const uint64_t key = iter.key();
    ASSERT_TRUE(state.IsWriterKey(key));
    if (high) {
      ASSERT_LT(key, *high);
    }
    ASSERT_TRUE(state.NoneMissedBetween(key, high, inserted_before));
    high = key;
  }
}

void ReaderLoop(const U64List& list, ConcurrentState* state, int reader_id) {
  std::mt19937_64 random(1000 + reader_id);
  state->readers_started.fetch_add(1);
  // One more walk after the writer finishes, so every reader also checks the complete list.
  bool last = false;
  for (uint64_t walk = 0; !last && !::testing::Test::HasFatalFailure(); walk++) {
    last = state->done.load(std::memory_order_acquire);
    const uint64_t target = random() | 1;
    if (walk % 2 == 0) {
      ForwardWalk(list, *state, target);
    } else {
      BackwardWalk(list, *state, target);
    }
  }
}

// With one writer and several lock-free readers, readers only see inserted keys, in order, and
// never miss a key inserted before their walk began. Meant to run under ThreadSanitizer too.
TEST(SkipListTest, ConcurrentReadersSeeConsistentList) {
  constexpr size_t kKeys = 20000;
  constexpr int kReaders = 3;
  constexpr size_t kInsertsPerYield = 64;
  ConcurrentState state(kKeys, 42);
  Arena arena;
  U64List list(U64Comparator{}, &arena);

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; r++) {
    readers.emplace_back([&list, &state, r] { ReaderLoop(list, &state, r); });
  }
  // Start writing only once every reader runs, so reads overlap the inserts.
  while (state.readers_started.load() < kReaders) std::this_thread::yield();
  for (size_t i = 0; i < state.insert_order().size(); i++) {
    list.Insert(state.insert_order()[i]);
    state.inserted.store(i + 1, std::memory_order_release);
    // On a loaded machine the writer could otherwise finish within one time slice, unobserved.
    if (i % kInsertsPerYield == 0) std::this_thread::yield();
  }
  state.done.store(true, std::memory_order_release);
  for (auto& reader : readers) reader.join();

  std::set<uint64_t> all(state.insert_order().begin(), state.insert_order().end());
  ExpectForwardScan(list, all);
}

}  // namespace
}  // namespace engine
