#include "two_level_iterator.h"

#include <cassert>
#include <string>
#include <utility>

namespace engine {

namespace {

class TwoLevelIterator final : public InternalIterator {
 public:
  TwoLevelIterator(std::unique_ptr<InternalIterator> index_iterator, DataIteratorOpener opener)
      : index_(std::move(index_iterator)), open_data_(std::move(opener)) {}

  bool Valid() const override { return status_.ok() && data_ != nullptr && data_->Valid(); }
  std::string_view key() const override {
    assert(Valid());
    return data_->key();
  }
  std::string_view value() const override {
    assert(Valid());
    return data_->value();
  }
  Status status() const override;

  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view target) override;
  void Next() override;
  void Prev() override;

 private:
  // Points data_ at the block the index is on (reusing it if it is the same block).
  void InitDataBlock();
  // Moves the index (forward or back) past data blocks with no entry left in that direction.
  void SkipEmptyDataBlocks(bool forward);
  // Drops the data iterator and the handle it was opened from.
  void ClearData();
  // Records the first error and drops the data iterator, so the iterator is no longer Valid().
  void SetError(Status s);
  // True if data_ failed: its error is recorded and the walk must stop.
  bool DataFailed();

  std::unique_ptr<InternalIterator> index_;
  DataIteratorOpener open_data_;
  std::unique_ptr<InternalIterator> data_;
  // The index value (encoded handle) data_ was opened from, to skip reopening the same block.
  std::string data_handle_;
  Status status_;
};

Status TwoLevelIterator::status() const {
  if (!status_.ok()) return status_;
  if (!index_->status().ok()) return index_->status();
  if (data_ != nullptr) return data_->status();
  return Status::Ok();
}

void TwoLevelIterator::ClearData() {
  data_.reset();
  data_handle_.clear();
}

void TwoLevelIterator::SetError(Status s) {
  if (status_.ok()) status_ = std::move(s);
  ClearData();
}

bool TwoLevelIterator::DataFailed() {
  if (data_ == nullptr || data_->status().ok()) return false;
  SetError(data_->status());
  return true;
}

void TwoLevelIterator::InitDataBlock() {
  if (!status_.ok() || !index_->Valid()) {
    ClearData();
    return;
  }
  const std::string_view handle = index_->value();
  if (data_ != nullptr && handle == data_handle_) return;
  Result<std::unique_ptr<InternalIterator>> opened = open_data_(handle);
  if (!opened.ok()) {
    SetError(opened.status());
    return;
  }
  data_ = std::move(opened).value();
  data_handle_.assign(handle.data(), handle.size());
}

void TwoLevelIterator::SkipEmptyDataBlocks(bool forward) {
  while (status_.ok() && (data_ == nullptr || !data_->Valid())) {
    if (DataFailed()) return;
    if (!index_->Valid()) {
      data_.reset();
      return;
    }
    if (forward) {
      index_->Next();
    } else {
      index_->Prev();
    }
    InitDataBlock();
    if (data_ == nullptr) continue;
    if (forward) {
      data_->SeekToFirst();
    } else {
      data_->SeekToLast();
    }
  }
}

void TwoLevelIterator::SeekToFirst() {
  index_->SeekToFirst();
  InitDataBlock();
  if (data_ != nullptr) data_->SeekToFirst();
  SkipEmptyDataBlocks(/*forward=*/true);
}

void TwoLevelIterator::SeekToLast() {
  index_->SeekToLast();
  InitDataBlock();
  if (data_ != nullptr) data_->SeekToLast();
  SkipEmptyDataBlocks(/*forward=*/false);
}

void TwoLevelIterator::Seek(std::string_view target) {
  index_->Seek(target);
  InitDataBlock();
  if (data_ != nullptr) data_->Seek(target);
  SkipEmptyDataBlocks(/*forward=*/true);
}

void TwoLevelIterator::Next() {
  assert(Valid());
  data_->Next();
  SkipEmptyDataBlocks(/*forward=*/true);
}

void TwoLevelIterator::Prev() {
  assert(Valid());
  data_->Prev();
  SkipEmptyDataBlocks(/*forward=*/false);
}

}  // namespace

std::unique_ptr<InternalIterator> NewTwoLevelIterator(
    std::unique_ptr<InternalIterator> index_iterator, DataIteratorOpener open_data_iterator) {
  assert(index_iterator != nullptr && open_data_iterator);
  return std::make_unique<TwoLevelIterator>(std::move(index_iterator),
                                            std::move(open_data_iterator));
}

}  // namespace engine
