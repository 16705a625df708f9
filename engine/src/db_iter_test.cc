#include "db_iter.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "dbformat.h"
#include "internal_iterator.h"

namespace engine {
namespace {

using Entry = std::pair<std::string, std::string>;  // (internal key, value)

// A sorted vector whose entry `failing` cannot be read: stepping onto it leaves the iterator
// invalid with an I/O error, as a table block that fails to load does.
class FailingVectorIterator final : public InternalIterator {
 public:
  FailingVectorIterator(std::vector<Entry> entries, size_t failing)
      : entries_(std::move(entries)), failing_(failing) {}
  bool Valid() const override { return status_.ok() && position_ < entries_.size(); }
  void SeekToFirst() override { Land(0); }
  void SeekToLast() override { Land(entries_.size() - 1); }
  void Seek(std::string_view target) override {
    size_t i = 0;
    while (i < entries_.size() && CompareInternalKeys(entries_[i].first, target) < 0) i++;
    Land(i);
  }
  void Next() override { Land(position_ + 1); }
  void Prev() override { Land(position_ == 0 ? entries_.size() : position_ - 1); }
  std::string_view key() const override { return entries_[position_].first; }
  std::string_view value() const override { return entries_[position_].second; }
  Status status() const override { return status_; }

 private:
  void Land(size_t position) {
    position_ = position;
    if (position_ == failing_) status_ = Status::IOError("block unreadable");
  }

  std::vector<Entry> entries_;
  size_t failing_;
  size_t position_ = 0;
  Status status_;
};

std::vector<Entry> TwoVersionsOfA() {
  return {{MakeInternalKey("a", 2, ValueType::kValue), "new"},
          {MakeInternalKey("a", 1, ValueType::kValue), "old"},
          {MakeInternalKey("b", 1, ValueType::kValue), "b"}};
}

// Backwards, a key's entries are met oldest first: when the read of its newer entry fails, the
// older value already saved is stale and must not be shown.
TEST(DBIterTest, ReverseStepOntoAFailedEntryIsNotValid) {
  auto it = NewDBIterator(std::make_unique<FailingVectorIterator>(TwoVersionsOfA(), 0), 10, {});
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  it->Prev();
  EXPECT_FALSE(it->status().ok());
  EXPECT_FALSE(it->Valid()) << "shown beside an error: " << it->value();
}

TEST(DBIterTest, ForwardStepOntoAFailedEntryIsNotValid) {
  auto it = NewDBIterator(std::make_unique<FailingVectorIterator>(TwoVersionsOfA(), 2), 10, {});
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "new");
  it->Next();
  EXPECT_FALSE(it->status().ok());
  EXPECT_FALSE(it->Valid());
}

TEST(DBIterTest, WithoutAFailureBothDirectionsShowTheNewestValue) {
  auto it = NewDBIterator(std::make_unique<FailingVectorIterator>(TwoVersionsOfA(), 99), 10, {});
  it->SeekToLast();
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "new");
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "new");
}

}  // namespace
}  // namespace engine
