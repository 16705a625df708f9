// FileSystem: the engine's only way to touch storage.
//
// The engine never calls POSIX directly; it goes through a FileSystem so that tests can run it on
// an in-memory file system and the fault layer (faults::FaultFS) can wrap either implementation to
// inject errors and simulate power loss. Paths are plain strings; directories are separated by '/'.
//
// Durability contract (what an implementation must honour and FaultFS models): data appended to a
// WritableFile survives a power loss only after Sync() returns ok; a file created, deleted or
// renamed survives only after SyncDir() on its directory returns ok.
//
// Thread contract: FileSystem and RandomAccessFile are thread-safe; WritableFile and
// SequentialFile are thread-compatible (one user at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace engine {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes every byte appended so far durable.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes appended so far (including unsynced ones).
  virtual uint64_t Size() const = 0;
};

class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes into `scratch` and points `result` at them. At end of file `result` is
  // empty and the Status is ok.
  virtual Status Read(size_t n, std::string* scratch, std::string_view* result) = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `scratch`; `result` may point into `scratch` or into
  // memory owned by the file. Fewer than `n` bytes means end of file.
  virtual Status Read(uint64_t offset, size_t n, std::string* scratch,
                      std::string_view* result) const = 0;
};

// An exclusive lock on a file (the DB's LOCK); released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates or truncates `path` for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries in `dir`, excluding "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual Status DeleteFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual Status CreateDirIfMissing(const std::string& dir) = 0;
  // Makes the creations, deletions and renames of entries in `dir` durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes an exclusive lock on `path` (creating it), failing if another holder has it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// The real file system (POSIX calls, flock for LockFile).
std::shared_ptr<FileSystem> NewPosixFileSystem();
// A file system held in memory; LockFile locks are per FileSystem instance. Unsynced data is kept
// (it models a machine that never loses power; FaultFS adds the loss).
std::shared_ptr<FileSystem> NewMemFileSystem();

// Path spelling shared by every FileSystem implementation, so a directory names the same thing in
// each: "a/b/c" -> "a/b"; "/c" -> "/"; "c" -> "" (the current directory).
std::string ParentDir(const std::string& path);
// "a/b/" -> "a/b": a directory spelled with a trailing slash is the same directory.
std::string TrimDir(std::string dir);

// Convenience helpers built on the interface.
Status ReadFileToString(FileSystem* fs, const std::string& path, std::string* data);
// Writes `data` to `path` through a temp file that is synced and renamed, then syncs `dir`.
Status WriteFileAtomically(FileSystem* fs, const std::string& dir, const std::string& path,
                           std::string_view data);

}  // namespace engine
