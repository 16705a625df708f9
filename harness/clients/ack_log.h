// Acknowledgement logs: how a `vstress crash --mode kill` child tells its parent which writes the
// DB acknowledged before the SIGKILL. Each writer appends to its own file outside the DB, one line
// per event, each with a single write(2) (a kill cannot tear it; the page cache keeps it):
//
//   w <entries>         the writer is about to write these entries (the intent)
//   a <last-seq> <s|u>  the write was acknowledged with sequence <last-seq>, synced or not
//   f                   the write failed
//
// where each entry is KEY=WRITER.INDEX.BYTES (a put of that value) or KEY=- (a delete), KEY the
// key index. The intent comes first, so a write the kill caught between its acknowledgement and
// its `a` line is still known: an intent with neither `a` nor `f` after it is in flight, and the
// recovered DB may or may not hold it. WiredTiger's timestamp_abort test logs the same way.
//
// Thread contract: AckLog is thread-safe for distinct writers (each writer's file is its own);
// ReadAckLogs is thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/types.h"
#include "harness/model/oracle.h"

namespace harness::clients {

using AckEntry = model::WriteEntry;

class AckLog {
 public:
  // Creates (truncates) DIR/writer-<id>.log for ids first_writer .. first_writer + writers - 1.
  static engine::Result<std::unique_ptr<AckLog>> Create(const std::string& dir,
                                                        uint32_t first_writer, uint32_t writers);
  ~AckLog();
  AckLog(const AckLog&) = delete;
  AckLog& operator=(const AckLog&) = delete;

  void Intent(uint32_t writer, const std::vector<AckEntry>& entries);
  void Acknowledged(uint32_t writer, engine::SequenceNumber last, bool synced);
  void Failed(uint32_t writer);

 private:
  AckLog(uint32_t first_writer, std::vector<int> fds)
      : first_writer_(first_writer), fds_(std::move(fds)) {}
  void Append(uint32_t writer, const std::string& line);
  const uint32_t first_writer_;
  const std::vector<int> fds_;
};

// One write as its writer logged it.
struct LoggedWrite {
  uint32_t writer = 0;
  std::vector<AckEntry> entries;
  enum class State { kAcknowledged, kFailed, kInFlight } state = State::kInFlight;
  engine::SequenceNumber last = 0;  // acknowledged: the batch's last sequence
  bool synced = false;
};

// Every write logged in DIR's writer-*.log files, each writer's in its order. A last line cut short
// (no newline) is ignored; any other malformed line is InvalidArgument naming file and line. A DIR
// that does not exist holds no writes (a child killed before it made its logs).
engine::Result<std::vector<LoggedWrite>> ReadAckLogs(const std::string& dir);

}  // namespace harness::clients
