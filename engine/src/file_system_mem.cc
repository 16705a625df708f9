// The in-memory FileSystem: a map from path to shared file contents, for fast tests.
//
// It mirrors the POSIX implementation's behaviour where the engine can observe it: a file's parent
// directory must exist (directories exist only once CreateDirIfMissing made them; "/" and "" always
// do), a missing file fails with the same "path: No such file or directory" IOError, and an open
// SequentialFile or RandomAccessFile keeps reading a file's data after the file is deleted or
// renamed over, as after unlink. Sync and SyncDir are no-ops: nothing here is ever lost (FaultFS
// models the loss). LockFile locks are per FileSystem instance.
//
// Thread contract: thread-safe (FileSystem, RandomAccessFile); WritableFile and SequentialFile are
// thread-compatible.
#include <cerrno>
#include <map>
#include <mutex>
#include <set>

#include "engine/file_system.h"

namespace engine {
namespace {

// One file's bytes, shared by the directory entry and every open handle (an inode).
struct FileData {
  mutable std::mutex mu;
  std::string bytes;  // GUARDED_BY(mu)
};

Status NoSuchFile(const std::string& path) { return Status::FromErrno(ENOENT, path); }

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::shared_ptr<FileData> data, std::string path)
      : data_(std::move(data)), path_(std::move(path)) {}

  Status Append(std::string_view bytes) override {
    if (closed_) return Status::FromErrno(EBADF, path_);
    std::lock_guard<std::mutex> guard(data_->mu);
    data_->bytes.append(bytes);
    size_bytes_ += bytes.size();
    return Status::Ok();
  }
  Status Sync() override { return closed_ ? Status::FromErrno(EBADF, path_) : Status::Ok(); }
  Status Close() override {
    if (closed_) return Status::FromErrno(EBADF, path_);
    closed_ = true;
    return Status::Ok();
  }
  uint64_t Size() const override { return size_bytes_; }

 private:
  const std::shared_ptr<FileData> data_;
  const std::string path_;
  uint64_t size_bytes_ = 0;
  bool closed_ = false;
};

// Copies up to `n` bytes at `offset` into `scratch`; fewer at end of file.
std::string_view CopyOut(const FileData& data, uint64_t offset, size_t n, std::string* scratch) {
  std::lock_guard<std::mutex> guard(data.mu);
  if (offset >= data.bytes.size()) {
    scratch->clear();
  } else {
    scratch->assign(data.bytes, static_cast<size_t>(offset), n);
  }
  return *scratch;
}

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<const FileData> data) : data_(std::move(data)) {}

  Status Read(size_t n, std::string* scratch, std::string_view* result) override {
    *result = CopyOut(*data_, offset_, n, scratch);
    offset_ += result->size();
    return Status::Ok();
  }

 private:
  const std::shared_ptr<const FileData> data_;
  uint64_t offset_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<const FileData> data) : data_(std::move(data)) {}

  Status Read(uint64_t offset, size_t n, std::string* scratch,
              std::string_view* result) const override {
    *result = CopyOut(*data_, offset, n, scratch);
    return Status::Ok();
  }

 private:
  const std::shared_ptr<const FileData> data_;
};

// Held by the FileSystem and by every lock it hands out, so a lock may outlive its FileSystem.
struct MemLockTable {
  std::mutex mu;
  std::set<std::string> paths;  // GUARDED_BY(mu)
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(std::shared_ptr<MemLockTable> table, std::string path)
      : table_(std::move(table)), path_(std::move(path)) {}
  ~MemFileLock() override {
    std::lock_guard<std::mutex> guard(table_->mu);
    table_->paths.erase(path_);
  }

 private:
  const std::shared_ptr<MemLockTable> table_;
  const std::string path_;
};

class MemFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;
  Status DeleteFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status CreateDirIfMissing(const std::string& dir) override;
  Status SyncDir(const std::string&) override { return Status::Ok(); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

 private:
  // REQUIRES: mu_ held.
  bool DirExistsLocked(const std::string& dir) const {
    return dir.empty() || dir == "/" || dirs_.count(dir) > 0;
  }
  // The file at `path`, or null. REQUIRES: mu_ held.
  std::shared_ptr<FileData> FindLocked(const std::string& path) const {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : it->second;
  }
  // Opens `path` as O_CREAT (| O_TRUNC when `truncate`) would. REQUIRES: mu_ held.
  Result<std::shared_ptr<FileData>> CreateLocked(const std::string& path, bool truncate);
  std::shared_ptr<FileData> Find(const std::string& path) const {
    std::lock_guard<std::mutex> guard(mu_);
    return FindLocked(path);
  }

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileData>> files_;  // GUARDED_BY(mu_)
  std::set<std::string> dirs_;                              // GUARDED_BY(mu_)
  const std::shared_ptr<MemLockTable> locks_ = std::make_shared<MemLockTable>();
};

