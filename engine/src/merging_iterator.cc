// NewEmptyIterator and NewMergingIterator (declared in internal_iterator.h).
//
// The merging iterator follows LevelDB's MergingIterator, extended so that equal internal keys in
// different children are all returned in a well-defined order: the merged stream is sorted by
// (internal key, child index). Its invariants, with `current` the child it is positioned on:
//   forward:  every other child is at its first entry after current's in merged order, i.e.
//             children before current at a key > current's, children after it at a key >= it;
//   reverse:  every other child is at its last entry before current's in merged order, i.e.
//             children before current at a key <= current's, children after it at a key < it.
// Changing direction re-seeks the other children to restore the other invariant.
//
// Thread contract: thread-compatible.
#include <cassert>
#include <utility>

#include "dbformat.h"
#include "internal_iterator.h"

namespace engine {

namespace {

class EmptyIterator final : public InternalIterator {
 public:
  explicit EmptyIterator(Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(std::string_view) override {}
  void Next() override { assert(false); }
  void Prev() override { assert(false); }
  std::string_view key() const override {
    assert(false);
    return {};
  }
  std::string_view value() const override {
    assert(false);
    return {};
  }
  Status status() const override { return status_; }

 private:
  const Status status_;
};

class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {}

  bool Valid() const override { return current_ != nullptr; }
  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view target) override;
  void Next() override;
  void Prev() override;
  std::string_view key() const override {
    assert(Valid());
    return current_->key();
  }
  std::string_view value() const override {
    assert(Valid());
    return current_->value();
  }
  Status status() const override;

 private:
  enum class Direction { kForward, kReverse };

  // Positions current_ on the smallest (largest) child; ties go to the lowest (highest) index.
  void FindSmallest();
  void FindLargest();
  // Restores the invariant of `direction` from a valid position in the other direction.
  void RepositionOtherChildren(Direction direction);

  std::vector<std::unique_ptr<InternalIterator>> children_;
  InternalIterator* current_ = nullptr;
  Direction direction_ = Direction::kForward;
};

void MergingIterator::SeekToFirst() {
  for (auto& child : children_) child->SeekToFirst();
  direction_ = Direction::kForward;
  FindSmallest();
}

void MergingIterator::SeekToLast() {
  for (auto& child : children_) child->SeekToLast();
  direction_ = Direction::kReverse;
  FindLargest();
}

void MergingIterator::Seek(std::string_view target) {
  for (auto& child : children_) child->Seek(target);
  direction_ = Direction::kForward;
  FindSmallest();
}

void MergingIterator::Next() {
  assert(Valid());
  if (direction_ != Direction::kForward) RepositionOtherChildren(Direction::kForward);
  current_->Next();
  FindSmallest();
}

void MergingIterator::Prev() {
  assert(Valid());
  if (direction_ != Direction::kReverse) RepositionOtherChildren(Direction::kReverse);
  current_->Prev();
  FindLargest();
}

Status MergingIterator::status() const {
  for (const auto& child : children_) {
    Status status = child->status();
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

void MergingIterator::FindSmallest() {
  InternalIterator* smallest = nullptr;
  for (auto& child : children_) {
    if (!child->Valid()) {
      // A child that failed may have hidden newer entries: stop rather than show older ones.
      if (!child->status().ok()) {
        current_ = nullptr;
        return;
      }
      continue;
    }
    if (smallest == nullptr || CompareInternalKeys(child->key(), smallest->key()) < 0) {
      smallest = child.get();
    }
  }
  current_ = smallest;
}

void MergingIterator::FindLargest() {
  InternalIterator* largest = nullptr;
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
    InternalIterator* child = it->get();
    if (!child->Valid()) {
      if (!child->status().ok()) {
        current_ = nullptr;
        return;
      }
      continue;
    }
    if (largest == nullptr || CompareInternalKeys(child->key(), largest->key()) > 0) {
      largest = child;
    }
  }
  current_ = largest;
}

// Positions `child` at its first entry with key > `key` (skip_equal) or >= `key` (otherwise).
void SeekPast(InternalIterator* child, std::string_view key, bool skip_equal) {
  child->Seek(key);
  // A loop, not one Next(): a child may itself hold several entries with this key.
  while (skip_equal && child->Valid() && CompareInternalKeys(child->key(), key) == 0) {
    child->Next();
  }
}

// Forward: children before current_ skip past entries equal to its key; children after it stop at
// them. Reverse: each child steps back from that same position, so children before current_ may
// stop on entries equal to its key and children after it may not.
void MergingIterator::RepositionOtherChildren(Direction direction) {
  const std::string_view current_key = current_->key();  // Stays put: current_ does not move.
  bool before_current = true;
  for (auto& child : children_) {
    if (child.get() == current_) {
      before_current = false;
      continue;
    }
    SeekPast(child.get(), current_key, /*skip_equal=*/before_current);
    if (direction == Direction::kForward) continue;
    if (child->Valid()) {
      child->Prev();
    } else {
      child->SeekToLast();
    }
  }
  direction_ = direction;
}

}  // namespace

std::unique_ptr<InternalIterator> NewEmptyIterator(Status status) {
  return std::make_unique<EmptyIterator>(std::move(status));
}

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children.front());
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace engine
