// InternalIterator: a cursor over internal keys (user key + sequence/type tag), in internal-key
// order. Memtables, table blocks, tables, and the merge of all of them expose this interface; the
// DB iterator turns it into the user-visible view at one sequence number.
//
// Thread contract: thread-compatible.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace engine {

class InternalIterator {
 public:
  InternalIterator() = default;
  InternalIterator(const InternalIterator&) = delete;
  InternalIterator& operator=(const InternalIterator&) = delete;
  virtual ~InternalIterator() = default;

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first entry whose internal key >= `target` (an internal key).
  virtual void Seek(std::string_view target) = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// An iterator over nothing, carrying `status` (ok for a plain empty iterator).
std::unique_ptr<InternalIterator> NewEmptyIterator(Status status = Status::Ok());

// Merges `children` (each sorted in internal-key order) into one sorted stream. Entries with equal
// internal keys from different children are all returned.
std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace engine
