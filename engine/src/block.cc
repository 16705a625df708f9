#include "block.h"

#include <cassert>
#include <limits>
#include <utility>

#include "coding.h"
#include "dbformat.h"

namespace engine {

namespace {

// Checks the restart array: the first restart is 0 and the rest strictly increase inside the entry
// area, so a cursor can trust every restart offset it reads.
bool RestartsAreValid(const BlockView& block) {
  if (block.RestartPoint(0) != 0) return false;
  uint32_t previous = 0;
  for (uint32_t i = 1; i < block.num_restarts(); i++) {
    const uint32_t restart = block.RestartPoint(i);
    if (restart <= previous || restart >= block.restarts_offset()) return false;
    previous = restart;
  }
  return true;
}

}  // namespace

uint32_t BlockView::RestartPoint(uint32_t index) const {
  assert(index < num_restarts_);
  return DecodeFixed32(contents_.data() + restarts_offset_ + index * sizeof(uint32_t));
}

Result<BlockView> BlockView::Parse(std::string_view contents) {
  constexpr size_t kWordBytes = sizeof(uint32_t);
  if (contents.size() < kWordBytes || contents.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::Corruption("malformed block: bad size " + std::to_string(contents.size()));
  }
  const uint32_t num_restarts = DecodeFixed32(contents.data() + contents.size() - kWordBytes);
  const size_t restarts_max = (contents.size() - kWordBytes) / kWordBytes;
  if (num_restarts == 0 || num_restarts > restarts_max) {
    return Status::Corruption("malformed block: bad restart count " + std::to_string(num_restarts));
  }
  const auto restarts_offset =
      static_cast<uint32_t>(contents.size() - (size_t{num_restarts} + 1) * kWordBytes);
  const BlockView view(contents, restarts_offset, num_restarts);
  if (!RestartsAreValid(view)) return Status::Corruption("malformed block: bad restart array");
  return view;
}

Result<std::shared_ptr<const Block>> Block::Parse(std::string contents) {
  // The view is taken of the string once it is inside the Block: moving a short string moves its
  // bytes.
  std::shared_ptr<Block> block(new Block(std::move(contents), nullptr));
  Result<BlockView> view = BlockView::Parse(block->owned_);
  if (!view.ok()) return view.status();
  block->view_ = view.value();
  return std::shared_ptr<const Block>(std::move(block));
}

Result<std::shared_ptr<const Block>> Block::ParseBorrowed(
    std::string_view contents, std::shared_ptr<const void> memory_owner) {
  assert(memory_owner != nullptr);
  Result<BlockView> view = BlockView::Parse(contents);
  if (!view.ok()) return view.status();
  std::shared_ptr<Block> block(new Block(std::string(), std::move(memory_owner)));
  block->view_ = view.value();
  return std::shared_ptr<const Block>(std::move(block));
}

BlockCursor::BlockCursor(const BlockView& block, std::string* key_buffer,
                         std::string_view error_context)
    : block_(block),
      key_(key_buffer),
      error_context_(error_context),
      current_(block.restarts_offset()),
      restart_index_(block.num_restarts()) {
  assert(key_ != nullptr);
}

void BlockCursor::Next() {
  assert(Valid());
  ParseNextEntry();
}

void BlockCursor::SeekToFirst() {
  SeekToRestartPoint(0);
  ParseNextEntry();
}

void BlockCursor::SeekToLast() {
  SeekToRestartPoint(block_.num_restarts() - 1);
  while (ParseNextEntry() && NextEntryOffset() < block_.restarts_offset()) {
  }
}

void BlockCursor::SeekToRestartPoint(uint32_t index) {
  key_->clear();
  restart_index_ = index;
  // ParseNextEntry starts decoding where the (empty) current value ends.
  value_ = std::string_view(block_.data() + block_.RestartPoint(index), 0);
}

void BlockCursor::MarkInvalid() {
  current_ = block_.restarts_offset();
  restart_index_ = block_.num_restarts();
  key_->clear();
  value_ = std::string_view();
}

void BlockCursor::MarkCorrupt(std::string_view what) {
  const Status corruption = Status::Corruption("malformed block: " + std::string(what));
  status_ = error_context_.empty() ? corruption : corruption.WithContext(error_context_);
  MarkInvalid();
}

// Decodes the entry at NextEntryOffset(). False at the end of the block or on corruption.
bool BlockCursor::ParseNextEntry() {
  current_ = NextEntryOffset();
  if (current_ >= block_.restarts_offset()) {
    MarkInvalid();
    return false;
  }
  std::string_view rest(block_.data() + current_, block_.restarts_offset() - current_);
  uint32_t shared_bytes, unshared_bytes, value_bytes;
  if (!GetVarint32(&rest, &shared_bytes) || !GetVarint32(&rest, &unshared_bytes) ||
      !GetVarint32(&rest, &value_bytes) || shared_bytes > key_->size() ||
      uint64_t{unshared_bytes} + value_bytes > rest.size()) {
    MarkCorrupt("bad entry header at offset " + std::to_string(current_));
    return false;
  }
  key_->resize(shared_bytes);
  key_->append(rest.data(), unshared_bytes);
  if (key_->size() < kInternalKeyTagBytes) {
    MarkCorrupt("key shorter than its tag at offset " + std::to_string(current_));
    return false;
  }
  value_ = rest.substr(unshared_bytes, value_bytes);
  while (restart_index_ + 1 < block_.num_restarts() &&
         block_.RestartPoint(restart_index_ + 1) < current_) {
    restart_index_++;
  }
  return true;
}

void BlockCursor::Prev() {
  assert(Valid());
  const uint32_t original = current_;
  // Back up to the last restart point before the current entry, then decode forward to it.
  while (block_.RestartPoint(restart_index_) >= original) {
    if (restart_index_ == 0) {
      MarkInvalid();
      return;
    }
    restart_index_--;
  }
  SeekToRestartPoint(restart_index_);
  do {
    if (!ParseNextEntry()) return;
  } while (NextEntryOffset() < original);
}

// The whole key stored at restart `index`. False (and the cursor corrupt) if it is malformed.
bool BlockCursor::RestartKey(uint32_t index, std::string_view* key) {
  const uint32_t offset = block_.RestartPoint(index);
  // Parse validated the restarts, but a borrowed block's bytes are a mapped file that could be
  // changed in place while the block lives; re-checking the offset keeps that from reading out of
  // bounds.
  if (offset >= block_.restarts_offset()) {
    MarkCorrupt("bad restart offset " + std::to_string(offset));
    return false;
  }
  std::string_view rest(block_.data() + offset, block_.restarts_offset() - offset);
  uint32_t shared_bytes, unshared_bytes, value_bytes;
  if (!GetVarint32(&rest, &shared_bytes) || !GetVarint32(&rest, &unshared_bytes) ||
      !GetVarint32(&rest, &value_bytes) || shared_bytes != 0 ||
      unshared_bytes < kInternalKeyTagBytes || unshared_bytes > rest.size()) {
    MarkCorrupt("bad restart entry at offset " + std::to_string(offset));
    return false;
  }
  *key = rest.substr(0, unshared_bytes);
  return true;
}

void BlockCursor::Seek(std::string_view target) {
  assert(target.size() >= kInternalKeyTagBytes);
  // Binary search for the last restart point whose key is < target.
  uint32_t left = 0;
  uint32_t right = block_.num_restarts() - 1;
  while (left < right) {
    const uint32_t mid = left + (right - left + 1) / 2;
    std::string_view mid_key;
    if (!RestartKey(mid, &mid_key)) return;
    if (CompareInternalKeys(mid_key, target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  SeekToRestartPoint(left);
  while (ParseNextEntry()) {
    if (CompareInternalKeys(*key_, target) >= 0) return;
  }
}

namespace {

// A BlockCursor that owns its key buffer and keeps its block alive, behind the iterator interface.
class BlockIterator final : public InternalIterator {
 public:
  BlockIterator(std::shared_ptr<const Block> block, std::string error_context)
      : block_(std::move(block)),
        error_context_(std::move(error_context)),
        cursor_(block_->view(), &key_, error_context_) {}

  bool Valid() const override { return cursor_.Valid(); }
  std::string_view key() const override {
    assert(Valid());
    return cursor_.key();
  }
  std::string_view value() const override {
    assert(Valid());
    return cursor_.value();
  }
  Status status() const override { return cursor_.status(); }
  void SeekToFirst() override { cursor_.SeekToFirst(); }
  void SeekToLast() override { cursor_.SeekToLast(); }
  void Seek(std::string_view target) override { cursor_.Seek(target); }
  void Next() override { cursor_.Next(); }
  void Prev() override { cursor_.Prev(); }

 private:
  // Declaration order matters: the cursor refers to the three members before it.
  const std::shared_ptr<const Block> block_;
  const std::string error_context_;
  std::string key_;
  BlockCursor cursor_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewBlockIterator(std::shared_ptr<const Block> block,
                                                   std::string error_context) {
  assert(block != nullptr);
  return std::make_unique<BlockIterator>(std::move(block), std::move(error_context));
}

}  // namespace engine
