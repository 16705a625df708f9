// Iterator: an ordered cursor over a DB's user keys as of one sequence number.
//
// A DB iterator pins its read view (memtable, immutable memtables and Version) for its whole life,
// so it keeps returning the point-in-time state at sequence() across any number of flushes and
// compactions; the tables it reads are not deleted until it is destroyed. key() and value() stay
// valid until the next move.
//
// Thread contract: thread-compatible (one thread uses an iterator at a time).
#pragma once

#include <string_view>

#include "engine/status.h"
#include "engine/types.h"

namespace engine {

class Iterator {
 public:
  virtual ~Iterator() = default;
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first key >= `target`.
  virtual void Seek(std::string_view target) = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;
  // REQUIRES: Valid()
  virtual std::string_view key() const = 0;
  // REQUIRES: Valid()
  virtual std::string_view value() const = 0;
  // Not ok when a read failed; the iterator is then not Valid().
  virtual Status status() const = 0;
  // The sequence number whose state this iterator shows.
  virtual SequenceNumber sequence() const = 0;
};

}  // namespace engine
