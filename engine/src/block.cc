#include "block.h"

#include <cassert>
#include <limits>
#include <utility>

#include "coding.h"
#include "dbformat.h"

namespace engine {

namespace {

// Checks the restart array: the first restart is 0 and the rest strictly increase inside the entry
// area, so the iterator can trust every restart offset it reads.
bool RestartsAreValid(const Block& block) {
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

Block::Block(std::string contents, uint32_t restarts_offset, uint32_t num_restarts)
    : contents_(std::move(contents)),
      restarts_offset_(restarts_offset),
      num_restarts_(num_restarts) {}

uint32_t Block::RestartPoint(uint32_t index) const {
  assert(index < num_restarts_);
  return DecodeFixed32(contents_.data() + restarts_offset_ + index * sizeof(uint32_t));
}

Result<std::shared_ptr<const Block>> Block::Parse(std::string contents) {
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
  std::shared_ptr<const Block> block(new Block(std::move(contents), restarts_offset, num_restarts));
  if (!RestartsAreValid(*block)) return Status::Corruption("malformed block: bad restart array");
  return block;
}

namespace {

class BlockIterator final : public InternalIterator {
 public:
  BlockIterator(std::shared_ptr<const Block> block, std::string error_context)
      : block_(std::move(block)),
        error_context_(std::move(error_context)),
        data_(block_->data()),
        restarts_offset_(block_->restarts_offset()),
        num_restarts_(block_->num_restarts()),
        current_(restarts_offset_),
        restart_index_(num_restarts_) {}

  // A corrupt iterator stays invalid even if a later seek decodes a good entry.
  bool Valid() const override { return current_ < restarts_offset_ && status_.ok(); }
  std::string_view key() const override {
    assert(Valid());
    return key_;
  }
  std::string_view value() const override {
    assert(Valid());
    return value_;
  }
  Status status() const override { return status_; }

  void Next() override {
    assert(Valid());
    ParseNextEntry();
  }

  void SeekToFirst() override {
    SeekToRestartPoint(0);
    ParseNextEntry();
  }

  void SeekToLast() override {
    SeekToRestartPoint(num_restarts_ - 1);
    while (ParseNextEntry() && NextEntryOffset() < restarts_offset_) {
    }
  }

  void Prev() override;
  void Seek(std::string_view target) override;

 private:
  uint32_t NextEntryOffset() const {
    return static_cast<uint32_t>(value_.data() + value_.size() - data_);
  }
  void SeekToRestartPoint(uint32_t index) {
    key_.clear();
    restart_index_ = index;
    // ParseNextEntry starts decoding where the (empty) current value ends.
    value_ = std::string_view(data_ + block_->RestartPoint(index), 0);
  }
  void MarkInvalid() {
    current_ = restarts_offset_;
    restart_index_ = num_restarts_;
    key_.clear();
    value_ = std::string_view();
  }
  void MarkCorrupt(std::string_view what);
  bool ParseNextEntry();
  bool RestartKey(uint32_t index, std::string_view* key);

  const std::shared_ptr<const Block> block_;
  const std::string error_context_;
  const char* const data_;
  const uint32_t restarts_offset_;
  const uint32_t num_restarts_;

  // Offset of the current entry; restarts_offset_ when the iterator is not Valid().
  uint32_t current_;
  // The restart block current_ falls in.
  uint32_t restart_index_;
  std::string key_;
  std::string_view value_;
  Status status_;
};

void BlockIterator::MarkCorrupt(std::string_view what) {
  const Status corruption = Status::Corruption("malformed block: " + std::string(what));
  status_ = error_context_.empty() ? corruption : corruption.WithContext(error_context_);
  MarkInvalid();
}

// Decodes the entry at NextEntryOffset(). False at the end of the block or on corruption.
bool BlockIterator::ParseNextEntry() {
  current_ = NextEntryOffset();
  if (current_ >= restarts_offset_) {
    MarkInvalid();
    return false;
  }
  std::string_view rest(data_ + current_, restarts_offset_ - current_);
  uint32_t shared_bytes, unshared_bytes, value_bytes;
  if (!GetVarint32(&rest, &shared_bytes) || !GetVarint32(&rest, &unshared_bytes) ||
      !GetVarint32(&rest, &value_bytes) || shared_bytes > key_.size() ||
      uint64_t{unshared_bytes} + value_bytes > rest.size()) {
    MarkCorrupt("bad entry header at offset " + std::to_string(current_));
    return false;
  }
  key_.resize(shared_bytes);
  key_.append(rest.data(), unshared_bytes);
  if (key_.size() < kInternalKeyTagBytes) {
    MarkCorrupt("key shorter than its tag at offset " + std::to_string(current_));
    return false;
  }
  value_ = rest.substr(unshared_bytes, value_bytes);
  while (restart_index_ + 1 < num_restarts_ &&
         block_->RestartPoint(restart_index_ + 1) < current_) {
    restart_index_++;
  }
  return true;
}

void BlockIterator::Prev() {
  assert(Valid());
  const uint32_t original = current_;
  // Back up to the last restart point before the current entry, then decode forward to it.
  while (block_->RestartPoint(restart_index_) >= original) {
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

// The whole key stored at restart `index`. False (and the iterator corrupt) if it is malformed.
bool BlockIterator::RestartKey(uint32_t index, std::string_view* key) {
  const uint32_t offset = block_->RestartPoint(index);
  std::string_view rest(data_ + offset, restarts_offset_ - offset);
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

void BlockIterator::Seek(std::string_view target) {
  assert(target.size() >= kInternalKeyTagBytes);
  // Binary search for the last restart point whose key is < target.
  uint32_t left = 0;
  uint32_t right = num_restarts_ - 1;
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
    if (CompareInternalKeys(key_, target) >= 0) return;
  }
}

}  // namespace

std::unique_ptr<InternalIterator> NewBlockIterator(std::shared_ptr<const Block> block,
                                                   std::string error_context) {
  assert(block != nullptr);
  return std::make_unique<BlockIterator>(std::move(block), std::move(error_context));
}

}  // namespace engine
