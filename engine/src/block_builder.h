// BlockBuilder: lays out one data or index block of a table — sorted key/value entries with
// prefix-compressed keys and an array of restart points (LevelDB's block format).
//
// Layout (Do not change: on-disk format):
//   entry*    : varint32 shared_bytes | varint32 unshared_bytes | varint32 value_bytes |
//               key[shared_bytes..] (unshared_bytes) | value (value_bytes)
//   restarts  : fixed32 offset of each restart entry, in increasing order (the first is 0)
//   trailer   : fixed32 number of restarts (>= 1)
// Every block_restart_interval-th entry is a restart point and stores its key whole
// (shared_bytes == 0), so a reader can binary-search the restarts and decode forward from one.
//
// Invariants: keys are added in strictly increasing order (the caller, TableBuilder, checks this);
// after Finish() only Reset() may be called.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engine {

class BlockBuilder {
 public:
  explicit BlockBuilder(int restart_interval);

  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // REQUIRES: Finish() not called since the last Reset(); `key` sorts after every earlier key.
  void Add(std::string_view key, std::string_view value);
  // Appends the restart array and returns the finished block, valid until Reset() or destruction.
  std::string_view Finish();
  // Starts a new, empty block.
  void Reset();

  // The size Finish() would return now, in bytes.
  size_t CurrentSizeEstimate() const;
  bool empty() const { return buffer_.empty(); }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int entries_since_restart_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace engine
