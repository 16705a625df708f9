#include "stores/rocksdb/rocksdb_file_system.h"

#include <rocksdb/env.h>

#include <cstdarg>
#include <string_view>
#include <utility>

#include "stores/engine_status.h"
#include "stores/file_reads.h"
#include "stores/info_log_file.h"

namespace stores {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

class SequentialFileAdapter final : public rocksdb::FSSequentialFile {
 public:
  explicit SequentialFileAdapter(std::unique_ptr<engine::SequentialFile> file)
      : file_(std::move(file)) {}

  IOStatus Read(size_t n, const IOOptions&, rocksdb::Slice* result, char* scratch,
                IODebugContext*) override {
    auto read = ReadNext(file_.get(), n, &buffer_, scratch);
    if (!read.ok()) return ToRocksDbStatus(read.status());
    *result = rocksdb::Slice(scratch, read.value());
    return IOStatus::OK();
  }
  IOStatus Skip(uint64_t n) override { return ToRocksDbStatus(SkipNext(file_.get(), n, &buffer_)); }

 private:
  std::unique_ptr<engine::SequentialFile> file_;
  std::string buffer_;
};

class RandomAccessFileAdapter final : public rocksdb::FSRandomAccessFile {
 public:
  explicit RandomAccessFileAdapter(std::unique_ptr<engine::RandomAccessFile> file)
      : file_(std::move(file)) {}

  IOStatus Read(uint64_t offset, size_t n, const IOOptions&, rocksdb::Slice* result, char* scratch,
                IODebugContext*) const override {
    auto read = ReadAt(*file_, offset, n, scratch);
    if (!read.ok()) return ToRocksDbStatus(read.status());
    *result = rocksdb::Slice(scratch, read.value());
    return IOStatus::OK();
  }

 private:
  const std::unique_ptr<engine::RandomAccessFile> file_;
};

class WritableFileAdapter final : public rocksdb::FSWritableFile {
 public:
  explicit WritableFileAdapter(std::unique_ptr<engine::WritableFile> file)
      : file_(std::move(file)) {}

  IOStatus Append(const rocksdb::Slice& data, const IOOptions&, IODebugContext*) override {
    return ToRocksDbStatus(file_->Append(std::string_view(data.data(), data.size())));
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo&, IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override {
    return ToRocksDbStatus(file_->Close());
  }
  IOStatus Flush(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Sync(const IOOptions&, IODebugContext*) override {
    return ToRocksDbStatus(file_->Sync());
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return Sync(options, dbg);
  }
  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override { return file_->Size(); }

 private:
  const std::unique_ptr<engine::WritableFile> file_;
};

// The DB directory: RocksDB syncs it after the creations, renames and deletions it needs durable.
class DirectoryAdapter final : public rocksdb::FSDirectory {
 public:
  DirectoryAdapter(engine::FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    return ToRocksDbStatus(fs_->SyncDir(path_));
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }

 private:
  engine::FileSystem* const fs_;
  const std::string path_;
};

class FileLockAdapter final : public rocksdb::FileLock {
 public:
  explicit FileLockAdapter(std::unique_ptr<engine::FileLock> lock) : lock_(std::move(lock)) {}

 private:
  std::unique_ptr<engine::FileLock> lock_;
};

// RocksDB's info log, written through the file system.
class FileLogger final : public rocksdb::Logger {
 public:
  explicit FileLogger(std::unique_ptr<engine::WritableFile> file) : log_(std::move(file)) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, std::va_list ap) override { log_.Logv(format, ap); }

 protected:
  rocksdb::Status CloseImpl() override { return rocksdb::Status::OK(); }

 private:
  InfoLogFile log_;
};

IOStatus Unsupported(const char* what, const std::string& path) {
  return IOStatus::NotSupported(what, path);
}

}  // namespace

rocksdb::IOStatus ToRocksDbStatus(const engine::Status& s) {
  if (s.ok()) return IOStatus::OK();
  const std::string text = MessageForEngine(s);
  if (s.IsNotFound()) return IOStatus::NotFound(text);
  if (s.IsNoSpace()) return IOStatus::NoSpace(text);
  return IOStatus::IOError(text);
}

EngineFileSystem::EngineFileSystem(std::shared_ptr<engine::FileSystem> fs)
    : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()), fs_(std::move(fs)) {}

IOStatus EngineFileSystem::NewSequentialFile(const std::string& path, const rocksdb::FileOptions&,
                                             std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                             IODebugContext*) {
  auto file = fs_->NewSequentialFile(path);
  if (!file.ok()) return ToRocksDbStatus(file.status());
  *result = std::make_unique<SequentialFileAdapter>(std::move(file.value()));
  return IOStatus::OK();
}