Result<std::shared_ptr<FileData>> MemFileSystem::CreateLocked(const std::string& path,
                                                              bool truncate) {
  if (dirs_.count(path) > 0) return Status::FromErrno(EISDIR, path);
  if (!DirExistsLocked(ParentDir(path))) return NoSuchFile(path);
  std::shared_ptr<FileData>& data = files_[path];
  if (data == nullptr) {
    data = std::make_shared<FileData>();
  } else if (truncate) {
    // Truncating in place, like O_TRUNC on the same inode: open readers see the file shrink.
    std::lock_guard<std::mutex> guard(data->mu);
    data->bytes.clear();
  }
  return data;
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::NewWritableFile(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  Result<std::shared_ptr<FileData>> data = CreateLocked(path, /*truncate=*/true);
  if (!data.ok()) return data.status();
  return std::unique_ptr<WritableFile>(
      std::make_unique<MemWritableFile>(std::move(data).value(), path));
}

Result<std::unique_ptr<SequentialFile>> MemFileSystem::NewSequentialFile(const std::string& path) {
  std::shared_ptr<FileData> data = Find(path);
  if (data == nullptr) return NoSuchFile(path);
  return std::unique_ptr<SequentialFile>(std::make_unique<MemSequentialFile>(std::move(data)));
}

Result<std::unique_ptr<RandomAccessFile>> MemFileSystem::NewRandomAccessFile(
    const std::string& path) {
  std::shared_ptr<FileData> data = Find(path);
  if (data == nullptr) return NoSuchFile(path);
  return std::unique_ptr<RandomAccessFile>(std::make_unique<MemRandomAccessFile>(std::move(data)));
}

bool MemFileSystem::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  return files_.count(path) > 0 || DirExistsLocked(TrimDir(path));
}

Status MemFileSystem::GetChildren(const std::string& dir_spelled, std::vector<std::string>* names) {
  names->clear();
  const std::string dir = TrimDir(dir_spelled);
  std::lock_guard<std::mutex> guard(mu_);
  if (!DirExistsLocked(dir)) return NoSuchFile(dir_spelled);
  // The name starts after "dir/", or right after "/" or "" (whose spelling holds the separator).
  const size_t name_start = (dir.empty() || dir == "/") ? dir.size() : dir.size() + 1;
  auto add_if_child = [&](const std::string& path) {
    if (ParentDir(path) == dir) names->push_back(path.substr(name_start));
  };
  for (const auto& [path, data] : files_) add_if_child(path);
  for (const std::string& path : dirs_) add_if_child(path);
  return Status::Ok();
}

Status MemFileSystem::DeleteFile(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  // Open handles keep their shared_ptr, so they keep reading the deleted data.
  if (files_.erase(path) == 0) {
    return dirs_.count(path) > 0 ? Status::FromErrno(EISDIR, path) : NoSuchFile(path);
  }
  return Status::Ok();
}

Status MemFileSystem::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> guard(mu_);
  std::shared_ptr<FileData> data = FindLocked(from);
  if (data == nullptr) return NoSuchFile(from);
  if (dirs_.count(to) > 0) return Status::FromErrno(EISDIR, to);
  if (!DirExistsLocked(ParentDir(to))) return NoSuchFile(to);
  files_.erase(from);
  files_[to] = std::move(data);
  return Status::Ok();
}

Result<uint64_t> MemFileSystem::GetFileSize(const std::string& path) {
  std::shared_ptr<FileData> data = Find(path);
  if (data == nullptr) return NoSuchFile(path);
  std::lock_guard<std::mutex> guard(data->mu);
  return static_cast<uint64_t>(data->bytes.size());
}

Status MemFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::shared_ptr<FileData> data = Find(path);
  if (data == nullptr) return NoSuchFile(path);
  std::lock_guard<std::mutex> guard(data->mu);
  // Growing pads with zero bytes, as ftruncate does.
  data->bytes.resize(static_cast<size_t>(size), '\0');
  return Status::Ok();
}

Status MemFileSystem::CreateDirIfMissing(const std::string& dir_spelled) {
  const std::string dir = TrimDir(dir_spelled);
  std::lock_guard<std::mutex> guard(mu_);
  if (files_.count(dir) > 0) return Status::FromErrno(ENOTDIR, dir_spelled);
  // Like mkdir (not mkdir -p): the parent must already exist.
  if (!DirExistsLocked(ParentDir(dir))) return NoSuchFile(dir_spelled);
  if (!DirExistsLocked(dir)) dirs_.insert(dir);
  return Status::Ok();
}

Result<std::unique_ptr<FileLock>> MemFileSystem::LockFile(const std::string& path) {
  {
    std::lock_guard<std::mutex> guard(mu_);
    Result<std::shared_ptr<FileData>> data = CreateLocked(path, /*truncate=*/false);
    if (!data.ok()) return data.status();
  }
  std::lock_guard<std::mutex> guard(locks_->mu);
  if (!locks_->paths.insert(path).second) {
    return Status::IOError(path + ": DB is locked by another process (or by this one)");
  }
  return std::unique_ptr<FileLock>(std::make_unique<MemFileLock>(locks_, path));
}

}  // namespace

std::shared_ptr<FileSystem> NewMemFileSystem() { return std::make_shared<MemFileSystem>(); }

}  // namespace engine
