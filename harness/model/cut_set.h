// CutSet: the sequences S at which one read — or several reads of one state (an iterator's steps,
// the reads through one snapshot) — can have observed a store: the one state after every write
// through S and none after it. It starts as the read's position (stores::Position) within its
// real-time bounds and narrows with every observation (Keep); when it becomes empty no single cut
// explains what was observed, and the reads disagree with the oracle.
//
// A store that reports the exact sequence a read observed gives a set of one; a store that can
// only bracket it (LevelDB, RocksDB's reads) gives an interval, usually a few sequences wide: the
// writes that completed while the read ran.
//
// Thread contract: thread-compatible (a value).
#pragma once

#include <string>
#include <vector>

#include "engine/types.h"

namespace harness::model {

using engine::SequenceNumber;

// The sequences low..high, both included.
struct SeqInterval {
  SequenceNumber low = 0;
  SequenceNumber high = 0;
  bool operator==(const SeqInterval&) const = default;
};

class CutSet {
 public:
  CutSet() = default;  // empty
  CutSet(SequenceNumber low, SequenceNumber high);

  bool empty() const { return intervals_.empty(); }
  // One sequence left.
  bool exact() const { return intervals_.size() == 1 && intervals_[0].low == intervals_[0].high; }
  // REQUIRES: !empty().
  SequenceNumber lowest() const { return intervals_.front().low; }
  SequenceNumber highest() const { return intervals_.back().high; }
  const std::vector<SeqInterval>& intervals() const { return intervals_; }
  // Keeps only the sequences `allowed` holds (sorted, disjoint intervals).
  void Keep(const std::vector<SeqInterval>& allowed);
  // "12", "[12, 15]" or "[12, 15] and [18, 20]".
  std::string ToString() const;

 private:
  std::vector<SeqInterval> intervals_;  // sorted, disjoint, not adjacent
};

}  // namespace harness::model
