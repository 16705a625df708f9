// VersionSet: the current Version, every live Version, the MANIFEST, and deferred file deletion.
//
// LogAndApply(edit) builds a new Version from the current one, appends the edit to the MANIFEST
// and syncs it with the DB mutex released, and installs the Version only if that succeeded. A
// failure installs nothing; the DB then sets a background error and calls SuspendDeletions(), and
// the MANIFEST is never appended to again (a later edit after a torn or unsynced one could make the
// log unreadable — rocksdb #6316).
//
// Deferred deletion: installing a Version marks each table the old current listed but the new one
// does not as obsolete (counted in deferred_deletions). A table is deleted when its last listing
// Version is released — at once if nothing pins the old Version, otherwise when the last reader
// lets go. While deletions are suspended, or when a delete fails, the table stays counted as
// deferred until it is deleted (failed deletes are retried by RetryFailedDeletions).
//
// Locking: `mu` below is the DB mutex. The live-Version list has its own leaf mutex live_mu_ (never
// held while taking another lock), so releasing a Version from a reader thread never takes the DB
// mutex. Lock order: DB mutex -> live_mu_.
//
// Thread contract: thread-safe (per-method lock requirements are noted).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/file_system.h"
#include "engine/options.h"
#include "engine/status.h"
#include "engine/testing.h"
#include "engine_stats.h"
#include "log_writer.h"
#include "version.h"
#include "version_edit.h"

namespace engine {

class TableCache;

using LiveVersionInfo = testing::LiveVersion;

class VersionSet {
 public:
  VersionSet(std::string db_path, const Options& options, FileSystem* fs, TableCache* table_cache,
             EngineStats* stats);
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;
  // REQUIRES: every Version but the current one has been released.
  ~VersionSet();

  // Writes the first MANIFEST of a new DB (synced, leveldb #189) and points CURRENT at it.
  Status CreateNew();
  // Reads CURRENT and replays its MANIFEST; every listed table must exist with its recorded size.
  Status Recover();

  // REQUIRES: `lock` holds the DB mutex; it is released during MANIFEST I/O and held on return.
  // The first call after Recover/CreateNew, the first after a failed write, and the first once the
  // MANIFEST has reached max_manifest_bytes start a new MANIFEST holding a snapshot of the state.
  // On failure nothing is installed; see last_failure_retryable().
  Status LogAndApply(VersionEdit* edit, std::unique_lock<std::mutex>* lock);
  // After a failed LogAndApply: true when the MANIFEST that CURRENT names was not touched (a
  // rollover failed before switching CURRENT), so nothing on disk names the edit's tables: the
  // caller may drop them and retry the job. Otherwise the failure is a background error.
  bool last_failure_retryable() const { return last_failure_retryable_; }
  // The live-Version list's mutex, for the lock-order-inversion mutant only. Thread-safe.
  std::unique_lock<std::mutex> LockLiveListForMutant() {
    return std::unique_lock<std::mutex>(live_mu_);
  }

  // REQUIRES: DB mutex held (for every accessor below that does not say otherwise).
  Version* current() const { return current_; }
  uint64_t NewFileNumber() { return next_file_number_++; }
  // The DB's clock (never null once the DB resolved its options). Thread-safe.
  Clock* clock() const { return options_.clock ? options_.clock.get() : RealClock().get(); }
  void MarkFileNumberUsed(uint64_t number);
  uint64_t next_file_number() const { return next_file_number_; }
  uint64_t log_number() const { return log_number_; }
  uint64_t manifest_file_number() const { return manifest_file_number_; }
  // The round-robin position at which the next compaction of `level` starts.
  std::string& compact_pointer(int level) { return compact_pointers_[level]; }

  // The newest sequence number acknowledged to a writer. Thread-safe.
  SequenceNumber last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  void SetLastSequence(SequenceNumber seq) { last_sequence_.store(seq, std::memory_order_release); }

  // Called by Version::Unref when the last reference goes. Thread-safe (takes live_mu_ only).
  void ReleaseVersion(Version* v);
  void ReportRefcountUnderflow(Version* v);
  uint64_t refcount_underflows() const { return refcount_underflows_.load(); }

  // Stops every later file deletion (background error). Thread-safe.
  void SuspendDeletions() { deletions_suspended_.store(true, std::memory_order_release); }
  bool deletions_suspended() const { return deletions_suspended_.load(std::memory_order_acquire); }
  // Retries deletes that failed. Thread-safe. Returns how many still wait.
  size_t RetryFailedDeletions();
  // Deletes `path` through the engine/file/delete fault point. Thread-safe.
  Status DeleteFile(const std::string& path);

  // Thread-safe introspection.
  std::vector<LiveVersionInfo> LiveVersions() const;
  // Every table of every live Version with the Version that lists it (thread-safe: a Version in
  // the live list is not freed while live_mu_ is held, and the metadata is shared).
  struct LiveTable {
    uint64_t version_id = 0;
    bool is_current = false;
    int level = 0;
    std::shared_ptr<FileMetaData> file;
  };
  std::vector<LiveTable> LiveTables() const;
  // Every table number listed by any live Version.
  std::set<uint64_t> LiveTableNumbers() const;
  double OldestVersionAgeSeconds() const;

  TableCache* table_cache() const { return table_cache_; }

 private:
  struct PendingDeletion {
    uint64_t number;
    uint64_t file_bytes;
  };

  Status CheckTablesExist(const Version* v) const;
  Status StartNewManifest(uint64_t number, std::unique_ptr<WritableFile>* file,
                          std::unique_ptr<log::Writer>* writer) const;
  // How far a MANIFEST write got before it failed.
  enum class ManifestStage { kNewFile, kAppend, kSync, kSetCurrent, kDone };
  Status WriteManifestRecord(log::Writer* writer, WritableFile* file, const VersionEdit& edit,
                             bool new_manifest, uint64_t manifest_number,
                             ManifestStage* stage) const;
  Status SetCurrentFile(uint64_t manifest_number) const;
  // REQUIRES: DB mutex held.
  void InstallLocked(Version* v);
  void ComputeCompactionScore(Version* v) const;
  void DeleteObsoleteTable(FileMetaData* f);
  void DeleteDeferredTable(uint64_t number, uint64_t file_bytes);

  const std::string db_path_;
  const Options options_;
  FileSystem* const fs_;
  TableCache* const table_cache_;
  EngineStats* const stats_;

  // Guarded by the DB mutex.
  Version* current_ = nullptr;
  uint64_t next_file_number_ = 2;
  uint64_t manifest_file_number_ = 0;
  uint64_t log_number_ = 0;
  uint64_t next_version_id_ = 1;
  std::unique_ptr<WritableFile> manifest_file_;
  std::unique_ptr<log::Writer> manifest_log_;
  bool manifest_write_in_progress_ = false;
  bool last_failure_retryable_ = false;
  std::array<std::string, kNumLevels> compact_pointers_;

  std::atomic<SequenceNumber> last_sequence_{0};
  std::atomic<bool> deletions_suspended_{false};
  std::atomic<uint64_t> refcount_underflows_{0};

  // The live-Version list (dummy head; current_ is the tail). Guarded by live_mu_.
  mutable std::mutex live_mu_;
  Version* live_head_ = nullptr;

  // Deferred tables whose delete failed or was suspended. Guarded by pending_mu_.
  std::mutex pending_mu_;
  std::vector<PendingDeletion> pending_deletions_;
};

}  // namespace engine
