// FaultFS: a FileSystem wrapper that injects file-system faults and simulates power loss.
//
// FaultFS forwards every call to a base FileSystem (POSIX or in-memory) and remembers what a power
// loss could take away, the way LevelDB's fault_injection_test Env does: for each file it has seen
// written, the bytes written and the bytes synced; for each directory, the files created and the
// renames made since that directory's last SyncDir. Crash() freezes the file system (every later
// call fails with an injected IOError); Restart() reduces the base to what a power loss would
// leave — unsynced renames undone (newest first), files created since their directory's last
// SyncDir removed, and every file cut back to its synced length (kTornUnsynced: to a seeded length
// between synced and written, a torn tail) — and lets calls through again, so the DB can be
// reopened on what is left. The files change only at Restart, once the driver has closed the DB:
// an engine that maps its tables into memory never sees one shrink under it (a powered-off machine
// runs no reader to see it). Handles opened before a Crash stay dead after Restart.
//
// Faults: before each append, sync, rename and delete FaultFS asks the Decider with the point
// "fs/<kind>/<op>" (kind from the file name: wal, table, manifest, current, other; a rename is
// named by its destination) and the path. error -> IOError, nospace -> NoSpace, both without doing
// the op; torn on an append writes a strict prefix (half) and fails, on other ops it is an error;
// crash -> Crash(kDropUnsynced, 0) and fails; delay -> the Decider slept, the op goes on. Every
// failure FaultFS produces is marked injected (engine::Status::MarkInjected).
//
// Invariants: synced <= written for every tracked file; a file FaultFS has not seen written (it
// existed before, or was only read) counts as fully synced. After Crash no call reaches the base
// until Restart, and Restart's own repairs go straight to the base.
//
// Limitations (deliberate, matching LevelDB's fault_injection_test): deletes are immediate and are
// not undone by Crash, because the deleted data is gone; a rename later undone by Crash is skipped
// if its destination was deleted after it. Truncate takes effect at once (synced becomes
// min(synced, size)). Directory creation is never undone, and neither is the LOCK file LockFile
// creates. A rename is recorded against its destination's directory only (the engine renames
// within one directory).
//
// Thread contract: thread-safe. The Decider is called without FaultFS locks held; it may call
// Crash() but no file operation of this FaultFS.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "engine/file_system.h"
#include "faults/fault_rule.h"

namespace faults {

class FaultFS final : public engine::FileSystem {
 public:
  explicit FaultFS(std::shared_ptr<engine::FileSystem> base);
  ~FaultFS() override;
  FaultFS(const FaultFS&) = delete;
  FaultFS& operator=(const FaultFS&) = delete;

  // Asked before every append, sync, rename and delete with the point name "fs/<kind>/<op>" and
  // the path. Returns the action to inject, or nullopt. Set before use; null never injects.
  using Decider =
      std::function<std::optional<Action>(const std::string& point, const std::string& path)>;
  void SetDecider(Decider decider);

  // What a power loss may undo of the creations, renames and deletions made since it was last
  // made durable (the data of a file is always its synced bytes, see CrashMode).
  enum class MetadataModel {
    // POSIX as fsync(2) states it: a creation or rename is durable only once its directory is
    // synced (vstress's engine and RocksDB sync their directories themselves).
    kPosix,
    // A journaling file system that commits metadata in order (ext4's default data=ordered,
    // which LevelDB is written for: google/leveldb #195, #196): any file's sync, and any
    // deletion, makes every earlier creation, rename and deletion durable.
    kOrdered,
  };
  void SetMetadataModel(MetadataModel model);

  // Planted durability bugs (store mutants at the file layer, under any store; `vstress mutants`
  // lists them): a power loss then takes what a correct file system would have kept.
  enum class Mutation {
    kSyncDoesNothing,   // a file's Sync returns ok and makes nothing durable
    kRenameNotDurable,  // a rename is done, but no directory sync ever makes it durable
    // A MANIFEST's Sync makes durable only what the previous one covered: the engine goes on (and
    // deletes the files its newest edit dropped) before that edit is durable.
    kManifestSyncLate,
  };
  void Plant(Mutation mutation);
  // The mutation a store mutant's name plants ("sync-does-nothing", "rename-not-durable",
  // "delete-before-manifest-durable"), or nullopt.
  static std::optional<Mutation> MutationNamed(std::string_view name);

  enum class CrashMode {
    kDropUnsynced,  // every file keeps exactly its synced bytes
    kTornUnsynced,  // every file keeps its synced bytes plus a seeded part of the rest
  };
  // Simulated power loss (see the file comment). Idempotent until Restart.
  void Crash(CrashMode mode, uint64_t seed);
  // After Crash: lets calls through again. Handles opened before the Crash keep failing.
  void Restart();
  bool crashed() const { return crashed_.load(std::memory_order_acquire); }
  // Power losses simulated so far.
  uint64_t crashes() const { return epoch_.load(std::memory_order_acquire); }

  // The next append this thread makes through this FaultFS is torn (for a `torn` fire at an
  // engine point, which tears the step's next append).
  void TearNextAppendOnThisThread();

