// InfoLogFile: an engine's info log (LevelDB's and RocksDB's LOG) written through an
// engine::FileSystem file, one line per message, prefixed with the time and the thread the way
// both engines' POSIX loggers do. Each engine's Logger class wraps one (stores/leveldb/, rocksdb/).
//
// Thread contract: thread-safe.
#pragma once

#include <cstdarg>
#include <memory>
#include <mutex>

#include "engine/file_system.h"

namespace stores {

class InfoLogFile {
 public:
  explicit InfoLogFile(std::unique_ptr<engine::WritableFile> file);
  ~InfoLogFile();
  InfoLogFile(const InfoLogFile&) = delete;
  InfoLogFile& operator=(const InfoLogFile&) = delete;

  // Formats one message (printf-style) and appends it as a line; a line that cannot be written is
  // dropped, as the engines' own loggers drop it.
  void Logv(const char* format, std::va_list ap);

 private:
  std::mutex mu_;
  const std::unique_ptr<engine::WritableFile> file_;  // appends guarded by mu_
};

}  // namespace stores
