#include "db_iter.h"

#include <string>

#include "dbformat.h"

namespace engine {
namespace {

// Forward: the internal iterator sits on the entry yielded. Reverse: it sits just before every
// entry of the yielded user key, whose key and value are saved in saved_key_/saved_value_.
class DBIter final : public Iterator {
 public:
  DBIter(std::unique_ptr<InternalIterator> iter, SequenceNumber sequence,
         std::function<void()> on_destroy)
      : iter_(std::move(iter)), sequence_(sequence), on_destroy_(std::move(on_destroy)) {}
  ~DBIter() override {
    iter_.reset();
    if (on_destroy_) on_destroy_();
  }

  bool Valid() const override { return valid_; }
  std::string_view key() const override {
    return direction_ == kForward ? ExtractUserKey(iter_->key()) : std::string_view(saved_key_);
  }
  std::string_view value() const override {
    return direction_ == kForward ? iter_->value() : std::string_view(saved_value_);
  }
  Status status() const override { return status_.ok() ? iter_->status() : status_; }
  SequenceNumber sequence() const override { return sequence_; }

  void SeekToFirst() override {
    direction_ = kForward;
    saved_value_.clear();
    iter_->SeekToFirst();
    FindNextUserEntry(false);
  }
  void SeekToLast() override {
    direction_ = kReverse;
    saved_value_.clear();
    iter_->SeekToLast();
    FindPrevUserEntry();
  }
  void Seek(std::string_view target) override {
    direction_ = kForward;
    saved_value_.clear();
    saved_key_.clear();
    AppendInternalKey(&saved_key_, target, sequence_, kValueTypeForSeek);
    iter_->Seek(saved_key_);
    FindNextUserEntry(false);
  }
  void Next() override;
  void Prev() override;

 private:
  enum Direction { kForward, kReverse };

  bool Parse(ParsedInternalKey* parsed) {
    if (ParseInternalKey(iter_->key(), parsed)) return true;
    status_ = Status::Corruption("malformed internal key while iterating");
    valid_ = false;
    return false;
  }
  void FindNextUserEntry(bool skipping);
  void FindPrevUserEntry();

  std::unique_ptr<InternalIterator> iter_;
  const SequenceNumber sequence_;
  std::function<void()> on_destroy_;
  Status status_;
  std::string saved_key_;
  std::string saved_value_;
  Direction direction_ = kForward;
  bool valid_ = false;
};

void DBIter::Next() {
  if (direction_ == kReverse) {
    direction_ = kForward;
    // iter_ is before all entries of saved_key_; step onto them, then past them.
    if (!iter_->Valid()) {
      iter_->SeekToFirst();
    } else {
      iter_->Next();
    }
    if (!iter_->Valid()) {
      valid_ = false;
      saved_key_.clear();
      return;
    }
  } else {
    saved_key_.assign(ExtractUserKey(iter_->key()));
  }
  // saved_key_ holds the current user key: skip every entry of it.
  FindNextUserEntry(true);
}

// Moves to the first visible user entry at or after iter_; with `skipping`, entries whose user
// key is <= saved_key_ are hidden.
void DBIter::FindNextUserEntry(bool skipping) {
  for (; iter_->Valid(); iter_->Next()) {
    ParsedInternalKey ikey;
    if (!Parse(&ikey)) return;
    if (ikey.sequence > sequence_) continue;
    if (ikey.type == ValueType::kDeletion) {
      saved_key_.assign(ikey.user_key);
      skipping = true;
    } else if (!(skipping && ikey.user_key <= saved_key_)) {
      valid_ = true;
      saved_key_.clear();
      return;
    }
  }
  saved_key_.clear();
  valid_ = false;
}

void DBIter::Prev() {
  if (direction_ == kForward) {
    // iter_ is on the current entry; scan back until the user key changes.
    saved_key_.assign(ExtractUserKey(iter_->key()));
    while (true) {
      iter_->Prev();
      if (!iter_->Valid()) {
        valid_ = false;
        saved_key_.clear();
        saved_value_.clear();
        return;
      }
      if (ExtractUserKey(iter_->key()) < saved_key_) break;
    }
    direction_ = kReverse;
  }
  FindPrevUserEntry();
}

// Walks backwards; the last visible entry seen for a user key (its newest at sequence_) wins.
void DBIter::FindPrevUserEntry() {
  ValueType value_type = ValueType::kDeletion;
  while (iter_->Valid()) {
    ParsedInternalKey ikey;
    if (!Parse(&ikey)) return;
    if (ikey.sequence <= sequence_) {
      if (value_type != ValueType::kDeletion && ikey.user_key < saved_key_) break;  // done
      value_type = ikey.type;
      if (value_type == ValueType::kDeletion) {
        saved_key_.clear();
        saved_value_.clear();
      } else {
        saved_key_.assign(ikey.user_key);
        saved_value_.assign(iter_->value());
      }
    }
    iter_->Prev();
  }
  // A child that failed may have hidden this key's newer entries: the saved value may be stale.
  if (value_type == ValueType::kDeletion || !iter_->status().ok()) {
    valid_ = false;
    saved_key_.clear();
    saved_value_.clear();
    direction_ = kForward;
  } else {
    valid_ = true;
  }
}

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        SequenceNumber sequence, std::function<void()> on_destroy) {
  return std::make_unique<DBIter>(std::move(internal), sequence, std::move(on_destroy));
}

}  // namespace engine
