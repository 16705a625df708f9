// FaultFS unit tests: synced-state tracking, simulated power loss and decider injection, each run
// over the in-memory and the POSIX file system (in a fresh mkdtemp directory).
#include "faults/fault_fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faults {
namespace {

using engine::Status;
using engine::WritableFile;
using CrashMode = FaultFS::CrashMode;

enum class Base { kMem, kPosix };

std::string BaseName(const testing::TestParamInfo<Base>& info) {
  return info.param == Base::kMem ? "Mem" : "Posix";
}

class FaultFSTest : public testing::TestWithParam<Base> {
 protected:
  void SetUp() override {
    if (GetParam() == Base::kMem) {
      base_ = engine::NewMemFileSystem();
      dir_ = "/db";
    } else {
      base_ = engine::NewPosixFileSystem();
      const char* tmp = std::getenv("TMPDIR");
      std::string templ = std::string(tmp ? tmp : "/tmp") + "/vstress-faultfs-XXXXXX";
      ASSERT_NE(mkdtemp(templ.data()), nullptr);
      temp_root_ = templ;
      dir_ = templ + "/db";
    }
    ASSERT_TRUE(base_->CreateDirIfMissing(dir_).ok());
    fs_ = std::make_shared<FaultFS>(base_);
  }

  void TearDown() override {
    if (!temp_root_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(temp_root_, ec);
    }
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::unique_ptr<WritableFile> Create(const std::string& name) {
    auto file = fs_->NewWritableFile(Path(name));
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  // Writes `data` to `name`, syncs it and its directory: all of it survives a crash.
  void WriteDurable(const std::string& name, const std::string& data) {
    auto file = Create(name);
    ASSERT_NE(file, nullptr);
    ASSERT_TRUE(file->Append(data).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(file->Close().ok());
    ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  }

  // The file's contents as the base sees them, or nullopt if it does not exist.
  std::optional<std::string> Contents(const std::string& name) const {
    if (!base_->FileExists(Path(name))) return std::nullopt;
    std::string data;
    const Status s = engine::ReadFileToString(base_.get(), Path(name), &data);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return data;
  }

  void CrashAndRestart(CrashMode mode = CrashMode::kDropUnsynced, uint64_t seed = 0) {
    fs_->Crash(mode, seed);
    fs_->Restart();
  }

  std::shared_ptr<engine::FileSystem> base_;
  std::shared_ptr<FaultFS> fs_;
  std::string dir_;
  std::string temp_root_;
};

void ExpectInjectedIOError(const Status& s) {
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(s.injected()) << s.ToString();
}

// Proves the point names the controller's rules match on: kind from the file name, op verbatim.
TEST(FaultFSPointNameTest, KindComesFromTheFileName) {
  EXPECT_EQ(FaultFS::PointName("/db/000012.log", "append"), "fs/wal/append");
  EXPECT_EQ(FaultFS::PointName("/db/000013.sst", "sync"), "fs/table/sync");
  EXPECT_EQ(FaultFS::PointName("/db/MANIFEST-000004", "sync"), "fs/manifest/sync");
  EXPECT_EQ(FaultFS::PointName("/db/CURRENT", "rename"), "fs/current/rename");
  EXPECT_EQ(FaultFS::PointName("/db/CURRENT.dbtmp", "append"), "fs/other/append");
  EXPECT_EQ(FaultFS::PointName("/db/000007.dbtmp", "delete"), "fs/other/delete");
  EXPECT_EQ(FaultFS::PointName("/db/LOCK", "delete"), "fs/other/delete");
  EXPECT_EQ(FaultFS::PointName("x.log", "append"), "fs/other/append");  // not a numbered WAL
  EXPECT_EQ(FaultFS::PointName("000001.log", "append"), "fs/wal/append");
}

// Proves Append grows the written length, Sync catches synced up, and NewWritableFile restarts a
// file at 0/0.
TEST_P(FaultFSTest, TracksSyncedAndWrittenBytes) {
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::nullopt);
  auto file = Create("a");
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::make_pair(uint64_t{0}, uint64_t{0}));
  ASSERT_TRUE(file->Append("0123456789").ok());
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::make_pair(uint64_t{0}, uint64_t{10}));
  ASSERT_TRUE(file->Sync().ok());
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::make_pair(uint64_t{10}, uint64_t{10}));
  ASSERT_TRUE(file->Append("abcde").ok());
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::make_pair(uint64_t{10}, uint64_t{15}));
  EXPECT_EQ(file->Size(), 15u);
  ASSERT_TRUE(file->Close().ok());
  auto again = Create("a");
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::make_pair(uint64_t{0}, uint64_t{0}));
}

