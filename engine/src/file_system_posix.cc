// The POSIX FileSystem: the real disk, through open/mmap/pread/write/fsync/rename/unlink.
//
// Every failure is Status::FromErrno(errno, path), so messages name the file and read the same as
// the in-memory implementation's. Reads and writes retry on EINTR and loop over short transfers.
// LockFile uses flock on the LOCK file plus a process-wide set of held paths: flock already
// conflicts between two opens in one process on local disks, but not on every file system (NFS
// emulates it with fcntl locks, which do not), and the set makes the same-process case certain.
//
// A RandomAccessFile (what tables are read through) maps the whole file read-only when it opens,
// like LevelDB on 64-bit hosts: a read is then a view into the mapping, with no system call and no
// copy, valid until the file object is destroyed (which unmaps it). The engine opens files for
// random access only once they are complete and never changes them afterwards; a mapping sees the
// length the file had at open, and later in-place writes (as a test that flips bits does) as they
// happen. Shrinking a mapped file under a reader would fault it (SIGBUS) where pread returned a
// short read; nothing in vstress does that to a table that is open. At most kMappedFilesMax files
// are mapped at once per process (a mapping costs a kernel map entry, and vm.max_map_count is
// finite); past that, and wherever mmap fails (an empty file, a 32-bit host), the file falls back
// to pread into the caller's scratch.
//
// Thread contract: thread-safe (FileSystem, RandomAccessFile); WritableFile and SequentialFile are
// thread-compatible.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <set>

#include "engine/file_system.h"

namespace engine {
namespace {

// Every descriptor is close-on-exec so a harness that forks a child does not leak them (a leaked
// LOCK descriptor would keep the DB locked after the parent closes it).
int OpenRetrying(const std::string& path, int flags, mode_t mode = 0644) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

Status WriteAll(int fd, const std::string& path, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, path);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    Status s = WriteAll(fd_, path_, data);
    if (s.ok()) size_bytes_ += data.size();
    return s;
  }

  Status Sync() override {
#ifdef __linux__
    // fdatasync also flushes the file size, which is all the metadata a reader needs.
    const int rc = ::fdatasync(fd_);
#else
    const int rc = ::fsync(fd_);
#endif
    return rc == 0 ? Status::Ok() : Status::FromErrno(errno, path_);
  }

  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    // close is not retried on EINTR: on Linux the descriptor is gone either way.
    if (::close(fd) != 0) return Status::FromErrno(errno, path_);
    return Status::Ok();
  }

  uint64_t Size() const override { return size_bytes_; }

 private:
  int fd_;
  const std::string path_;
  uint64_t size_bytes_ = 0;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, std::string* scratch, std::string_view* result) override {
    scratch->resize(n);
    ssize_t got;
    do {
      got = ::read(fd_, scratch->data(), n);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      *result = {};
      return Status::FromErrno(errno, path_);
    }
    *result = std::string_view(scratch->data(), static_cast<size_t>(got));
    return Status::Ok();
  }

 private:
  const int fd_;
  const std::string path_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  // pread has no shared file position, so concurrent readers need no lock. It may return fewer
  // bytes than asked before end of file, hence the loop until 0 (end) or n.
  Status Read(uint64_t offset, size_t n, std::string* scratch,
              std::string_view* result) const override {
    scratch->resize(n);
    size_t filled = 0;
    while (filled < n) {
      const ssize_t got =
          ::pread(fd_, scratch->data() + filled, n - filled, static_cast<off_t>(offset + filled));
      if (got < 0) {
        if (errno == EINTR) continue;
        *result = {};
        return Status::FromErrno(errno, path_);
      }
      if (got == 0) break;
      filled += static_cast<size_t>(got);
    }
    *result = std::string_view(scratch->data(), filled);
    return Status::Ok();
  }

 private:
  const int fd_;
  const std::string path_;
};

// LevelDB's bound on 64-bit hosts: far below the default vm.max_map_count (65530), yet more tables
// than a DB keeps open by default.
constexpr int kMappedFilesMax = 1000;
static_assert(kMappedFilesMax > 0);

// Counts the files this process has mapped, so that no more than kMappedFilesMax are at once.
// Never destroyed, so a file unmapped during static destruction still finds it.
class MappedFileSlots {
 public:
  // True (and one slot taken) if another file may be mapped.
  bool Acquire() {
    int in_use = in_use_.load(std::memory_order_relaxed);
    do {
      if (in_use >= kMappedFilesMax) return false;
    } while (!in_use_.compare_exchange_weak(in_use, in_use + 1, std::memory_order_relaxed));
    return true;
  }
  void Release() {
    const int before = in_use_.fetch_sub(1, std::memory_order_relaxed);
    if (before <= 0) std::abort();  // a slot released twice: a bug in this file
  }

 private:
  std::atomic<int> in_use_{0};
};
MappedFileSlots& ProcessMappedFileSlots() {
  static MappedFileSlots* const slots = new MappedFileSlots;
  return *slots;
}

// A file mapped whole and read-only. Reads are views into the mapping; the mapping, and so every
// view, lives until the object is destroyed.
class PosixMappedRandomAccessFile final : public RandomAccessFile {
 public:
  // Takes over the mapping [base, base + length) and one slot of ProcessMappedFileSlots().
  PosixMappedRandomAccessFile(const char* base, size_t length) : base_(base), length_(length) {}
  ~PosixMappedRandomAccessFile() override {
    ::munmap(const_cast<char*>(base_), length_);
    ProcessMappedFileSlots().Release();
  }

