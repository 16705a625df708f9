// DBImpl: the engine behind engine::DB — write path, read path, background work and recovery.
//
// Writers are serialized by write_mu_: each reserves room (maybe switching the memtable and WAL),
// appends its batch to the WAL, inserts it into the memtable and only then publishes its sequence
// number, so a reader never observes a sequence whose data it cannot find. Readers pin the current
// ReadView (read_view_mu_, a leaf lock held for a few instructions) and read without any lock.
// Background work (flush, compaction, retrying failed deletes) runs on one thread, or inline in
// RunBackgroundStep() with BackgroundMode::kManual.
//
// Lock order: write_mu_ -> mu_ -> {read_view_mu_, VersionSet::live_mu_}. No lock is held while a
// Version or ReadView is released by a reader.
//
// Thread contract: thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "compaction.h"
#include "dbformat.h"
#include "engine/clock.h"
#include "engine/db.h"
#include "engine/file_system.h"
#include "engine/testing.h"
#include "engine_stats.h"
#include "log_writer.h"
#include "memtable.h"
#include "read_view.h"
#include "table_cache.h"
#include "version_set.h"

namespace engine {

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, std::string path);
  ~DBImpl() override;

  // Opens the files; called once by DB::Open.
  Status OpenImpl();

  Result<SequenceNumber> Put(const WriteOptions& options, std::string_view key,
                             std::string_view value) override;
  Result<SequenceNumber> Delete(const WriteOptions& options, std::string_view key) override;
  Result<SequenceNumber> Write(const WriteOptions& options, WriteBatch* batch) override;
  Status Get(const ReadOptions& options, std::string_view key, std::string* value,
             SequenceNumber* observed) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  Status Flush() override;
  Status CompactRange(std::string_view begin, std::string_view end) override;
  Status WaitForBackgroundIdle() override;
  bool RunBackgroundStep() override;
  StatsSnapshot GetStats() const override;
  SequenceNumber GetLatestSequenceNumber() const override { return versions_->last_sequence(); }
  Status BackgroundErrorStatus() const override;
  Status Close() override;

  // For engine/testing.h.
  VersionSet* versions() const { return versions_.get(); }
  FileSystem* file_system() const { return fs_; }
  const std::string& path() const { return path_; }
  std::vector<uint64_t> ProtectedOutputs();
  std::vector<std::string> ExpectedFiles();
  bool BackgroundWorkPending();
  bool WriteWouldWait();
  std::vector<testing::LiveVersion> VersionsLeftAtClose();
  uint64_t NextFileNumber();
  void SetYieldHook(std::function<void(testing::YieldSite)> hook) { yield_hook_ = std::move(hook); }
  std::vector<testing::KeyEntry> LocateKey(std::string_view user_key);

 private:
  class SnapshotImpl;
  struct ManualCompaction {
    int level = 0;
    std::string begin;
    std::string end;
    bool done = false;
  };

  // ---- read path (db_impl.cc) ----
  // Pins the current read view; *sequence gets the newest published sequence, read atomically
  // with the pin so every write at or below it is in the pinned view.
  ReadView* PinReadView(SequenceNumber* sequence);
  // Searches the memtables, then the Version, for `lookup`.
  static Status GetFrom(MemTable* mem, MemTable* imm, Version* version, const LookupKey& lookup,
                        std::string* value, bool* found, bool* deleted);
  Status GetFromLiveMemtables(ReadView* view, const LookupKey& lookup, std::string* value,
                              bool* found, bool* deleted);
  // References the live memtable and immutable memtable (null if none); the caller unrefs them.
  void RefLiveMemtables(MemTable** mem, MemTable** imm);
  // A reader lets go of the read view it pinned (a Get's, or an iterator's when it is destroyed).
  void ReleaseReadView(ReadView* view);
  // REQUIRES: mu_ held. Replaces the current read view after mem_, imm_ or the Version changed.
  void InstallReadViewLocked();

  // ---- write path (db_impl.cc) ----
  // REQUIRES: write_mu_ and mu_ held (through `lock`).
  Status MakeRoomForWriteLocked(std::unique_lock<std::mutex>* lock);
  Status SwitchMemtableLocked();
  Status AppendToWal(const WriteBatch& batch, bool sync);
  Status NewWal(uint64_t number);
  // REQUIRES: mu_ held. Records a failure that cannot be retried; writes fail from now on.
  void SetBackgroundErrorLocked(const Status& s);

  // ---- background (db_impl_background.cc) ----
  void BackgroundThreadMain();
  // Ends background work for good (Close's first step): no new work starts, the thread is joined.
  void StopBackgroundWork();
  // REQUIRES: mu_ held.
  bool HasBackgroundWorkLocked() const;
  // REQUIRES: mu_ held; may release and reacquire it. Returns true if it did work.
  bool BackgroundStepLocked(std::unique_lock<std::mutex>* lock);
  // REQUIRES: mu_ held, BackgroundMode::kManual. A foreground call that waits for background work
  // does one step of it itself; aborts if this thread is already inside background work.
  void BackgroundStepInlineLocked(std::unique_lock<std::mutex>* lock);
  Status FlushImmLocked(std::unique_lock<std::mutex>* lock);
  Status CompactLocked(std::unique_lock<std::mutex>* lock, std::unique_ptr<Compaction> c);
  Status RunCompaction(const Compaction& c, SequenceNumber smallest_snapshot,
                       std::vector<TableFile>* outputs);
  // Writes `mem` to a new table; `meta` gets its number, size and key range. Lock not held.
  Status WriteLevel0Table(MemTable* mem, TableFile* meta, bool with_fault_point);
  // REQUIRES: mu_ held. Deletes files abandoned by a failed flush/compaction.
  void AbandonOutputsLocked(std::unique_lock<std::mutex>* lock,
                            const std::vector<uint64_t>& numbers);
  void RecordBackgroundFailureLocked(const Status& s);
  // REQUIRES: mu_ held. Waits (or, in manual mode, works) until imm_ is flushed or an error is set.
  Status WaitForImmutableFlushLocked(std::unique_lock<std::mutex>* lock);
  Status WaitForManualCompaction(std::unique_lock<std::mutex>* lock, ManualCompaction* m);
  // REQUIRES: mu_ held. Deletes WALs a flush made obsolete (and retries failed deletes).
  void DeleteObsoleteWalsLocked(std::unique_lock<std::mutex>* lock);

  // ---- recovery (db_impl_open.cc) ----
  Status RecoverLocked(std::unique_lock<std::mutex>* lock);
  Status ReplayWal(uint64_t number, VersionEdit* edit, SequenceNumber* max_sequence);
  // REQUIRES: mu_ held. Deletes every file the DB does not need: tables no live Version lists and
  // no flush or compaction is writing, obsolete WALs and MANIFESTs (at open and after each flush).
  void RemoveObsoleteFilesLocked(std::unique_lock<std::mutex>* lock);

  // Driver-set (engine/testing.h); called at yield sites with no lock held. Set only while no
  // operation runs (a single-threaded simulator).
  void Yield(testing::YieldSite site) const {
    if (yield_hook_) yield_hook_(site);
  }
  // Appends the entries for `user_key` that `it` holds, from a Seek to the key on.
  static void CollectEntries(InternalIterator* it, std::string_view user_key,
                             const testing::KeyEntry& where, std::vector<testing::KeyEntry>* out);

  std::function<void(testing::YieldSite)> yield_hook_;
  const std::string path_;
  Options options_;
  std::shared_ptr<FileSystem> fs_owner_;
  FileSystem* fs_ = nullptr;
  std::unique_ptr<FileLock> db_lock_;
  EngineStats stats_;
  std::unique_ptr<TableCache> table_cache_;
  std::unique_ptr<VersionSet> versions_;

  std::mutex write_mu_;
  // BackgroundMode::kManual only: the thread holding write_mu_ (none: a default id).
  std::atomic<std::thread::id> write_owner_{};
  // Guarded by write_mu_ (switched with mu_ also held).
  std::unique_ptr<WritableFile> wal_file_;
  std::unique_ptr<log::Writer> wal_;
  std::string wal_path_;

  mutable std::mutex mu_;
  std::condition_variable bg_cv_;        // background work finished, or new work was queued
  MemTable* mem_ = nullptr;              // guarded by mu_ (read by the writer holding write_mu_)
  MemTable* imm_ = nullptr;              // guarded by mu_
  std::atomic<bool> has_imm_{false};     // imm_ != nullptr, readable without mu_ (by compactions)
  uint64_t wal_number_ = 0;              // guarded by mu_: the WAL backing mem_
  std::deque<uint64_t> live_wals_;       // guarded by mu_: WALs not yet made obsolete by a flush
  std::vector<uint64_t> obsolete_wals_;  // guarded by mu_: obsolete WALs whose delete failed
  std::set<uint64_t> pending_outputs_;   // guarded by mu_: tables being written
  std::multiset<SequenceNumber> snapshots_;        // guarded by mu_
  ManualCompaction* manual_compaction_ = nullptr;  // guarded by mu_
  Status bg_error_;                                // guarded by mu_
  int bg_failures_in_a_row_ = 0;                   // guarded by mu_
  bool bg_running_ = false;                        // guarded by mu_
  bool shutting_down_ = false;                     // guarded by mu_
  bool closed_ = false;                            // guarded by mu_
  std::thread bg_thread_;

  mutable std::mutex read_view_mu_;
  ReadView* read_view_ = nullptr;  // guarded by read_view_mu_
};

}  // namespace engine