// Proves a power loss keeps exactly the synced bytes of a file whose creation is durable.
TEST_P(FaultFSTest, CrashDropsUnsyncedBytes) {
  auto file = Create("a");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(file->Append("hello").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append(" world").ok());
  EXPECT_EQ(Contents("a"), "hello world");
  CrashAndRestart();
  EXPECT_EQ(Contents("a"), "hello");
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::make_pair(uint64_t{5}, uint64_t{5}));
}

// Proves kTornUnsynced keeps a prefix between synced and written length, decided by the seed
// (the same seed gives the same length, and some seed keeps a strictly partial tail).
TEST_P(FaultFSTest, TornCrashKeepsAPrefixBetweenSyncedAndWritten) {
  const std::string synced(100, 's');
  std::string unsynced;
  for (int i = 0; i < 1000; i++) unsynced.push_back(static_cast<char>('a' + i % 26));
  std::vector<size_t> lengths;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    auto file = Create("a");
    ASSERT_TRUE(fs_->SyncDir(dir_).ok());
    ASSERT_TRUE(file->Append(synced).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(file->Append(unsynced).ok());
    CrashAndRestart(CrashMode::kTornUnsynced, seed);
    const std::optional<std::string> left = Contents("a");
    ASSERT_TRUE(left.has_value());
    ASSERT_GE(left->size(), synced.size());
    ASSERT_LE(left->size(), synced.size() + unsynced.size());
    EXPECT_EQ(*left, (synced + unsynced).substr(0, left->size()));
    lengths.push_back(left->size());
  }
  bool some_partial = false;
  for (size_t length : lengths) {
    some_partial |= length > synced.size() && length < synced.size() + unsynced.size();
  }
  EXPECT_TRUE(some_partial) << "no seed tore the tail";
  // Replaying a seed replays its length.
  auto file = Create("a");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(file->Append(synced).ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append(unsynced).ok());
  CrashAndRestart(CrashMode::kTornUnsynced, 1);
  EXPECT_EQ(Contents("a")->size(), lengths[0]);
}

// Proves a file created after its directory's last SyncDir vanishes, and one before it stays.
TEST_P(FaultFSTest, CreationSurvivesOnlyAfterSyncDir) {
  WriteDurable("kept", "k");
  auto lost = Create("lost");
  ASSERT_TRUE(lost->Append("data").ok());
  ASSERT_TRUE(lost->Sync().ok());  // its bytes are synced, its directory entry is not
  CrashAndRestart();
  EXPECT_EQ(Contents("kept"), "k");
  EXPECT_EQ(Contents("lost"), std::nullopt);
  EXPECT_EQ(fs_->SyncedAndWritten(Path("lost")), std::nullopt);
}

// Proves the ordered-metadata model (LevelDB's file system): a file's sync makes every earlier
// creation and rename durable, in order; what came after the last sync is still undone.
TEST_P(FaultFSTest, OrderedMetadataCommitsAtAnySync) {
  fs_->SetMetadataModel(FaultFS::MetadataModel::kOrdered);
  WriteDurable("CURRENT", "MANIFEST-000001\n");
  auto log = Create("000005.log");
  ASSERT_TRUE(log->Append("synced").ok());
  ASSERT_TRUE(log->Sync().ok());  // commits its own creation: no directory sync needed
  auto temp = Create("CURRENT.dbtmp");
  ASSERT_TRUE(temp->Append("MANIFEST-000007\n").ok());
  ASSERT_TRUE(temp->Sync().ok());
  ASSERT_TRUE(fs_->RenameFile(Path("CURRENT.dbtmp"), Path("CURRENT")).ok());
  auto later = Create("000009.log");  // after the last sync: undone
  CrashAndRestart();
  EXPECT_EQ(Contents("000005.log"), "synced");
  EXPECT_EQ(Contents("CURRENT"), "MANIFEST-000001\n");  // renamed after the last sync
  EXPECT_EQ(Contents("000009.log"), std::nullopt);
}