  // Never fails and never touches `scratch`. Fewer than `n` bytes means end of file.
  Status Read(uint64_t offset, size_t n, std::string* /*scratch*/,
              std::string_view* result) const override {
    if (offset >= length_) {
      *result = {};
    } else {
      const size_t available = length_ - static_cast<size_t>(offset);
      *result = std::string_view(base_ + offset, n < available ? n : available);
    }
    return Status::Ok();
  }

 private:
  const char* const base_;
  const size_t length_;
};

// Maps the open file `fd` whole, or returns null (the caller then preads): when the process has
// kMappedFilesMax files mapped, the host is 32-bit, the file is empty, or mmap fails.
std::unique_ptr<RandomAccessFile> TryMapFile(int fd) {
  if constexpr (sizeof(size_t) < sizeof(uint64_t)) {
    return nullptr;  // a 32-bit address space is too small to map tables
  } else {
    struct stat st;
    if (::fstat(fd, &st) != 0 || st.st_size <= 0) return nullptr;
    const auto length = static_cast<size_t>(st.st_size);
    if (!ProcessMappedFileSlots().Acquire()) return nullptr;
    void* const base = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
      ProcessMappedFileSlots().Release();
      return nullptr;
    }
    return std::make_unique<PosixMappedRandomAccessFile>(static_cast<const char*>(base), length);
  }
}

// The paths this process holds a LockFile on. Never destroyed, so a lock released during static
// destruction still finds it.
struct LockTable {
  std::mutex mu;
  std::set<std::string> paths;  // GUARDED_BY(mu)
};
LockTable& ProcessLocks() {
  static LockTable* const table = new LockTable;
  return *table;
}

Status LockedError(const std::string& path, std::string_view holder) {
  return Status::IOError(path + ": DB is locked by another process" + std::string(holder));
}

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  // Closing drops the flock; the path leaves the set only afterwards, so a racing LockFile in this
  // process fails on the set rather than finding a flock that is still held.
  ~PosixFileLock() override {
    ::close(fd_);
    LockTable& table = ProcessLocks();
    std::lock_guard<std::mutex> guard(table.mu);
    table.paths.erase(path_);
  }

 private:
  const int fd_;
  const std::string path_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    const int fd = OpenRetrying(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) return Status::FromErrno(errno, path);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(fd, path));
  }

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    const int fd = OpenRetrying(path, O_RDONLY);
    if (fd < 0) return Status::FromErrno(errno, path);
    return std::unique_ptr<SequentialFile>(std::make_unique<PosixSequentialFile>(fd, path));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    const int fd = OpenRetrying(path, O_RDONLY);
    if (fd < 0) return Status::FromErrno(errno, path);
    if (std::unique_ptr<RandomAccessFile> mapped = TryMapFile(fd)) {
      ::close(fd);  // the mapping keeps the file's data reachable without the descriptor
      return mapped;
    }
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(fd, path));
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;

  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::FromErrno(errno, path);
    return Status::Ok();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::FromErrno(errno, from);
    return Status::Ok();
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, path);
    return static_cast<uint64_t>(st.st_size);
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    int rc;
    do {
      rc = ::truncate(path.c_str(), static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    return rc == 0 ? Status::Ok() : Status::FromErrno(errno, path);
  }

  Status CreateDirIfMissing(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
};

Status PosixFileSystem::GetChildren(const std::string& dir, std::vector<std::string>* names) {
  names->clear();
  DIR* const d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno(errno, dir);
  errno = 0;
  while (const struct dirent* entry = ::readdir(d)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names->emplace_back(name);
  }
  // readdir returns null both at the end and on error; only errno tells them apart.
  const int error_number = errno;
  ::closedir(d);
  return error_number == 0 ? Status::Ok() : Status::FromErrno(error_number, dir);
}

Status PosixFileSystem::CreateDirIfMissing(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) return Status::Ok();
  if (errno != EEXIST) return Status::FromErrno(errno, dir);
  // EEXIST also covers a plain file by that name, which is not a directory we can use.
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::FromErrno(errno, dir);
  return S_ISDIR(st.st_mode) ? Status::Ok() : Status::FromErrno(ENOTDIR, dir);
}

Status PosixFileSystem::SyncDir(const std::string& dir) {
  const int fd = OpenRetrying(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::FromErrno(errno, dir);
  Status s;
  if (::fsync(fd) != 0) s = Status::FromErrno(errno, dir);
  ::close(fd);
  return s;
}

Result<std::unique_ptr<FileLock>> PosixFileSystem::LockFile(const std::string& path) {
  LockTable& table = ProcessLocks();
  {
    std::lock_guard<std::mutex> guard(table.mu);
    if (!table.paths.insert(path).second) return LockedError(path, " (or by this one)");
  }
  const int fd = OpenRetrying(path, O_RDWR | O_CREAT);
  Status s;
  if (fd < 0) {
    s = Status::FromErrno(errno, path);
  } else if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    s = errno == EWOULDBLOCK ? LockedError(path, "") : Status::FromErrno(errno, path);
    ::close(fd);
  }
  if (s.ok()) return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd, path));
  std::lock_guard<std::mutex> guard(table.mu);
  table.paths.erase(path);
  return s;
}

}  // namespace

std::shared_ptr<FileSystem> NewPosixFileSystem() { return std::make_shared<PosixFileSystem>(); }

}  // namespace engine
