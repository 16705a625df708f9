// The concatenating iterator over one level's disjoint, sorted files (see version.h).
#include <memory>

#include "dbformat.h"
#include "table_cache.h"
#include "version.h"

namespace engine {
namespace {

class LevelFileIterator final : public InternalIterator {
 public:
  LevelFileIterator(std::shared_ptr<const FileList> files, TableCache* cache)
      : files_(std::move(files)), cache_(cache) {}

  bool Valid() const override { return table_ != nullptr && table_->Valid(); }
  void SeekToFirst() override {
    OpenFile(0);
    if (table_) table_->SeekToFirst();
    SkipEmptyForward();
  }
  void SeekToLast() override {
    OpenFile(files_->empty() ? kNone : files_->size() - 1);
    if (table_) table_->SeekToLast();
    SkipEmptyBackward();
  }
  void Seek(std::string_view target) override {
    OpenFile(FindFile(*files_, target));
    if (table_) table_->Seek(target);
    SkipEmptyForward();
  }
  void Next() override {
    table_->Next();
    SkipEmptyForward();
  }
  void Prev() override {
    table_->Prev();
    SkipEmptyBackward();
  }
  std::string_view key() const override { return table_->key(); }
  std::string_view value() const override { return table_->value(); }
  Status status() const override {
    if (!status_.ok()) return status_;
    return table_ ? table_->status() : Status::Ok();
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // Positions on file `index` (kNone or past the end clears the position).
  void OpenFile(size_t index) {
    if (index >= files_->size()) {
      SaveStatusAndClear();
      index_ = kNone;
      return;
    }
    if (index == index_ && table_) return;
    SaveStatusAndClear();
    index_ = index;
    const FileMetaData& f = *(*files_)[index];
    table_ = cache_->NewIterator(f.table.number, f.table.file_bytes);
  }
  void SaveStatusAndClear() {
    if (table_ && status_.ok() && !table_->status().ok()) status_ = table_->status();
    table_.reset();
  }
  void SkipEmptyForward() {
    while (table_ && !table_->Valid() && table_->status().ok()) {
      if (index_ + 1 >= files_->size()) {
        SaveStatusAndClear();
        return;
      }
      OpenFile(index_ + 1);
      table_->SeekToFirst();
    }
  }
  void SkipEmptyBackward() {
    while (table_ && !table_->Valid() && table_->status().ok()) {
      if (index_ == 0) {
        SaveStatusAndClear();
        return;
      }
      OpenFile(index_ - 1);
      table_->SeekToLast();
    }
  }

  const std::shared_ptr<const FileList> files_;
  TableCache* const cache_;
  size_t index_ = kNone;
  std::unique_ptr<InternalIterator> table_;
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewLevelFileIterator(std::shared_ptr<const FileList> files,
                                                       TableCache* cache) {
  return std::make_unique<LevelFileIterator>(std::move(files), cache);
}

}  // namespace engine
