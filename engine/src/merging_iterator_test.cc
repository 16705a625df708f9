#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "dbformat.h"
#include "internal_iterator.h"

namespace engine {
namespace {

using Entry = std::pair<std::string, std::string>;  // (internal key, value)

bool EntryLess(const Entry& a, const Entry& b) { return CompareInternalKeys(a.first, b.first) < 0; }

// A child over a sorted vector; it may hold equal keys, kept in their vector order.
class VectorIterator final : public InternalIterator {
 public:
  explicit VectorIterator(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  bool Valid() const override { return position_ < entries_.size(); }
  void SeekToFirst() override { position_ = 0; }
  void SeekToLast() override {
    position_ = entries_.empty() ? entries_.size() : entries_.size() - 1;
  }
  void Seek(std::string_view target) override {
    auto it = std::lower_bound(
        entries_.begin(), entries_.end(), target,
        [](const Entry& e, std::string_view t) { return CompareInternalKeys(e.first, t) < 0; });
    position_ = it - entries_.begin();
  }
  void Next() override { position_++; }
  // Stepping back from the first entry leaves the iterator invalid (position == size).
  void Prev() override { position_ = position_ == 0 ? entries_.size() : position_ - 1; }
  std::string_view key() const override { return entries_[position_].first; }
  std::string_view value() const override { return entries_[position_].second; }
  Status status() const override { return Status::Ok(); }

 private:
  std::vector<Entry> entries_;
  size_t position_ = 0;
};

// Random internal keys from a small space, so equal keys within and across children are common.
std::string RandomKey(std::mt19937* random) {
  const std::string user_key = "k" + std::to_string((*random)() % 20);
  const SequenceNumber seq = 1 + (*random)() % 3;
  const ValueType type = (*random)() % 2 == 0 ? ValueType::kValue : ValueType::kDeletion;
  return MakeInternalKey(user_key, seq, type);
}

// The model is every entry sorted by (internal key, child, position in child): the order the
// merging iterator promises.
struct Fixture {
  std::vector<std::vector<Entry>> children;
  std::vector<Entry> model;

  std::unique_ptr<InternalIterator> NewIterator() const {
    std::vector<std::unique_ptr<InternalIterator>> iterators;
    for (const auto& child : children) iterators.push_back(std::make_unique<VectorIterator>(child));
    return NewMergingIterator(std::move(iterators));
  }
};

Fixture MakeFixture(std::mt19937* random, int child_count, int entries_max) {
  Fixture fixture;
  for (int c = 0; c < child_count; c++) {
    std::vector<Entry> child;
    const int entries = static_cast<int>((*random)() % (entries_max + 1));
    for (int e = 0; e < entries; e++) {
      child.emplace_back(RandomKey(random), "c" + std::to_string(c) + "e" + std::to_string(e));
    }
    std::stable_sort(child.begin(), child.end(), EntryLess);
    fixture.children.push_back(child);
  }
  // Children are appended in index order, so a stable sort yields (key, child, position).
  for (const auto& child : fixture.children) {
    fixture.model.insert(fixture.model.end(), child.begin(), child.end());
  }
  std::stable_sort(fixture.model.begin(), fixture.model.end(), EntryLess);
  return fixture;
}

// One random operation on both the iterator and the model position (model.size() = invalid).
void RandomStep(std::mt19937* random, const Fixture& fixture, InternalIterator* iter,
                size_t* position) {
  const size_t end = fixture.model.size();
  const int op = static_cast<int>((*random)() % 10);
  if (op == 0) {
    iter->SeekToFirst();
    *position = 0;
  } else if (op == 1) {
    iter->SeekToLast();
    *position = end == 0 ? end : end - 1;
  } else if (op == 2) {
    const std::string target = RandomKey(random);
    iter->Seek(target);
    *position =
        std::lower_bound(fixture.model.begin(), fixture.model.end(), Entry(target, ""), EntryLess) -
        fixture.model.begin();
  } else if (*position == end) {
    return;  // Next and Prev need a valid position.
  } else if (op < 6) {
    iter->Next();
    (*position)++;
  } else {
    iter->Prev();
    *position = *position == 0 ? end : *position - 1;
  }
}

void ExpectAt(const Fixture& fixture, const InternalIterator& iter, size_t position) {
  if (position == fixture.model.size()) {
    ASSERT_FALSE(iter.Valid());
    return;
  }
  ASSERT_TRUE(iter.Valid());
  ASSERT_EQ(fixture.model[position].first, iter.key());
  ASSERT_EQ(fixture.model[position].second, iter.value());
}

// Full scans in both directions return exactly the model.
void ExpectFullScans(const Fixture& fixture) {
  auto iter = fixture.NewIterator();
  iter->SeekToFirst();
  for (size_t i = 0; i < fixture.model.size(); i++, iter->Next()) {
    ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, i));
  }
  EXPECT_FALSE(iter->Valid());
  iter->SeekToLast();
  for (size_t i = fixture.model.size(); i-- > 0; iter->Prev()) {
    ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, i));
  }
  EXPECT_FALSE(iter->Valid());
}

