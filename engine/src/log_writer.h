// log::Writer: appends records in the log format (log_format.h) to a WritableFile.
//
// Each record goes to the file in a single Append, so a failed append leaves at most one torn
// record at the end, which log::Reader drops as a torn tail. The Writer does not own the file and
// keeps no position of its own: the file may already hold records, and the caller decides when to
// Sync.
//
// Thread contract: thread-compatible (one appender at a time, like its WritableFile).
#pragma once

#include <string_view>

#include "engine/file_system.h"
#include "engine/status.h"

namespace engine::log {

class Writer {
 public:
  // Does not own `dest`, which must outlive the Writer.
  explicit Writer(WritableFile* dest);

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends one record holding `payload`. InvalidArgument (and nothing written) if the payload is
  // longer than kRecordBytesMax, since no reader would accept it.
  Status AddRecord(std::string_view payload);

 private:
  WritableFile* const dest_;
};

}  // namespace engine::log
