// Violation: one observed behaviour the oracle or an invariant says is wrong, with everything a
// person needs to understand it: the op and its result, expected vs observed, the sequence numbers,
// the key's oracle history, and the last ops of the thread that saw it.
//
// Thread contract: immutable (a value).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/types.h"

namespace harness {

struct Violation {
  // point_read, scan, snapshot_read, failed_write_visible, unexpected_error, invariant, recovery,
  // liveness.
  std::string kind;
  std::string op;        // the op with its recorded result, e.g. "get k00000042 // v0.7 seq=1187"
  std::string expected;
  std::string observed;
  engine::SequenceNumber read_sequence = 0;
  // The read's sequence had to lie in [lower_bound, upper_bound] (0/0 when not applicable).
  engine::SequenceNumber lower_bound = 0;
  engine::SequenceNumber upper_bound = 0;
  std::string key;
  std::string key_history;                 // the oracle's versions of the key
  std::vector<std::string> thread_recent_ops;  // oldest first
  std::string thread;                      // e.g. "reader-3"
  double seconds = 0;                      // since the run started
  std::string message;                     // one line: what went wrong
};

}  // namespace harness
