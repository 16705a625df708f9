#include "stores/rocksdb/rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "stores/disk_tables.h"
#include "stores/engine_iterator.h"
#include "stores/engine_status.h"
#include "stores/rocksdb/rocksdb_file_system.h"

namespace stores::rocksdb_store {
namespace {

Status FromRocksDb(const rocksdb::Status& s) { return FromEngineStatus(s); }

rocksdb::Slice SliceOf(std::string_view text) { return {text.data(), text.size()}; }

// RocksDB tells its listeners of every flush, compaction, table deletion and background error.
class Counters final : public rocksdb::EventListener {
 public:
  void OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo&) override { flushes++; }
  void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo&) override {
    compactions++;
  }
  void OnTableFileDeleted(const rocksdb::TableFileDeletionInfo& info) override {
    if (info.status.ok()) tables_deleted++;
  }
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    background_errors++;
    if (!error->ok()) stopped = true;
  }
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    if (info.new_bg_error.ok()) stopped = false;
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    if (*auto_recovery) recoveries++;
  }

  std::atomic<uint64_t> flushes{0};
  std::atomic<uint64_t> compactions{0};
  std::atomic<uint64_t> tables_deleted{0};
  std::atomic<uint64_t> background_errors{0};
  std::atomic<uint64_t> recoveries{0};
  // A background error is set and not yet cleared (by an automatic recovery or DB::Resume): the
  // property rocksdb.background-errors counts only flush and compaction errors, not a failed WAL
  // write's (DBImpl::WriteStatusCheck).
  std::atomic<bool> stopped{false};
};

class RocksDbSnapshot final : public Snapshot {
 public:
  RocksDbSnapshot(rocksdb::DB* db, const rocksdb::Snapshot* snapshot)
      : db_(db), snapshot_(snapshot) {}
  ~RocksDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  Position position() const override { return Position::Exact(snapshot_->GetSequenceNumber()); }
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* const db_;
  const rocksdb::Snapshot* const snapshot_;
};

using RocksDbIterator = EngineIterator<rocksdb::Iterator, rocksdb::Slice, &FromRocksDb>;

