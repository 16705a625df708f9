// VersionEdit: one record of the MANIFEST — the difference between two Versions.
//
// An edit adds table files (with their level, size and key range), deletes table files by level
// and number, and may carry the DB-wide counters: the WAL number below which logs are obsolete, the
// next file number and the last sequence number. Replaying every edit of a MANIFEST in order from
// an empty state rebuilds the current Version.
//
// Encoding: a sequence of (varint32 tag, fields) pairs; unknown tags are Corruption.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "engine/types.h"

namespace engine {

// The durable description of one table file.
struct TableFile {
  uint64_t number = 0;
  uint64_t file_bytes = 0;
  std::string smallest;  // internal key
  std::string largest;   // internal key
};

class VersionEdit {
 public:
  void SetLogNumber(uint64_t number) { log_number_ = number; }
  void SetNextFileNumber(uint64_t number) { next_file_number_ = number; }
  void SetLastSequence(SequenceNumber seq) { last_sequence_ = seq; }
  void AddFile(int level, TableFile file) { new_files_.emplace_back(level, std::move(file)); }
  void DeleteFile(int level, uint64_t number) { deleted_files_.emplace_back(level, number); }

  const std::optional<uint64_t>& log_number() const { return log_number_; }
  const std::optional<uint64_t>& next_file_number() const { return next_file_number_; }
  const std::optional<SequenceNumber>& last_sequence() const { return last_sequence_; }
  const std::vector<std::pair<int, TableFile>>& new_files() const { return new_files_; }
  const std::vector<std::pair<int, uint64_t>>& deleted_files() const { return deleted_files_; }

  void EncodeTo(std::string* dst) const;
  Status DecodeFrom(std::string_view src);
  // One line per field, for `vstress inspect`.
  std::string DebugString() const;

 private:
  std::optional<uint64_t> log_number_;
  std::optional<uint64_t> next_file_number_;
  std::optional<SequenceNumber> last_sequence_;
  std::vector<std::pair<int, uint64_t>> deleted_files_;
  std::vector<std::pair<int, TableFile>> new_files_;
};

}  // namespace engine
