// Block: one parsed data or index block of a table (the layout is in block_builder.h), and the ways
// to walk its entries: a BlockCursor (no allocation, for point lookups) and the InternalIterator
// from NewBlockIterator (which keeps the block alive, for scans).
//
// A BlockView is a validated block over bytes it does not own; a Block pairs a BlockView with what
// keeps those bytes alive: either the Block owns them (a copy read with pread), or it holds a
// reference on their owner (a table file mapped into memory, which stays mapped while any Block
// read from it lives, even after the Table and the table cache let go of the file).
//
// Invariants: a BlockView's restart array has been validated by Parse (at least one restart, the
// first at offset 0, strictly increasing, all inside the entry area). Entries are decoded lazily,
// and every decode is bounds-checked: a malformed entry makes the cursor invalid with a Corruption
// status, never an out-of-bounds read. Keys are internal keys ordered by CompareInternalKeys; an
// entry whose key is shorter than the 8-byte tag is Corruption.
//
// Thread contract: BlockView and Block are immutable (shared by any number of cursors and
// iterators on any threads); each cursor and iterator is thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "internal_iterator.h"

namespace engine {

class BlockView {
 public:
  // `contents` is a block without its trailer. Corruption if the restart array is malformed. The
  // bytes must outlive the view and every cursor over it.
  static Result<BlockView> Parse(std::string_view contents);

  BlockView() = default;

  const char* data() const { return contents_.data(); }
  size_t size_bytes() const { return contents_.size(); }
  // Offset of the restart array: entries occupy [0, restarts_offset()).
  uint32_t restarts_offset() const { return restarts_offset_; }
  uint32_t num_restarts() const { return num_restarts_; }
  uint32_t RestartPoint(uint32_t index) const;

 private:
  BlockView(std::string_view contents, uint32_t restarts_offset, uint32_t num_restarts)
      : contents_(contents), restarts_offset_(restarts_offset), num_restarts_(num_restarts) {}

  std::string_view contents_;
  uint32_t restarts_offset_ = 0;
  uint32_t num_restarts_ = 0;
};

class Block {
 public:
  // Takes ownership of `contents` (a block without its trailer). Corruption if the restart array
  // is malformed.
  static Result<std::shared_ptr<const Block>> Parse(std::string contents);
  // Borrows `contents`, which lies in memory that `memory_owner` keeps alive (e.g. a mapped file);
  // the Block holds `memory_owner` for its whole life. Corruption as for Parse.
  static Result<std::shared_ptr<const Block>> ParseBorrowed(
      std::string_view contents, std::shared_ptr<const void> memory_owner);

  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  const BlockView& view() const { return view_; }
  size_t size_bytes() const { return view_.size_bytes(); }

 private:
  Block(std::string owned, std::shared_ptr<const void> memory_owner)
      : owned_(std::move(owned)), memory_owner_(std::move(memory_owner)) {}

  const std::string owned_;                         // empty when the bytes are borrowed
  const std::shared_ptr<const void> memory_owner_;  // null when the bytes are owned
  BlockView view_;                                  // set once by Parse*, into one of the above
};

// A position in one block. It allocates nothing itself: the current key lives in a buffer the
// caller lends, so a point lookup can walk a block with no allocation at all (and the key ends up
// where the caller wants it).
//
// Thread contract: thread-compatible.
class BlockCursor {
 public:
  // The block's bytes, `key_buffer` and `error_context` must outlive the cursor. A Corruption
  // status is prefixed with `error_context` (e.g. "000012.sst: block at offset 4096") unless it is
  // empty. The cursor starts not Valid().
  BlockCursor(const BlockView& block, std::string* key_buffer, std::string_view error_context);
  BlockCursor(const BlockCursor&) = delete;
  BlockCursor& operator=(const BlockCursor&) = delete;

  // A corrupt cursor stays invalid even if a later seek decodes a good entry.
  bool Valid() const { return current_ < block_.restarts_offset() && status_.ok(); }
  // REQUIRES: Valid(). Views into the key buffer and into the block, until the cursor moves.
  std::string_view key() const { return *key_; }
  std::string_view value() const { return value_; }
  const Status& status() const { return status_; }

  void SeekToFirst();
  void SeekToLast();
  // Positions at the first entry whose internal key >= `target` (an internal key).
  void Seek(std::string_view target);
  // REQUIRES: Valid().
  void Next();
  // REQUIRES: Valid().
  void Prev();

 private:
  uint32_t NextEntryOffset() const {
    return static_cast<uint32_t>(value_.data() + value_.size() - block_.data());
  }
  void SeekToRestartPoint(uint32_t index);
  void MarkInvalid();
  void MarkCorrupt(std::string_view what);
  bool ParseNextEntry();
  bool RestartKey(uint32_t index, std::string_view* key);

  const BlockView block_;
  std::string* const key_;
  const std::string_view error_context_;

  // Offset of the current entry; block_.restarts_offset() when the cursor is not Valid().
  uint32_t current_;
  // The restart block current_ falls in.
  uint32_t restart_index_;
  std::string_view value_;
  Status status_;
};

// An iterator over `block` that keeps it alive. `error_context` (e.g. "000012.sst: block at offset
// 4096") is prepended to the message of a Corruption status.
std::unique_ptr<InternalIterator> NewBlockIterator(std::shared_ptr<const Block> block,
                                                   std::string error_context);

}  // namespace engine
