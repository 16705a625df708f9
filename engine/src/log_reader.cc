#include "log_reader.h"

#include <algorithm>

#include "checksum.h"
#include "coding.h"
#include "log_format.h"

namespace engine::log {
namespace {

// Bytes asked of the file per Read. The buffer grows only as data actually arrives, so a record
// costs memory in proportion to the bytes the file really holds, whatever its header claims.
constexpr size_t kReadChunkBytes = 256 * 1024;

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

}  // namespace

Reader::Reader(std::unique_ptr<SequentialFile> file, std::string file_name)
    : file_(std::move(file)), file_name_(std::move(file_name)) {}

bool Reader::ReadRecord(std::string* record) {
  record->clear();
  if (done_) return false;
  std::string_view payload;
  if (!ParseNext(&payload)) {
    done_ = true;
    return false;
  }
  record->assign(payload);
  const size_t record_bytes = kHeaderBytes + payload.size();
  last_record_offset_ = valid_bytes_;
  valid_bytes_ += record_bytes;
  buffer_start_ += record_bytes;
  return true;
}

bool Reader::ParseNext(std::string_view* payload) {
  if (!Fill(kHeaderBytes)) return false;
  if (AvailableBytes() == 0) return false;  // clean end
  if (AvailableBytes() < kHeaderBytes) return EndTorn();
  const char* header = buffer_.data() + buffer_start_;
  if (Checksum(std::string_view(header, kHeaderChecksumOffset)) !=
      DecodeFixed32(header + kHeaderChecksumOffset)) {
    return RestIsZero(0) ? EndTorn() : EndCorrupt("header checksum mismatch");
  }
  const uint32_t length = DecodeFixed32(header + kLengthOffset);
  const uint32_t expected_checksum = DecodeFixed32(header + kPayloadChecksumOffset);
  if (length > kRecordBytesMax) {
    return EndCorrupt("record length " + std::to_string(length) + " exceeds the maximum of " +
                      std::to_string(kRecordBytesMax));
  }
  const size_t record_bytes = kHeaderBytes + length;
  if (!Fill(record_bytes)) return false;  // may move buffer_: `header` is stale from here
  if (AvailableBytes() < record_bytes) return EndTorn();
  *payload = std::string_view(buffer_.data() + buffer_start_ + kHeaderBytes, length);
  if (Checksum(*payload) != expected_checksum) {
    // Only a tail that never reached disk (a zeroed sector or more) is a torn write; other damage
    // is corruption, or one flipped bit would silently drop a synced record.
    return EndsInUnwrittenSector(*payload) && RestIsZero(record_bytes)
               ? EndTorn()
               : EndCorrupt("payload checksum mismatch");
  }
  return true;
}

bool Reader::Fill(size_t bytes) {
  while (AvailableBytes() < bytes && !end_of_file_) {
    // Drop consumed bytes first; what is left is shorter than one record, so this stays cheap.
    buffer_.erase(0, buffer_start_);
    buffer_start_ = 0;
    std::string_view chunk;
    const Status s = file_->Read(kReadChunkBytes, &scratch_, &chunk);
    if (!s.ok()) return EndWithError(s);
    if (chunk.empty()) {
      end_of_file_ = true;
    } else {
      buffer_.append(chunk);
    }
  }
  return true;
}

bool Reader::EndsInUnwrittenSector(std::string_view payload) {
  const size_t last_nonzero = payload.find_last_not_of('\0');
  const size_t zero_run =
      last_nonzero == std::string_view::npos ? payload.size() : payload.size() - last_nonzero - 1;
  return zero_run >= std::min(payload.size(), kUnwrittenSectorBytes);
}

bool Reader::RestIsZero(size_t skip) {
  if (!AllZero(std::string_view(buffer_).substr(buffer_start_ + skip))) return false;
  while (!end_of_file_) {
    std::string_view chunk;
    const Status s = file_->Read(kReadChunkBytes, &scratch_, &chunk);
    if (!s.ok()) return EndWithError(s);
    if (chunk.empty()) end_of_file_ = true;
    if (!AllZero(chunk)) return false;
  }
  return true;
}

bool Reader::EndTorn() {
  tail_was_torn_ = true;
  return false;
}

bool Reader::EndCorrupt(std::string_view reason) {
  // A read error met while deciding (in RestIsZero) is the better explanation; keep it.
  if (status_.ok()) {
    status_ = Status::Corruption(file_name_ + ": corrupt record at offset " +
                                 std::to_string(valid_bytes_) + ": " + std::string(reason));
  }
  return false;
}

bool Reader::EndWithError(const Status& error) {
  status_ = error;
  return false;
}

}  // namespace engine::log
