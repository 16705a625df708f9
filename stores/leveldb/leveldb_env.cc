#include "stores/leveldb/leveldb_env.h"

#include <cstdarg>
#include <string>
#include <utility>
#include <vector>

#include "stores/engine_status.h"
#include "stores/file_reads.h"
#include "stores/info_log_file.h"

namespace stores {
namespace {

using engine::FileSystem;

bool IsManifest(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string::npos
                                    ? std::string_view(path)
                                    : std::string_view(path).substr(slash + 1);
  return name.starts_with("MANIFEST");
}

class SequentialFileAdapter final : public leveldb::SequentialFile {
 public:
  explicit SequentialFileAdapter(std::unique_ptr<engine::SequentialFile> file)
      : file_(std::move(file)) {}

  leveldb::Status Read(size_t n, leveldb::Slice* result, char* scratch) override {
    auto read = ReadNext(file_.get(), n, &buffer_, scratch);
    if (!read.ok()) return ToLevelDbStatus(read.status());
    *result = leveldb::Slice(scratch, read.value());
    return leveldb::Status::OK();
  }
  leveldb::Status Skip(uint64_t n) override {
    return ToLevelDbStatus(SkipNext(file_.get(), n, &buffer_));
  }

 private:
  std::unique_ptr<engine::SequentialFile> file_;
  std::string buffer_;
};

class RandomAccessFileAdapter final : public leveldb::RandomAccessFile {
 public:
  explicit RandomAccessFileAdapter(std::unique_ptr<engine::RandomAccessFile> file)
      : file_(std::move(file)) {}

  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    auto read = ReadAt(*file_, offset, n, scratch);
    if (!read.ok()) return ToLevelDbStatus(read.status());
    *result = leveldb::Slice(scratch, read.value());
    return leveldb::Status::OK();
  }

 private:
  const std::unique_ptr<engine::RandomAccessFile> file_;
};

class WritableFileAdapter final : public leveldb::WritableFile {
 public:
  WritableFileAdapter(FileSystem* fs, std::string path, std::unique_ptr<engine::WritableFile> file)
      : fs_(fs), path_(std::move(path)), manifest_(IsManifest(path_)), file_(std::move(file)) {}

  leveldb::Status Append(const leveldb::Slice& data) override {
    return ToLevelDbStatus(file_->Append(std::string_view(data.data(), data.size())));
  }
  leveldb::Status Close() override { return ToLevelDbStatus(file_->Close()); }
  leveldb::Status Flush() override { return leveldb::Status::OK(); }  // appends are not buffered
  leveldb::Status Sync() override {
    // As LevelDB's PosixWritableFile::Sync: a MANIFEST's directory is synced first, so the files
    // the MANIFEST is about to name (and the MANIFEST itself) exist after a power loss.
    if (manifest_) {
      if (engine::Status s = fs_->SyncDir(engine::ParentDir(path_)); !s.ok()) {
        return ToLevelDbStatus(s);
      }
    }
    return ToLevelDbStatus(file_->Sync());
  }

 private:
  FileSystem* const fs_;
  const std::string path_;
  const bool manifest_;
  const std::unique_ptr<engine::WritableFile> file_;
};

class FileLockAdapter final : public leveldb::FileLock {
 public:
  explicit FileLockAdapter(std::unique_ptr<engine::FileLock> lock) : lock_(std::move(lock)) {}

 private:
  std::unique_ptr<engine::FileLock> lock_;
};

// LevelDB's info log, written through the file system.
class FileLogger final : public leveldb::Logger {
 public:
  explicit FileLogger(std::unique_ptr<engine::WritableFile> file) : log_(std::move(file)) {}
  void Logv(const char* format, std::va_list ap) override { log_.Logv(format, ap); }

 private:
  InfoLogFile log_;
};

}  // namespace

