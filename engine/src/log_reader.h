// log::Reader: reads back the records a log::Writer appended (log_format.h), telling a torn tail
// from corruption.
//
// A crash while appending leaves an incomplete last record. That is the normal end of a log, not
// damage (leveldb #160), so the Reader drops it, sets tail_was_torn() and keeps status() ok:
//   - fewer than kHeaderBytes bytes left;
//   - a header that fails its checksum where every byte from there to end of file is zero
//     (space the file system extended or pre-allocated but the write never reached);
//   - a valid header whose payload runs past end of file;
//   - a complete record that fails its checksum, whose payload ends in at least
//     min(length, kUnwrittenSectorBytes) zero bytes and is followed by nothing but zero bytes:
//     a write whose length reached disk but whose last sector(s) never did.
// A complete record with non-zero bytes that fails its checksum is damage even at the very end:
// treating it as torn would let one flipped bit drop a synced MANIFEST edit or WAL record.
// Anything else that fails a check is Corruption naming the file and the bad record's offset, and
// reading stops there: records after a bad one are never returned, because skipping a damaged
// record would apply later edits without the one they depend on (rocksdb #6316). A length above
// kRecordBytesMax is Corruption even when its header checksum holds.
//
// Invariant: valid_bytes() is the length of the prefix of the file made of good records; a writer
// that resumes the log truncates to it. The file is read in bounded chunks, never all at once.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/file_system.h"
#include "engine/status.h"

namespace engine::log {

// The unit in which a torn write can leave never-written (zero) bytes at the end of a record.
inline constexpr size_t kUnwrittenSectorBytes = 512;

class Reader {
 public:
  // `file_name` only labels messages (e.g. "MANIFEST-000005").
  Reader(std::unique_ptr<SequentialFile> file, std::string file_name);

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record into *record. False at the end of the log (clean or torn), at
  // corruption or on a read error; then status() says which, and every later call is false too.
  bool ReadRecord(std::string* record);

  // Ok at a clean end or a torn tail; Corruption ("<file>: corrupt record at offset N: <why>") or
  // the read error otherwise.
  const Status& status() const { return status_; }
  // True when an incomplete last record was dropped.
  bool tail_was_torn() const { return tail_was_torn_; }
  // Start offset of the last record returned.
  uint64_t last_record_offset() const { return last_record_offset_; }
  // Offset just past the last good record.
  uint64_t valid_bytes() const { return valid_bytes_; }

 private:
  size_t AvailableBytes() const { return buffer_.size() - buffer_start_; }
  // Reads until AvailableBytes() >= bytes or end of file. False on a read error.
  bool Fill(size_t bytes);
  // Checks the next record; false (with the reason recorded) if there is no good one.
  bool ParseNext(std::string_view* payload);
  // Whether every byte after the first `skip` unconsumed ones, to end of file, is zero. Consumes
  // the file; only called once reading is over.
  // True if `payload` ends in a zero run of at least min(size, kUnwrittenSectorBytes) bytes.
  static bool EndsInUnwrittenSector(std::string_view payload);
  bool RestIsZero(size_t skip);
  bool EndTorn();
  bool EndCorrupt(std::string_view reason);
  bool EndWithError(const Status& error);

  const std::unique_ptr<SequentialFile> file_;
  const std::string file_name_;
  std::string buffer_;       // bytes read; those from buffer_start_ on are unconsumed
  size_t buffer_start_ = 0;  // buffer_[buffer_start_] is at file offset valid_bytes_
  std::string scratch_;      // for SequentialFile::Read
  bool end_of_file_ = false;
  bool done_ = false;
  Status status_;
  bool tail_was_torn_ = false;
  uint64_t last_record_offset_ = 0;
  uint64_t valid_bytes_ = 0;
};

}  // namespace engine::log