class RocksDbStore final : public Store, Maintenance {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
               std::shared_ptr<Counters> counters, std::string path, bool verify_checksums)
      : env_(std::move(env)),
        db_(std::move(db)),
        counters_(std::move(counters)),
        path_(std::move(path)),
        verify_checksums_(verify_checksums) {}
  ~RocksDbStore() override {
    db_->Close();  // waits for background work; the destructor would not report an error
  }

  Result<SequenceNumber> Write(
      bool sync, std::span<const BatchEntry> batch,
      SequenceNumber* /*voided: never, it uses no sequence on failure*/) override {
    rocksdb::WriteBatch b;
    for (const BatchEntry& e : batch) {
      const rocksdb::Status s =
          e.deletion ? b.Delete(SliceOf(e.key)) : b.Put(SliceOf(e.key), SliceOf(e.value));
      if (!s.ok()) return FromRocksDb(s);
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    // One write at a time: the latest sequence after it is this write's last entry's.
    std::lock_guard<std::mutex> guard(write_mu_);
    const rocksdb::Status s = db_->Write(wo, &b);
    if (!s.ok()) return counters_->stopped ? AsBackgroundError(FromRocksDb(s)) : FromRocksDb(s);
    return static_cast<SequenceNumber>(db_->GetLatestSequenceNumber());
  }

  Status Get(const ReadOptions& options, std::string_view key, std::string* value,
             Position* at) override {
    const SequenceNumber low = db_->GetLatestSequenceNumber();
    const rocksdb::Status s = db_->Get(ReadOptionsOf(options), SliceOf(key), value);
    *at = options.snapshot != nullptr ? options.snapshot->position()
                                      : Position{low, db_->GetLatestSequenceNumber()};
    return FromRocksDb(s);
  }

  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override {
    const SequenceNumber low = db_->GetLatestSequenceNumber();
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ReadOptionsOf(options)));
    const Position at = options.snapshot != nullptr ? options.snapshot->position()
                                                    : Position{low, db_->GetLatestSequenceNumber()};
    return std::make_unique<RocksDbIterator>(std::move(it), at);
  }

  std::unique_ptr<Snapshot> GetSnapshot() override {
    return std::make_unique<RocksDbSnapshot>(db_.get(), db_->GetSnapshot());
  }

  SequenceNumber LastSequence() const override { return db_->GetLatestSequenceNumber(); }

  Status BackgroundError() const override {
    if (!counters_->stopped) return Status::Ok();
    return Status::BackgroundError("RocksDB reports a background error (" +
                                   std::to_string(counters_->background_errors.load()) +
                                   " so far)");
  }

  // 7.8.3 has no WaitForCompact: polls the properties that say work is pending or running until
  // all are zero (or a background error stops it), for at most kIdlePollsMax polls.
  Status WaitForBackgroundIdle() override {
    static constexpr const char* kBusy[] = {
        "rocksdb.mem-table-flush-pending", "rocksdb.compaction-pending",
        "rocksdb.num-running-flushes", "rocksdb.num-running-compactions"};
    for (int polls = 0; polls < kIdlePollsMax; polls++) {
      if (!BackgroundError().ok()) break;
      bool busy = false;
      for (const char* property : kBusy) {
        uint64_t n = 0;
        busy = busy || (db_->GetIntProperty(property, &n) && n != 0);
      }
      if (!busy) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return BackgroundError();
  }

  Maintenance* maintenance() override { return this; }

  // ---- Maintenance ----
  Status Flush() override { return FromRocksDb(db_->Flush(rocksdb::FlushOptions())); }
  // DB::Resume clears what RocksDB's severity table lets it (a flush's NoSpace, a WAL write's
  // error; not a flush's plain IOError under paranoid_checks: kFatalError, error_handler.cc).
  // While RocksDB recovers by itself it answers Busy ("Don't allow a mix of manual and automatic
  // recovery", DBImpl::Resume): then its own recovery is waited for, for at most kIdlePollsMax
  // polls.
  Status Resume() override {
    rocksdb::Status s = db_->Resume();
    for (int polls = 0; s.IsBusy() && counters_->stopped && polls < kIdlePollsMax; polls++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (s.IsBusy() && !counters_->stopped) s = rocksdb::Status::OK();
    if (s.ok()) counters_->stopped = false;
    return FromRocksDb(s);
  }
  Status CompactRange(std::string_view begin, std::string_view end) override {
    const rocksdb::Slice b = SliceOf(begin);
    const rocksdb::Slice e = SliceOf(end);
    return FromRocksDb(db_->CompactRange(rocksdb::CompactRangeOptions(),
                                         begin.empty() ? nullptr : &b, end.empty() ? nullptr : &e));
  }
  std::map<int, uint64_t> TablesPerLevel() override {
    std::map<int, uint64_t> out;
    for (int level = 0; level < db_->NumberLevels(); level++) {
      std::string n;
      if (db_->GetProperty(rocksdb::DB::Properties::kNumFilesAtLevelPrefix + std::to_string(level),
                           &n) &&
          std::stoull(n) > 0) {
        out[level] = std::stoull(n);
      }
    }
    return out;
  }

  // Live Versions from rocksdb.num-live-versions; deferred deletions are the table files on disk
  // the current Version (GetLiveFilesMetaData) does not list.
  StoreStats Stats() const override {
    StoreStats stats;
    uint64_t n = 0;
    if (db_->GetIntProperty("rocksdb.num-live-versions", &n)) stats.live_versions = n;
    if (db_->GetIntProperty("rocksdb.current-super-version-number", &n)) {
      stats.version_installs = n;
    }
    std::vector<rocksdb::LiveFileMetaData> live;
    db_->GetLiveFilesMetaData(&live);
    std::set<uint64_t> current;
    for (const rocksdb::LiveFileMetaData& f : live) {
      current.insert(f.file_number);
      stats.deepest_level = std::max<uint64_t>(stats.deepest_level, f.level);
    }
    SetDeferredTables(path_, current, &stats);
    stats.flushes = counters_->flushes.load();
    stats.compactions = counters_->compactions.load();
    stats.files_deleted = counters_->tables_deleted.load();
    stats.background_errors = counters_->background_errors.load();
    stats.background_retries = counters_->recoveries.load();
    return stats;
  }

 private:
  rocksdb::ReadOptions ReadOptionsOf(const ReadOptions& options) const {
    rocksdb::ReadOptions ro;
    ro.verify_checksums = verify_checksums_;
    if (options.snapshot != nullptr) {
      ro.snapshot = static_cast<const RocksDbSnapshot*>(options.snapshot)->get();
    }
    return ro;
  }

  static constexpr int kIdlePollsMax = 3000;  // 30 s

  std::unique_ptr<rocksdb::Env> env_;  // null: RocksDB's default Env; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  const std::shared_ptr<Counters> counters_;
  const std::string path_;
  std::mutex write_mu_;
  const bool verify_checksums_;
};

// store.wal_recovery_mode's names, in workloads::WalRecoveryModes() order (RocksDB's enum order).
rocksdb::WALRecoveryMode WalRecoveryModeOf(const std::string& name) {
  const auto& names = workloads::WalRecoveryModes();
  const size_t i = static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  return i < names.size() ? static_cast<rocksdb::WALRecoveryMode>(i)
                          : rocksdb::WALRecoveryMode::kPointInTimeRecovery;
}

Result<std::unique_ptr<Store>> Open(const StoreConfig& config, const std::string& path) {
  const workloads::EngineSpec& e = config.engine;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = e.memtable_bytes;
  options.level0_file_num_compaction_trigger = e.level0_compaction_trigger;
  options.level0_slowdown_writes_trigger = e.level0_slowdown_trigger;
  options.level0_stop_writes_trigger = e.level0_stop_trigger;
  options.max_bytes_for_level_base = e.level_base_bytes;
  options.max_bytes_for_level_multiplier = e.level_size_multiplier;
  options.target_file_size_base = e.table_target_bytes;
  options.max_manifest_file_size = e.max_manifest_bytes;
  options.max_open_files = static_cast<int>(e.table_cache_entries_max);
  options.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = e.block_bytes;
  table.block_restart_interval = e.block_restart_interval;
  if (e.bloom_bits_per_key > 0) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(e.bloom_bits_per_key));
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  const workloads::StoreSpec& st = config.store;
  options.max_background_jobs = st.max_background_jobs;
  options.paranoid_checks = st.paranoid_checks;
  options.wal_recovery_mode = WalRecoveryModeOf(st.wal_recovery_mode);
  auto counters = std::make_shared<Counters>();
  options.listeners.push_back(counters);
  // Every file operation goes through the run's file system (its FaultFS) when there is one.
  std::unique_ptr<rocksdb::Env> env;
  if (config.file_system != nullptr) {
    env = rocksdb::NewCompositeEnv(std::make_shared<EngineFileSystem>(config.file_system));
    options.env = env.get();
  }
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return FromRocksDb(s);
  return std::unique_ptr<Store>(
      std::make_unique<RocksDbStore>(std::move(env), std::unique_ptr<rocksdb::DB>(raw),
                                     std::move(counters), path, e.verify_checksums));
}

std::string Version() { return rocksdb::GetRocksVersionAsString(true); }

}  // namespace

StoreKind Kind() {
  StoreKind kind{"rocksdb", &Version, &Open};
  kind.positions = "bracketed";  // snapshots exact; Get and iterators bracketed
  kind.file_faults = true;
  kind.failed_writes_indeterminate = true;
  kind.resumes_after_background_error = true;
  kind.exposes_oldest_version_age = false;  // no property says how old its oldest Version is
  return kind;
}

}  // namespace stores::rocksdb_store
