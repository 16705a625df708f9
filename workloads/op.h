// Op, OpResult, OpRecord: operations as values with a one-line text form.
//
// A history of ops can be written, read back, replayed and shrunk, so every op and its recorded
// result print to one line and parse back to an equal value:
//
//   put k00000042 v7.3/120 sync       // ok seq=1187
//   get k00000042                     // v7.3/120 seq=1187
//   delete k00000007                  // ok seq=1190
//   get k00000009                     // not-found seq=1191
//   batch [put k00000001 v2.9/40; delete k00000003]   // ok seq=1193
//   scan k00000010 fwd 100            // ok keys=100 seq=1194
//   snapshot-get k00000001            // v2.9/40 seq=1180
//   put k00000005 v1.4/16             // error "IOError: injected fault at engine/wal/append"
//   injected
//
// Values that vstress wrote (value.h) print in their compact form "v<writer>.<index>/<bytes>";
// any other key or value prints as a double-quoted string with \" \\ and \xHH escapes, so every
// byte string round-trips. Keys print bare when they hold only [A-Za-z0-9._-/:=+*@#,%].
//
// Thread contract: immutable (values and pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace workloads {

struct Op {
  enum class Kind : uint8_t { kPut, kDelete, kBatch, kGet, kScan, kSnapshotGet };

  Kind kind = Kind::kGet;
  std::string key;        // put, delete, get, snapshot-get
  std::string value;      // put: the whole value (printed compactly when it is one of ours)
  std::vector<Op> batch;  // batch: puts and deletes only, applied atomically in order
  bool sync = false;      // put, delete, batch: sync the WAL before acknowledging
  // scan: where the iterator starts (Seek, or SeekForPrev when reverse), and how many steps it
  // takes (or took).
  std::string start_key;
  bool reverse = false;
  uint64_t steps = 0;

  bool operator==(const Op&) const = default;
};

// "put", "delete", "batch", "get", "scan", "snapshot-get".
const char* OpKindName(Op::Kind kind);
bool IsWrite(Op::Kind kind);

std::string ToString(const Op& op);
// The inverse of ToString; InvalidArgument names the text and what is wrong with it.
engine::Result<Op> ParseOp(std::string_view text);

// What an op returned, as recorded in a history.
struct OpResult {
  enum class Kind : uint8_t { kOk, kValue, kNotFound, kError };

  Kind kind = Kind::kOk;
  std::string value;             // kValue: the value read
  std::string error;             // kError: Status::ToString() of the failure
  bool injected = false;         // kError: a fault point produced it
  std::optional<uint64_t> seq;   // the sequence number assigned (writes) or observed (reads)
  std::optional<uint64_t> keys;  // scans: entries the iterator returned

  bool operator==(const OpResult&) const = default;

  // A kError result for `status` (which must not be ok).
  static OpResult FromError(const engine::Status& status);
};

std::string ToString(const OpResult& result);
engine::Result<OpResult> ParseOpResult(std::string_view text);

// An op and its result: the line of a history, "OP // RESULT".
struct OpRecord {
  Op op;
  OpResult result;
  bool operator==(const OpRecord&) const = default;
};

std::string ToString(const OpRecord& record);
engine::Result<OpRecord> ParseOpRecord(std::string_view line);

}  // namespace workloads