// Against a sorted model, random Seek/Next/Prev sequences with frequent direction switches and
// many equal keys return every entry of every child, in (key, child) order, for 0 to 6 children.
TEST(MergingIteratorTest, RandomizedAgainstModel) {
  constexpr int kRounds = 60;
  constexpr int kStepsPerRound = 100;
  std::mt19937 random(20240607);
  for (int round = 0; round < kRounds; round++) {
    SCOPED_TRACE(round);
    const Fixture fixture = MakeFixture(&random, round % 7, 1 + round % 25);
    ASSERT_NO_FATAL_FAILURE(ExpectFullScans(fixture));
    auto iter = fixture.NewIterator();
    iter->SeekToFirst();  // A fresh iterator is unpositioned: it may not be stepped or read.
    size_t position = 0;
    for (int step = 0; step < kStepsPerRound; step++) {
      RandomStep(&random, fixture, iter.get(), &position);
      ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, position)) << "step " << step;
    }
    EXPECT_TRUE(iter->status().ok());
  }
}

// A key present in several children is returned once per child when switching direction on it.
TEST(MergingIteratorTest, DirectionSwitchOnDuplicateKeys) {
  const std::string a = MakeInternalKey("a", 1, ValueType::kValue);
  const std::string b = MakeInternalKey("b", 1, ValueType::kValue);
  Fixture fixture;
  fixture.children = {{{a, "0a"}, {b, "0b"}}, {{b, "1b"}}, {{b, "2b"}}};
  fixture.model = {{a, "0a"}, {b, "0b"}, {b, "1b"}, {b, "2b"}};
  auto iter = fixture.NewIterator();
  iter->SeekToFirst();
  iter->Next();
  iter->Next();
  ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, 2));  // On "1b".
  iter->Prev();
  ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, 1));
  iter->Next();
  ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, 2));
  iter->Next();
  ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, 3));
  iter->Prev();
  iter->Prev();
  iter->Prev();
  ASSERT_NO_FATAL_FAILURE(ExpectAt(fixture, *iter, 0));
}

// The merged status is the first failing child's, even when no child is valid.
TEST(MergingIteratorTest, StatusComesFromFirstFailingChild) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(std::make_unique<VectorIterator>(std::vector<Entry>{}));
  children.push_back(NewEmptyIterator(Status::Corruption("first")));
  children.push_back(NewEmptyIterator(Status::IOError("second")));
  auto iter = NewMergingIterator(std::move(children));
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().IsCorruption());
  EXPECT_EQ("first", iter->status().message());
}

// The empty iterator is never valid and reports the status it was given.
TEST(MergingIteratorTest, EmptyIterator) {
  auto ok = NewEmptyIterator();
  ok->SeekToFirst();
  EXPECT_FALSE(ok->Valid());
  ok->Seek(MakeInternalKey("a", 1, ValueType::kValue));
  EXPECT_FALSE(ok->Valid());
  EXPECT_TRUE(ok->status().ok());
  auto failed = NewEmptyIterator(Status::IOError("disk"));
  failed->SeekToLast();
  EXPECT_FALSE(failed->Valid());
  EXPECT_TRUE(failed->status().IsIOError());
}

}  // namespace
}  // namespace engine
