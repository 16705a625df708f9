// Block: one parsed data or index block of a table (the layout is in block_builder.h), and the
// iterator over its entries.
//
// Invariants: a Block's restart array has been validated by Parse (at least one restart, the first
// at offset 0, strictly increasing, all inside the entry area). Entries are decoded lazily by the
// iterator, which bounds-checks every decode: a malformed entry makes the iterator invalid with a
// Corruption status, never an out-of-bounds read. Keys are internal keys ordered by
// CompareInternalKeys; an entry whose key is shorter than the 8-byte tag is Corruption.
//
// Thread contract: a Block is immutable (shared by any number of iterators on any threads); each
// iterator is thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "internal_iterator.h"

namespace engine {

class Block {
 public:
  // Takes ownership of `contents` (a block without its trailer). Corruption if the restart array
  // is malformed.
  static Result<std::shared_ptr<const Block>> Parse(std::string contents);

  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  size_t size_bytes() const { return contents_.size(); }
  const char* data() const { return contents_.data(); }
  // Offset of the restart array: entries occupy [0, restarts_offset()).
  uint32_t restarts_offset() const { return restarts_offset_; }
  uint32_t num_restarts() const { return num_restarts_; }
  uint32_t RestartPoint(uint32_t index) const;

 private:
  Block(std::string contents, uint32_t restarts_offset, uint32_t num_restarts);

  const std::string contents_;
  const uint32_t restarts_offset_;
  const uint32_t num_restarts_;
};

// An iterator over `block` that keeps it alive. `error_context` (e.g. "000012.sst: block at offset
// 4096") is prepended to the message of a Corruption status.
std::unique_ptr<InternalIterator> NewBlockIterator(std::shared_ptr<const Block> block,
                                                   std::string error_context);

}  // namespace engine