// Proves the file-layer mutants: a Sync that does nothing, a rename no directory sync makes
// durable, and a MANIFEST sync one sync late.
TEST_P(FaultFSTest, PlantedDurabilityBugsLoseWhatASyncPromised) {
  EXPECT_EQ(FaultFS::MutationNamed("sync-does-nothing"), FaultFS::Mutation::kSyncDoesNothing);
  EXPECT_EQ(FaultFS::MutationNamed("stale-get-cache"), std::nullopt);
  fs_->Plant(FaultFS::Mutation::kRenameNotDurable);
  fs_->Plant(FaultFS::Mutation::kManifestSyncLate);
  WriteDurable("CURRENT", "MANIFEST-000001\n");
  ASSERT_TRUE(
      engine::WriteFileAtomically(fs_.get(), dir_, Path("CURRENT"), "MANIFEST-000007\n").ok());
  auto manifest = Create("MANIFEST-000007");
  ASSERT_TRUE(manifest->Append("edit-1").ok());
  ASSERT_TRUE(manifest->Sync().ok());  // covers nothing yet
  EXPECT_EQ(fs_->SyncedAndWritten(Path("MANIFEST-000007"))->first, 0u);
  ASSERT_TRUE(manifest->Append("edit-2").ok());
  ASSERT_TRUE(manifest->Sync().ok());  // covers edit-1 only
  EXPECT_EQ(fs_->SyncedAndWritten(Path("MANIFEST-000007"))->first, 6u);
  CrashAndRestart();
  EXPECT_EQ(Contents("CURRENT"), "MANIFEST-000001\n");
  fs_->Plant(FaultFS::Mutation::kSyncDoesNothing);
  auto file = Create("000003.log");
  ASSERT_TRUE(file->Append("data").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  EXPECT_EQ(fs_->SyncedAndWritten(Path("000003.log")), std::make_pair(uint64_t{0}, uint64_t{4}));
}

// Proves an unsynced rename over CURRENT is undone: CURRENT keeps its old content and the temp
// file, created since the last SyncDir, is gone.
TEST_P(FaultFSTest, UnsyncedRenameIsUndone) {
  WriteDurable("CURRENT", "MANIFEST-000001\n");
  auto temp = Create("CURRENT.dbtmp");
  ASSERT_TRUE(temp->Append("MANIFEST-000007\n").ok());
  ASSERT_TRUE(temp->Sync().ok());
  ASSERT_TRUE(temp->Close().ok());
  ASSERT_TRUE(fs_->RenameFile(Path("CURRENT.dbtmp"), Path("CURRENT")).ok());
  EXPECT_EQ(Contents("CURRENT"), "MANIFEST-000007\n");
  CrashAndRestart();
  EXPECT_EQ(Contents("CURRENT"), "MANIFEST-000001\n");
  EXPECT_EQ(Contents("CURRENT.dbtmp"), std::nullopt);
}

// Proves a rename made durable by SyncDir survives.
TEST_P(FaultFSTest, SyncedRenameSurvives) {
  WriteDurable("CURRENT", "MANIFEST-000001\n");
  ASSERT_TRUE(
      engine::WriteFileAtomically(fs_.get(), dir_, Path("CURRENT"), "MANIFEST-000007\n").ok());
  CrashAndRestart();
  EXPECT_EQ(Contents("CURRENT"), "MANIFEST-000007\n");
  EXPECT_EQ(Contents("CURRENT.dbtmp"), std::nullopt);
}

// Proves an unsynced rename of a durable file to a new name puts the file back under its old
// name, with only its synced bytes.
TEST_P(FaultFSTest, UnsyncedRenameToNewNameRestoresTheSource) {
  WriteDurable("from", "durable");
  auto file = Create("from2");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(file->Append("synced").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("+unsynced").ok());
  ASSERT_TRUE(fs_->RenameFile(Path("from"), Path("to")).ok());
  ASSERT_TRUE(fs_->RenameFile(Path("from2"), Path("to2")).ok());
  // Appends through the open handle follow the file to its new name.
  EXPECT_EQ(fs_->SyncedAndWritten(Path("to2")), std::make_pair(uint64_t{6}, uint64_t{15}));
  CrashAndRestart();
  EXPECT_EQ(Contents("from"), "durable");
  EXPECT_EQ(Contents("to"), std::nullopt);
  EXPECT_EQ(Contents("from2"), "synced");
  EXPECT_EQ(Contents("to2"), std::nullopt);
}

// Proves the documented limitation: deletes are immediate and a crash does not bring them back.
TEST_P(FaultFSTest, DeleteIsNotUndone) {
  WriteDurable("a", "data");
  ASSERT_TRUE(fs_->DeleteFile(Path("a")).ok());
  CrashAndRestart();
  EXPECT_EQ(Contents("a"), std::nullopt);
}

// Proves Truncate moves the written length and never leaves synced above it.
TEST_P(FaultFSTest, TruncateUpdatesTracking) {
  auto file = Create("a");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(file->Append("0123456789").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("abc").ok());
  ASSERT_TRUE(fs_->Truncate(Path("a"), 4).ok());
  EXPECT_EQ(fs_->SyncedAndWritten(Path("a")), std::make_pair(uint64_t{4}, uint64_t{4}));
  CrashAndRestart();
  EXPECT_EQ(Contents("a"), "0123");
}

// Proves every call fails with an injected IOError after Crash, through new and old handles.
TEST_P(FaultFSTest, EveryCallFailsAfterCrash) {
  WriteDurable("a", "data");
  auto writer = Create("b");
  auto reader = fs_->NewRandomAccessFile(Path("a"));
  ASSERT_TRUE(reader.ok());
  fs_->Crash(CrashMode::kDropUnsynced, 0);
  EXPECT_TRUE(fs_->crashed());
  ExpectInjectedIOError(writer->Append("x"));
  ExpectInjectedIOError(writer->Sync());
  ExpectInjectedIOError(writer->Close());
  std::string scratch;
  std::string_view got;
  ExpectInjectedIOError((*reader)->Read(0, 4, &scratch, &got));
  ExpectInjectedIOError(fs_->NewWritableFile(Path("c")).status());
  ExpectInjectedIOError(fs_->NewSequentialFile(Path("a")).status());
  ExpectInjectedIOError(fs_->NewRandomAccessFile(Path("a")).status());
  EXPECT_FALSE(fs_->FileExists(Path("a")));
  std::vector<std::string> names;
  ExpectInjectedIOError(fs_->GetChildren(dir_, &names));
  ExpectInjectedIOError(fs_->DeleteFile(Path("a")));
  ExpectInjectedIOError(fs_->RenameFile(Path("a"), Path("z")));
  ExpectInjectedIOError(fs_->GetFileSize(Path("a")).status());
  ExpectInjectedIOError(fs_->Truncate(Path("a"), 0));
  ExpectInjectedIOError(fs_->CreateDirIfMissing(dir_ + "/sub"));
  ExpectInjectedIOError(fs_->SyncDir(dir_));
  ExpectInjectedIOError(fs_->LockFile(Path("LOCK")).status());
  // Nothing reached the base.
  EXPECT_EQ(Contents("a"), "data");
  EXPECT_EQ(Contents("z"), std::nullopt);
}

// Proves Restart lets new calls through while handles from before the crash stay dead.
TEST_P(FaultFSTest, RestartLetsNewCallsThrough) {
  WriteDurable("a", "data");
  auto old_writer = Create("b");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  CrashAndRestart();
  EXPECT_FALSE(fs_->crashed());
  EXPECT_EQ(fs_->crashes(), 1u);
  ExpectInjectedIOError(old_writer->Append("late"));
  EXPECT_EQ(Contents("b"), "");
  EXPECT_TRUE(fs_->FileExists(Path("a")));
  std::string data;
  ASSERT_TRUE(engine::ReadFileToString(fs_.get(), Path("a"), &data).ok());
  EXPECT_EQ(data, "data");
  auto lock = fs_->LockFile(Path("LOCK"));
  EXPECT_TRUE(lock.ok()) << lock.status().ToString();
  WriteDurable("c", "new");
  EXPECT_EQ(Contents("c"), "new");
}

// Proves decider errors fail the op without doing it, with the injected code the action names.
TEST_P(FaultFSTest, DeciderErrorAndNoSpaceFailWithoutDoingTheOp) {
  WriteDurable("CURRENT", "old\n");
  std::vector<std::string> points;
  std::optional<Action> next;
  fs_->SetDecider([&](const std::string& point, const std::string&) {
    points.push_back(point);
    return std::exchange(next, std::nullopt);
  });
  auto file = Create("000005.log");
  next = Action::kError;
  ExpectInjectedIOError(file->Append("abc"));
  next = Action::kNoSpace;
  const Status no_space = file->Append("abc");
  EXPECT_TRUE(no_space.IsNoSpace()) << no_space.ToString();
  EXPECT_TRUE(no_space.injected());
  EXPECT_EQ(Contents("000005.log"), "");
  next = Action::kError;
  ExpectInjectedIOError(file->Sync());
  next = Action::kError;
  ExpectInjectedIOError(fs_->DeleteFile(Path("CURRENT")));
  next = Action::kNoSpace;
  EXPECT_TRUE(fs_->RenameFile(Path("000005.log"), Path("CURRENT")).IsNoSpace());
  EXPECT_EQ(Contents("CURRENT"), "old\n");
  next = Action::kDelay;  // the decider slept; the op goes on
  EXPECT_TRUE(file->Append("xyz").ok());
  EXPECT_EQ(Contents("000005.log"), "xyz");
  const std::vector<std::string> want = {"fs/wal/append",     "fs/wal/append",     "fs/wal/sync",
                                         "fs/current/delete", "fs/current/rename", "fs/wal/append"};
  EXPECT_EQ(points, want);
}

// Proves a torn append writes a strict prefix and fails; torn on other ops is a plain error.
TEST_P(FaultFSTest, DeciderTornAppendWritesAStrictPrefix) {
  std::optional<Action> next;
  fs_->SetDecider(
      [&](const std::string&, const std::string&) { return std::exchange(next, std::nullopt); });
  auto file = Create("MANIFEST-000002");
  ASSERT_TRUE(file->Append("head|").ok());
  next = Action::kTorn;
  const std::string record = "0123456789abcdef";
  ExpectInjectedIOError(file->Append(record));
  const std::string left = *Contents("MANIFEST-000002");
  ASSERT_GT(left.size(), 5u);
  ASSERT_LT(left.size(), 5 + record.size());
  EXPECT_EQ(left, ("head|" + record).substr(0, left.size()));
  EXPECT_EQ(fs_->SyncedAndWritten(Path("MANIFEST-000002"))->second, left.size());
  next = Action::kTorn;
  ExpectInjectedIOError(file->Sync());
  EXPECT_EQ(fs_->SyncedAndWritten(Path("MANIFEST-000002"))->first, 0u);
  // An engine point's torn fire arms the next append of the same thread only.
  fs_->TearNextAppendOnThisThread();
  ExpectInjectedIOError(file->Append("zzzz"));
  EXPECT_TRUE(file->Append("ok").ok());
}

// Proves a crash fired by the decider freezes the file system before the op and drops unsynced
// bytes.
TEST_P(FaultFSTest, DeciderCrashFreezesAndDropsUnsynced) {
  auto file = Create("000009.log");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(file->Append("synced|").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("unsynced").ok());
  fs_->SetDecider([](const std::string& point, const std::string&) -> std::optional<Action> {
    if (point == "fs/wal/sync") return Action::kCrash;
    return std::nullopt;
  });
  ExpectInjectedIOError(file->Sync());
  EXPECT_TRUE(fs_->crashed());
  ExpectInjectedIOError(file->Append("more"));
  fs_->SetDecider(nullptr);
  fs_->Restart();
  EXPECT_EQ(Contents("000009.log"), "synced|");
}

INSTANTIATE_TEST_SUITE_P(Bases, FaultFSTest, testing::Values(Base::kMem, Base::kPosix), BaseName);

}  // namespace
}  // namespace faults