IOStatus EngineFileSystem::NewRandomAccessFile(const std::string& path, const rocksdb::FileOptions&,
                                               std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                               IODebugContext*) {
  auto file = fs_->NewRandomAccessFile(path);
  if (!file.ok()) return ToRocksDbStatus(file.status());
  *result = std::make_unique<RandomAccessFileAdapter>(std::move(file.value()));
  return IOStatus::OK();
}

IOStatus EngineFileSystem::NewWritableFile(const std::string& path, const rocksdb::FileOptions&,
                                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                                           IODebugContext*) {
  auto file = fs_->NewWritableFile(path);
  if (!file.ok()) return ToRocksDbStatus(file.status());
  *result = std::make_unique<WritableFileAdapter>(std::move(file.value()));
  return IOStatus::OK();
}

IOStatus EngineFileSystem::ReopenWritableFile(const std::string& path, const rocksdb::FileOptions&,
                                              std::unique_ptr<rocksdb::FSWritableFile>*,
                                              IODebugContext*) {
  return Unsupported("reopening a file for appending", path);
}

IOStatus EngineFileSystem::ReuseWritableFile(const std::string& path, const std::string&,
                                             const rocksdb::FileOptions&,
                                             std::unique_ptr<rocksdb::FSWritableFile>*,
                                             IODebugContext*) {
  return Unsupported("recycling a WAL file", path);
}

IOStatus EngineFileSystem::NewRandomRWFile(const std::string& path, const rocksdb::FileOptions&,
                                           std::unique_ptr<rocksdb::FSRandomRWFile>*,
                                           IODebugContext*) {
  return Unsupported("a random read-write file", path);
}

IOStatus EngineFileSystem::NewDirectory(const std::string& path, const IOOptions&,
                                        std::unique_ptr<rocksdb::FSDirectory>* result,
                                        IODebugContext*) {
  *result = std::make_unique<DirectoryAdapter>(fs_.get(), path);
  return IOStatus::OK();
}

IOStatus EngineFileSystem::FileExists(const std::string& path, const IOOptions&, IODebugContext*) {
  return fs_->FileExists(path) ? IOStatus::OK() : IOStatus::NotFound(path);
}

IOStatus EngineFileSystem::GetChildren(const std::string& dir, const IOOptions&,
                                       std::vector<std::string>* names, IODebugContext*) {
  names->clear();
  return ToRocksDbStatus(fs_->GetChildren(dir, names));
}

IOStatus EngineFileSystem::DeleteFile(const std::string& path, const IOOptions&, IODebugContext*) {
  return ToRocksDbStatus(fs_->DeleteFile(path));
}

IOStatus EngineFileSystem::Truncate(const std::string& path, size_t, const IOOptions&,
                                    IODebugContext*) {
  return Unsupported("truncating a file by name", path);
}

IOStatus EngineFileSystem::CreateDir(const std::string& dir, const IOOptions& options,
                                     IODebugContext* dbg) {
  return CreateDirIfMissing(dir, options, dbg);
}

IOStatus EngineFileSystem::CreateDirIfMissing(const std::string& dir, const IOOptions&,
                                              IODebugContext*) {
  return ToRocksDbStatus(fs_->CreateDirIfMissing(dir));
}

IOStatus EngineFileSystem::DeleteDir(const std::string& dir, const IOOptions&, IODebugContext*) {
  return Unsupported("removing a directory", dir);
}

IOStatus EngineFileSystem::GetFileSize(const std::string& path, const IOOptions&, uint64_t* size,
                                       IODebugContext*) {
  auto s = fs_->GetFileSize(path);
  *size = s.ok() ? s.value() : 0;
  return ToRocksDbStatus(s.status());
}

IOStatus EngineFileSystem::RenameFile(const std::string& from, const std::string& to,
                                      const IOOptions&, IODebugContext*) {
  return ToRocksDbStatus(fs_->RenameFile(from, to));
}

IOStatus EngineFileSystem::LinkFile(const std::string& from, const std::string&, const IOOptions&,
                                    IODebugContext*) {
  return Unsupported("a hard link", from);
}

IOStatus EngineFileSystem::LockFile(const std::string& path, const IOOptions&,
                                    rocksdb::FileLock** lock, IODebugContext*) {
  *lock = nullptr;
  auto held = fs_->LockFile(path);
  if (!held.ok()) return ToRocksDbStatus(held.status());
  *lock = new FileLockAdapter(std::move(held.value()));
  return IOStatus::OK();
}

IOStatus EngineFileSystem::UnlockFile(rocksdb::FileLock* lock, const IOOptions&, IODebugContext*) {
  delete lock;
  return IOStatus::OK();
}

IOStatus EngineFileSystem::NewLogger(const std::string& path, const IOOptions&,
                                     std::shared_ptr<rocksdb::Logger>* result, IODebugContext*) {
  auto file = fs_->NewWritableFile(path);
  if (!file.ok()) return ToRocksDbStatus(file.status());
  *result = std::make_shared<FileLogger>(std::move(file.value()));
  return IOStatus::OK();
}

}  // namespace stores