  // Synced and written length of `path` in bytes; nullopt if FaultFS has not tracked it.
  std::optional<std::pair<uint64_t, uint64_t>> SyncedAndWritten(const std::string& path) const;

  // Name of the fs/ point for `op` ("append", "sync", "rename", "delete") on `path`.
  static std::string PointName(const std::string& path, const char* op);

  // engine::FileSystem.
  engine::Result<std::unique_ptr<engine::WritableFile>> NewWritableFile(
      const std::string& path) override;
  engine::Result<std::unique_ptr<engine::SequentialFile>> NewSequentialFile(
      const std::string& path) override;
  engine::Result<std::unique_ptr<engine::RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override;
  engine::Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;
  engine::Status DeleteFile(const std::string& path) override;
  engine::Status RenameFile(const std::string& from, const std::string& to) override;
  engine::Result<uint64_t> GetFileSize(const std::string& path) override;
  engine::Status Truncate(const std::string& path, uint64_t size) override;
  engine::Status CreateDirIfMissing(const std::string& dir) override;
  engine::Status SyncDir(const std::string& dir) override;
  engine::Result<std::unique_ptr<engine::FileLock>> LockFile(const std::string& path) override;

 private:
  // Bookkeeping of one file's bytes, shared by its directory entry and its open writer (an inode).
  struct FileState {
    uint64_t written_bytes = 0;    // guarded by FaultFS::mu_
    uint64_t synced_bytes = 0;     // guarded by FaultFS::mu_
    uint64_t late_sync_bytes = 0;  // kManifestSyncLate: written at the last Sync; guarded by mu_
  };
  class Writer;
  class SequentialReader;
  class RandomReader;

  // A rename not yet made durable by a SyncDir of the destination's directory.
  struct PendingRename {
    std::string from;
    std::string to;
    std::optional<std::string> previous_to;  // `to`'s durable bytes before, if it existed
  };

  // Asks the Decider about one hit of `point` and acts on a crash. Returns the failure to report
  // (the op is then not done), or ok to go on; sets *torn when an append must write only a prefix
  // (`append`: the op is an append, the only op a tear applies to; an append on a thread that
  // TearNextAppendOnThisThread armed is torn without asking the Decider, and the arm is consumed).
  engine::Status Decide(const std::string& point, const std::string& path, bool append, bool* torn);
  // The injected status every call gets while crashed (or through a handle from before a crash).
  static engine::Status CrashedStatus(const std::string& path);
  // True if a handle opened in `epoch` may still reach the base. REQUIRES: io_mu_ held (shared),
  // so no Crash can start before the caller's base I/O is done.
  bool AliveLocked(uint64_t epoch) const;
  // The same check for reads, which change nothing and so need no lock.
  bool AliveUnlocked(uint64_t epoch) const;

  // Bookkeeping updates, each under mu_.
  std::shared_ptr<FileState> TrackNewFile(const std::string& path, bool existed);
  void RecordAppend(FileState* state, uint64_t bytes);
  void RecordSync(FileState* state, const std::string& path);
  void RecordRename(const std::string& from, const std::string& to,
                    std::optional<std::string> previous_to);
  void RecordDelete(const std::string& path);
  void RecordTruncate(const std::string& path, uint64_t size);
  void RecordSyncDir(const std::string& dir);
  // kOrdered: every creation and rename so far is durable. REQUIRES: mu_ held.
  void CommitMetadataLocked();
  // `path`'s bytes that would survive a power loss now, or nullopt if it does not exist.
  // REQUIRES: io_mu_ held (shared); takes mu_.
  std::optional<std::string> DurableContents(const std::string& path);

  // Crash's steps. REQUIRES: io_mu_ held exclusively and mu_ held.
  void UndoRenamesLocked();
  void RemoveUnsyncedCreationsLocked();
  void CutUnsyncedBytesLocked(CrashMode mode, uint64_t seed);

  const std::shared_ptr<engine::FileSystem> base_;

  // Held shared by every call that changes the base (check + I/O), exclusively by Crash and
  // Restart, so a Crash never interleaves with a half-done write.
  mutable std::shared_mutex io_mu_;
  std::atomic<bool> crashed_{false};
  std::atomic<uint64_t> epoch_{0};  // crashes so far; handles remember the epoch they opened in

  mutable std::mutex mu_;
  std::shared_ptr<const Decider> decider_;                   // guarded by mu_
  std::map<std::string, std::shared_ptr<FileState>> files_;  // guarded by mu_
  std::map<std::string, std::set<std::string>> created_;     // dir -> paths; guarded by mu_
  std::vector<PendingRename> renames_;                       // oldest first; guarded by mu_
  std::set<std::thread::id> torn_armed_;                     // guarded by mu_
  MetadataModel metadata_model_ = MetadataModel::kPosix;     // guarded by mu_
  // The loss Crash froze the file system for, made at Restart; guarded by mu_.
  std::optional<std::pair<CrashMode, uint64_t>> pending_loss_;
  std::set<Mutation> mutations_;  // guarded by mu_
};

}  // namespace faults
