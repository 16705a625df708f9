// Tests for both FileSystem implementations: every TEST_P runs on the POSIX one (in a fresh mkdtemp
// directory) and on the in-memory one, so the two stay interchangeable.
#include "engine/file_system.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

namespace engine {
namespace {

enum class FsKind { kPosix, kMem };

class FileSystemTest : public testing::TestWithParam<FsKind> {
 protected:
  void SetUp() override {
    if (GetParam() == FsKind::kPosix) {
      fs_ = NewPosixFileSystem();
      // Under $TMPDIR (gtest's TempDir), never a fixed /tmp: CI may give only its own.
      std::string dir_template = testing::TempDir() + "engine_fs_test_XXXXXX";
      ASSERT_NE(::mkdtemp(dir_template.data()), nullptr) << std::strerror(errno);
      dir_ = dir_template;
    } else {
      fs_ = NewMemFileSystem();
      dir_ = "/fs_test";
      ASSERT_TRUE(fs_->CreateDirIfMissing(dir_).ok());
    }
  }
  void TearDown() override {
    if (GetParam() == FsKind::kPosix && !dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void WriteFile(const std::string& name, std::string_view data) {
    Result<std::unique_ptr<WritableFile>> file = fs_->NewWritableFile(Path(name));
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string ReadFile(const std::string& name) {
    std::string data;
    const Status s = ReadFileToString(fs_.get(), Path(name), &data);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return data;
  }

  std::vector<std::string> Children() {
    std::vector<std::string> names;
    EXPECT_TRUE(fs_->GetChildren(dir_, &names).ok());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::shared_ptr<FileSystem> fs_;
  std::string dir_;
};

std::string Pattern(size_t bytes) {
  std::string data(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) data[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return data;
}

// Appended bytes, in several Appends, read back whole; Size() counts them.
TEST_P(FileSystemTest, WriteThenReadBack) {
  Result<std::unique_ptr<WritableFile>> file = fs_->NewWritableFile(Path("a"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("hello, ").ok());
  ASSERT_TRUE((*file)->Append(std::string("\0bin\0", 5)).ok());
  EXPECT_EQ((*file)->Size(), 12u);
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(ReadFile("a"), std::string("hello, \0bin\0", 12));
}

// NewWritableFile on an existing file truncates it.
TEST_P(FileSystemTest, NewWritableFileTruncates) {
  WriteFile("a", "a long first version");
  WriteFile("a", "short");
  EXPECT_EQ(ReadFile("a"), "short");
}

// A SequentialFile returns the data in order, in chunks of at most n, then empty at end of file.
TEST_P(FileSystemTest, SequentialReadInChunksToEnd) {
  const std::string data = Pattern(1000);
  WriteFile("seq", data);
  Result<std::unique_ptr<SequentialFile>> file = fs_->NewSequentialFile(Path("seq"));
  ASSERT_TRUE(file.ok());
  std::string got, scratch;
  while (true) {
    std::string_view chunk;
    ASSERT_TRUE((*file)->Read(7, &scratch, &chunk).ok());
    ASSERT_LE(chunk.size(), 7u);
    if (chunk.empty()) break;
    got.append(chunk);
  }
  EXPECT_EQ(got, data);
  std::string_view after_end;
  ASSERT_TRUE((*file)->Read(7, &scratch, &after_end).ok());
  EXPECT_TRUE(after_end.empty());
}

// Random reads return the bytes at their offset; short at end of file, empty past it.
TEST_P(FileSystemTest, RandomReadsAtOffsets) {
  const std::string data = Pattern(5000);
  WriteFile("rand", data);
  Result<std::unique_ptr<RandomAccessFile>> file = fs_->NewRandomAccessFile(Path("rand"));
  ASSERT_TRUE(file.ok());
  std::string scratch;
  std::string_view got;
  for (uint64_t offset : {0, 1, 999, 4096, 4990}) {
    ASSERT_TRUE((*file)->Read(offset, 10, &scratch, &got).ok());
    EXPECT_EQ(got, data.substr(offset, 10)) << offset;
  }
  ASSERT_TRUE((*file)->Read(4995, 10, &scratch, &got).ok());
  EXPECT_EQ(got, data.substr(4995));
  ASSERT_TRUE((*file)->Read(6000, 10, &scratch, &got).ok());
  EXPECT_TRUE(got.empty());
}

// One RandomAccessFile serves many threads at once (run under TSan to prove the contract).
TEST_P(FileSystemTest, ConcurrentRandomReads) {
  const std::string data = Pattern(64 * 1024);
  WriteFile("shared", data);
  Result<std::unique_ptr<RandomAccessFile>> file = fs_->NewRandomAccessFile(Path("shared"));
  ASSERT_TRUE(file.ok());
  const RandomAccessFile* reader = file->get();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string scratch;
      std::string_view got;
      for (uint64_t offset = t; offset + 100 <= data.size(); offset += 397) {
        if (!reader->Read(offset, 100, &scratch, &got).ok() || got != data.substr(offset, 100)) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// Threads creating, writing, listing and deleting files at once see consistent results (TSan).
TEST_P(FileSystemTest, ConcurrentDirectoryOperations) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string path = Path("f" + std::to_string(t) + "_" + std::to_string(i));
        const std::string data = Pattern(static_cast<size_t>(i));
        std::string back;
        std::vector<std::string> names;
        if (!WriteFileAtomically(fs_.get(), dir_, path, data).ok() ||
            !ReadFileToString(fs_.get(), path, &back).ok() || back != data ||
            !fs_->GetChildren(dir_, &names).ok() || !fs_->DeleteFile(path).ok()) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
  EXPECT_TRUE(Children().empty());
}

// GetChildren names the files and directories directly under a directory, not deeper ones.
TEST_P(FileSystemTest, GetChildrenListsDirectEntries) {
  WriteFile("x", "1");
  WriteFile("y", "2");
  ASSERT_TRUE(fs_->CreateDirIfMissing(Path("sub")).ok());
  ASSERT_TRUE(fs_->CreateDirIfMissing(Path("sub")).ok());  // already there: still ok
  WriteFile("sub/deep", "3");
  EXPECT_EQ(Children(), (std::vector<std::string>{"sub", "x", "y"}));
  std::vector<std::string> names;
  ASSERT_TRUE(fs_->GetChildren(Path("sub"), &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"deep"});
}

// A directory that does not exist, or whose parent does not, is an IOError naming it.
TEST_P(FileSystemTest, MissingDirectoriesFail) {
  std::vector<std::string> names;
  const Status listed = fs_->GetChildren(Path("nope"), &names);
  EXPECT_TRUE(listed.IsIOError()) << listed.ToString();
  EXPECT_TRUE(fs_->CreateDirIfMissing(Path("nope/child")).IsIOError());
  EXPECT_TRUE(fs_->NewWritableFile(Path("nope/file")).status().IsIOError());
  EXPECT_TRUE(fs_->SyncDir(dir_).ok());
}

// Rename replaces an existing target and removes the source name.
TEST_P(FileSystemTest, RenameReplacesTarget) {
  WriteFile("from", "new");
  WriteFile("to", "old contents");
  ASSERT_TRUE(fs_->RenameFile(Path("from"), Path("to")).ok());
  EXPECT_EQ(ReadFile("to"), "new");
  EXPECT_FALSE(fs_->FileExists(Path("from")));
  EXPECT_EQ(Children(), std::vector<std::string>{"to"});
}

// Delete removes the file; deleting or opening a missing file is an IOError like POSIX's ENOENT.
TEST_P(FileSystemTest, DeleteAndMissingFiles) {
  WriteFile("gone", "data");
  EXPECT_TRUE(fs_->FileExists(Path("gone")));
  ASSERT_TRUE(fs_->DeleteFile(Path("gone")).ok());
  EXPECT_FALSE(fs_->FileExists(Path("gone")));
  const std::string missing = Path("gone");
  for (const Status& s :
       {fs_->DeleteFile(missing), fs_->NewSequentialFile(missing).status(),
        fs_->NewRandomAccessFile(missing).status(), fs_->GetFileSize(missing).status(),
        fs_->Truncate(missing, 0), fs_->RenameFile(missing, Path("other"))}) {
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_EQ(s.message(), missing + ": No such file or directory");
  }
}

// An open reader keeps reading a file's data after the file is deleted (unlink semantics).
TEST_P(FileSystemTest, OpenReaderSurvivesDelete) {
  WriteFile("doomed", "still here");
  Result<std::unique_ptr<RandomAccessFile>> random = fs_->NewRandomAccessFile(Path("doomed"));
  Result<std::unique_ptr<SequentialFile>> sequential = fs_->NewSequentialFile(Path("doomed"));
  ASSERT_TRUE(random.ok() && sequential.ok());
  ASSERT_TRUE(fs_->DeleteFile(Path("doomed")).ok());
  WriteFile("doomed", "a different file");
  std::string scratch;
  std::string_view got;
  ASSERT_TRUE((*random)->Read(0, 100, &scratch, &got).ok());
  EXPECT_EQ(got, "still here");
  ASSERT_TRUE((*sequential)->Read(100, &scratch, &got).ok());
  EXPECT_EQ(got, "still here");
}

// Truncate shortens a file (and lengthens it with zero bytes); GetFileSize follows.
TEST_P(FileSystemTest, TruncateAndFileSize) {
  WriteFile("t", "0123456789");
  Result<uint64_t> size = fs_->GetFileSize(Path("t"));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 10u);
  ASSERT_TRUE(fs_->Truncate(Path("t"), 4).ok());
  EXPECT_EQ(ReadFile("t"), "0123");
  ASSERT_TRUE(fs_->Truncate(Path("t"), 6).ok());
  EXPECT_EQ(ReadFile("t"), std::string("0123\0\0", 6));
  EXPECT_EQ(fs_->GetFileSize(Path("t")).value(), 6u);
}

// Using a WritableFile after Close fails instead of writing.
TEST_P(FileSystemTest, AppendAfterCloseFails) {
  Result<std::unique_ptr<WritableFile>> file = fs_->NewWritableFile(Path("closed"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_TRUE((*file)->Append("x").IsIOError());
  EXPECT_EQ(ReadFile("closed"), "");
}

// A second LockFile on a held path fails naming it; once the first is released it succeeds.
TEST_P(FileSystemTest, LockFileIsExclusive) {
  const std::string lock_path = Path("LOCK");
  Result<std::unique_ptr<FileLock>> first = fs_->LockFile(lock_path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(fs_->FileExists(lock_path));
  Result<std::unique_ptr<FileLock>> second = fs_->LockFile(lock_path);
  ASSERT_TRUE(second.status().IsIOError()) << second.status().ToString();
  EXPECT_NE(second.status().message().find(lock_path), std::string::npos);
  EXPECT_NE(second.status().message().find("locked by another process"), std::string::npos);
  first.value().reset();
  Result<std::unique_ptr<FileLock>> third = fs_->LockFile(lock_path);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

// WriteFileAtomically replaces the contents and leaves no temp file behind.
TEST_P(FileSystemTest, WriteFileAtomicallyLeavesNoTempFile) {
  WriteFile("CURRENT", "MANIFEST-000001\n");
  ASSERT_TRUE(WriteFileAtomically(fs_.get(), dir_, Path("CURRENT"), "MANIFEST-000002\n").ok());
  EXPECT_EQ(ReadFile("CURRENT"), "MANIFEST-000002\n");
  EXPECT_EQ(Children(), std::vector<std::string>{"CURRENT"});
}

// When WriteFileAtomically fails it reports the error and leaves no temp file.
TEST_P(FileSystemTest, WriteFileAtomicallyFailureCleansUp) {
  ASSERT_TRUE(fs_->CreateDirIfMissing(Path("target_is_dir")).ok());
  const Status s = WriteFileAtomically(fs_.get(), dir_, Path("target_is_dir"), "data");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(Children(), std::vector<std::string>{"target_is_dir"});
}

INSTANTIATE_TEST_SUITE_P(Both, FileSystemTest, testing::Values(FsKind::kPosix, FsKind::kMem),
                         [](const testing::TestParamInfo<FsKind>& info) {
                           return info.param == FsKind::kPosix ? "Posix" : "Mem";
                         });

class PosixFileSystemTest : public FileSystemTest {};

// The flock itself holds: against another process, and against another spelling of the path.
TEST_P(PosixFileSystemTest, LockHoldsAcrossProcessesAndSpellings) {
  Result<std::unique_ptr<FileLock>> held = fs_->LockFile(Path("LOCK"));
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(fs_->LockFile(dir_ + "/./LOCK").status().IsIOError());
  const std::string lock_path = Path("LOCK");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child inherits the parent's path set, so it goes straight to flock.
    const int fd = ::open(lock_path.c_str(), O_RDWR);
    const bool refused = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::_exit(refused ? 0 : 1);
  }
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
}

INSTANTIATE_TEST_SUITE_P(PosixOnly, PosixFileSystemTest, testing::Values(FsKind::kPosix));

}  // namespace
}  // namespace engine
