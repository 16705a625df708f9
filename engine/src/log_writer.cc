#include "log_writer.h"

#include <string>

#include "checksum.h"
#include "coding.h"
#include "log_format.h"

namespace engine::log {

Writer::Writer(WritableFile* dest) : dest_(dest) {}

Status Writer::AddRecord(std::string_view payload) {
  if (payload.size() > kRecordBytesMax) {
    return Status::InvalidArgument("log record of " + std::to_string(payload.size()) +
                                   " bytes exceeds the maximum of " +
                                   std::to_string(kRecordBytesMax));
  }
  // One buffer and one Append: a crash can then tear only this record, and only at its end.
  std::string record(kHeaderBytes, '\0');
  EncodeFixed32(&record[kLengthOffset], static_cast<uint32_t>(payload.size()));
  EncodeFixed32(&record[kPayloadChecksumOffset], Checksum(payload));
  EncodeFixed32(&record[kHeaderChecksumOffset],
                Checksum(std::string_view(record.data(), kHeaderChecksumOffset)));
  record.append(payload);
  return dest_->Append(record);
}

}  // namespace engine::log
