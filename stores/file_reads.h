// The reads both real-engine file adapters (stores::FileSystemEnv, stores::EngineFileSystem) make
// through an engine::FileSystem file, into the caller's scratch buffer as LevelDB's and RocksDB's
// file APIs require. Each returns the bytes read (fewer than asked: end of file) or the failure.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/file_system.h"

namespace stores {

// Up to `n` bytes of `file`'s next bytes, copied to `scratch`. `buffer` is the file's own.
inline engine::Result<size_t> ReadNext(engine::SequentialFile* file, size_t n, std::string* buffer,
                                       char* scratch) {
  std::string_view read;
  if (engine::Status s = file->Read(n, buffer, &read); !s.ok()) return s;
  std::memcpy(scratch, read.data(), read.size());
  return read.size();
}

// Reads past `n` bytes of `file` (stopping at its end, as a POSIX lseek past it would).
inline engine::Status SkipNext(engine::SequentialFile* file, uint64_t n, std::string* buffer) {
  while (n > 0) {
    std::string_view read;
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, 1 << 16));
    if (engine::Status s = file->Read(chunk, buffer, &read); !s.ok()) return s;
    if (read.empty()) break;
    n -= read.size();
  }
  return engine::Status::Ok();
}

// Up to `n` bytes of `file` at `offset`, copied to `scratch`.
inline engine::Result<size_t> ReadAt(const engine::RandomAccessFile& file, uint64_t offset,
                                     size_t n, char* scratch) {
  std::string buffer;
  std::string_view read;
  if (engine::Status s = file.Read(offset, n, &buffer, &read); !s.ok()) return s;
  std::memcpy(scratch, read.data(), read.size());
  return read.size();
}

}  // namespace stores
