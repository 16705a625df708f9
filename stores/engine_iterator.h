// EngineIterator: a Store Iterator over a LevelDB-shaped engine iterator (LevelDB's and RocksDB's
// have the same methods and Slice type shape), with the Position the adapter took when it made
// it. One adapter class for both real engines; each supplies its iterator type, its Slice type and
// the function turning its Status into ours. An internal header of stores/.
//
// Thread contract: as the engine's iterator (one thread at a time).
#pragma once

#include <memory>
#include <string_view>

#include "stores/store.h"

namespace stores {

template <typename EngineIter, typename Slice, auto kStatusOf>
class EngineIterator final : public Iterator {
 public:
  EngineIterator(std::unique_ptr<EngineIter> it, Position position)
      : it_(std::move(it)), position_(position) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(Slice(target.data(), target.size())); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return View(it_->key()); }
  std::string_view value() const override { return View(it_->value()); }
  Status status() const override { return kStatusOf(it_->status()); }
  Position position() const override { return position_; }

 private:
  static std::string_view View(const Slice& s) { return {s.data(), s.size()}; }
  std::unique_ptr<EngineIter> it_;
  const Position position_;
};

}  // namespace stores