leveldb::Status ToLevelDbStatus(const engine::Status& s) {
  if (s.ok()) return leveldb::Status::OK();
  const std::string text = MessageForEngine(s);
  if (s.IsNotFound()) return leveldb::Status::NotFound(text);
  return leveldb::Status::IOError(text);
}

FileSystemEnv::FileSystemEnv(std::shared_ptr<engine::FileSystem> fs)
    : leveldb::EnvWrapper(leveldb::Env::Default()), fs_(std::move(fs)) {}

leveldb::Status FileSystemEnv::NewSequentialFile(const std::string& path,
                                                 leveldb::SequentialFile** result) {
  *result = nullptr;
  auto file = fs_->NewSequentialFile(path);
  if (!file.ok()) return ToLevelDbStatus(file.status());
  *result = new SequentialFileAdapter(std::move(file.value()));
  return leveldb::Status::OK();
}

leveldb::Status FileSystemEnv::NewRandomAccessFile(const std::string& path,
                                                   leveldb::RandomAccessFile** result) {
  *result = nullptr;
  auto file = fs_->NewRandomAccessFile(path);
  if (!file.ok()) return ToLevelDbStatus(file.status());
  *result = new RandomAccessFileAdapter(std::move(file.value()));
  return leveldb::Status::OK();
}

leveldb::Status FileSystemEnv::NewWritableFile(const std::string& path,
                                               leveldb::WritableFile** result) {
  *result = nullptr;
  auto file = fs_->NewWritableFile(path);
  if (!file.ok()) return ToLevelDbStatus(file.status());
  *result = new WritableFileAdapter(fs_.get(), path, std::move(file.value()));
  return leveldb::Status::OK();
}

leveldb::Status FileSystemEnv::NewAppendableFile(const std::string& path,
                                                 leveldb::WritableFile** result) {
  *result = nullptr;
  return leveldb::Status::NotSupported("appending to an existing file", path);
}

bool FileSystemEnv::FileExists(const std::string& path) { return fs_->FileExists(path); }

leveldb::Status FileSystemEnv::GetChildren(const std::string& dir,
                                           std::vector<std::string>* names) {
  names->clear();
  return ToLevelDbStatus(fs_->GetChildren(dir, names));
}

leveldb::Status FileSystemEnv::RemoveFile(const std::string& path) {
  return ToLevelDbStatus(fs_->DeleteFile(path));
}

leveldb::Status FileSystemEnv::CreateDir(const std::string& dir) {
  return ToLevelDbStatus(fs_->CreateDirIfMissing(dir));
}

leveldb::Status FileSystemEnv::RemoveDir(const std::string& dir) {
  return leveldb::Status::NotSupported("removing a directory", dir);
}

leveldb::Status FileSystemEnv::GetFileSize(const std::string& path, uint64_t* size) {
  auto s = fs_->GetFileSize(path);
  *size = s.ok() ? s.value() : 0;
  return ToLevelDbStatus(s.status());
}

leveldb::Status FileSystemEnv::RenameFile(const std::string& from, const std::string& to) {
  return ToLevelDbStatus(fs_->RenameFile(from, to));
}

leveldb::Status FileSystemEnv::LockFile(const std::string& path, leveldb::FileLock** lock) {
  *lock = nullptr;
  auto held = fs_->LockFile(path);
  if (!held.ok()) return ToLevelDbStatus(held.status());
  *lock = new FileLockAdapter(std::move(held.value()));
  return leveldb::Status::OK();
}

leveldb::Status FileSystemEnv::UnlockFile(leveldb::FileLock* lock) {
  delete lock;
  return leveldb::Status::OK();
}

leveldb::Status FileSystemEnv::NewLogger(const std::string& path, leveldb::Logger** result) {
  *result = nullptr;
  auto file = fs_->NewWritableFile(path);
  if (!file.ok()) return ToLevelDbStatus(file.status());
  *result = new FileLogger(std::move(file.value()));
  return leveldb::Status::OK();
}

}  // namespace stores
