#include "stores/leveldb/leveldb_store.h"

#include <fmt/format.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "stores/disk_tables.h"
#include "stores/engine_iterator.h"
#include "stores/engine_status.h"
#include "stores/leveldb/leveldb_env.h"

namespace stores::leveldb_store {
namespace {

Status FromLevelDb(const leveldb::Status& s) { return FromEngineStatus(s); }

// The commit order of a store that reports no sequences, counted by the adapter: one write at a
// time, a batch of n entries taking the next n sequences. `assigned` is raised before a write
// reaches the engine and `acknowledged` once it returned (settled), so a read that begins after a
// write was acknowledged sees it, and a read that ends before a write was assigned cannot. A write
// that fails keeps its n sequences, void (as LevelDB itself does: DBImpl::Write advances its last
// sequence past a batch whose log append failed): a read that ended while it was in flight has
// closed its bracket over them, so no later write may take them (doc/findings.md, finding 3).
class CountedPositions {
 public:
  explicit CountedPositions(SequenceNumber first) : assigned_(first), acknowledged_(first) {}

  // Runs `write` (returning the engine's Status) as the next `entries` sequences; on failure sets
  // *voided to the last of them.
  template <typename WriteFn>
  Result<SequenceNumber> Write(size_t entries, SequenceNumber* voided, WriteFn write) {
    std::lock_guard<std::mutex> guard(mu_);
    const SequenceNumber last = acknowledged_.load() + entries;
    assigned_.store(last);
    Status s = write();
    acknowledged_.store(last);
    if (!s.ok()) {
      *voided = last;
      // After a failed sync or a failed background job LevelDB refuses every write until it is
      // reopened (a failed log append it does not: doc/findings.md, finding 4); the adapter cannot
      // tell which failure this was, so it takes any as the background error, and the failures
      // after it as the stop.
      const bool stopped = !error_.ok();
      error_ = s;
      return stopped ? AsBackgroundError(s) : s;
    }
    return last;
  }

  SequenceNumber acknowledged() const { return acknowledged_.load(); }
  SequenceNumber assigned() const { return assigned_.load(); }
  Status background_error() const {
    std::lock_guard<std::mutex> guard(mu_);
    return error_;
  }

 private:
  mutable std::mutex mu_;  // one write at a time
  std::atomic<SequenceNumber> assigned_;
  std::atomic<SequenceNumber> acknowledged_;
  Status error_;  // guarded by mu_
};

// LevelDB counts none of its flushes, compactions or deletions where an API can read them, but it
// logs each one to its info log: this logger counts the lines by their format (LevelDB 1.23's
// db_impl.cc: "Level-0 table #%llu: started" opens a flush, "Compacted ..." ends a compaction,
// "Moved #..." is a compaction that only moved a file, "Delete type=%d #%lld" deletes a file, type
// 2 being a table) and passes every line on to the LOG file LevelDB would have written.
class CountingLogger final : public leveldb::Logger {
 public:
  explicit CountingLogger(std::unique_ptr<leveldb::Logger> log) : log_(std::move(log)) {}

  void Logv(const char* format, va_list ap) override {
    if (Starts(format, "Level-0 table #%llu: started")) {
      flushes++;
    } else if (Starts(format, "Compacted ") || Starts(format, "Moved #")) {
      compactions++;
    } else if (Starts(format, "Delete type=%d")) {
      va_list args;
      va_copy(args, ap);
      const int type = va_arg(args, int);
      va_end(args);
      if (type == kTableFileType) tables_deleted++;
    }
    if (log_ != nullptr) log_->Logv(format, ap);
  }

  std::atomic<uint64_t> flushes{0};
  std::atomic<uint64_t> compactions{0};
  std::atomic<uint64_t> tables_deleted{0};

 private:
  static constexpr int kTableFileType = 2;  // leveldb::FileType::kTableFile (db/filename.h)
  static bool Starts(const char* text, const char* prefix) {
    return std::strncmp(text, prefix, std::strlen(prefix)) == 0;
  }
  std::unique_ptr<leveldb::Logger> log_;
};

leveldb::Slice SliceOf(std::string_view text) { return {text.data(), text.size()}; }

class LevelDbSnapshot final : public Snapshot {
 public:
  LevelDbSnapshot(leveldb::DB* db, const leveldb::Snapshot* snapshot, Position position)
      : db_(db), snapshot_(snapshot), position_(position) {}
  ~LevelDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  Position position() const override { return position_; }
  const leveldb::Snapshot* get() const { return snapshot_; }

 private:
  leveldb::DB* const db_;
  const leveldb::Snapshot* const snapshot_;
  const Position position_;
};

using LevelDbIterator = EngineIterator<leveldb::Iterator, leveldb::Slice, &FromLevelDb>;

class LevelDbStore final : public Store, Maintenance {
 public:
  LevelDbStore(std::unique_ptr<leveldb::Env> env,
               std::unique_ptr<const leveldb::FilterPolicy> filter,
               std::unique_ptr<CountingLogger> log, std::unique_ptr<leveldb::DB> db,
               std::string path, SequenceNumber first, bool verify_checksums)
      : env_(std::move(env)),
        filter_(std::move(filter)),
        log_(std::move(log)),
        db_(std::move(db)),
        path_(std::move(path)),
        positions_(first),
        verify_checksums_(verify_checksums) {}
  // The DB first (it uses the Env, the filter policy and the logger until it is closed).
  ~LevelDbStore() override { db_.reset(); }

  Result<SequenceNumber> Write(bool sync, std::span<const BatchEntry> batch,
                               SequenceNumber* voided) override {
    leveldb::WriteBatch b;
    for (const BatchEntry& e : batch) {
      e.deletion ? b.Delete(SliceOf(e.key)) : b.Put(SliceOf(e.key), SliceOf(e.value));
    }
    leveldb::WriteOptions wo;
    wo.sync = sync;
    return positions_.Write(batch.size(), voided, [&] { return FromLevelDb(db_->Write(wo, &b)); });
  }

  Status Get(const ReadOptions& options, std::string_view key, std::string* value,
             Position* at) override {
    leveldb::ReadOptions ro = ReadOptionsOf(options);
    const SequenceNumber low = positions_.acknowledged();
    const leveldb::Status s = db_->Get(ro, SliceOf(key), value);
    *at = options.snapshot != nullptr ? options.snapshot->position()
                                      : Position{low, positions_.assigned()};
    return FromLevelDb(s);
  }

  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override {
    const SequenceNumber low = positions_.acknowledged();
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ReadOptionsOf(options)));
    const Position at = options.snapshot != nullptr ? options.snapshot->position()
                                                    : Position{low, positions_.assigned()};
    return std::make_unique<LevelDbIterator>(std::move(it), at);
  }

  std::unique_ptr<Snapshot> GetSnapshot() override {
    const SequenceNumber low = positions_.acknowledged();
    const leveldb::Snapshot* snapshot = db_->GetSnapshot();
    return std::make_unique<LevelDbSnapshot>(db_.get(), snapshot,
                                             Position{low, positions_.assigned()});
  }

  SequenceNumber LastSequence() const override { return positions_.acknowledged(); }
  Status BackgroundError() const override { return positions_.background_error(); }

  // LevelDB has no "wait until idle": its compactions follow writes, and none come at rest. A
  // bounded wait until its compaction statistics stop changing.
  Status WaitForBackgroundIdle() override {
    std::string before;
    for (int stable = 0, polls = 0; stable < 3 && polls < kIdlePollsMax; polls++) {
      std::string now;
      db_->GetProperty("leveldb.stats", &now);
      stable = now == before ? stable + 1 : 0;
      before = std::move(now);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return positions_.background_error();
  }

  Maintenance* maintenance() override { return this; }

  // ---- Maintenance ----
  // LevelDB flushes only as part of a compaction: CompactRange of an empty range writes the
  // memtable out first (DBImpl::CompactRange's TEST_CompactMemTable), then compacts nothing.
  Status Flush() override {
    const std::string nothing = "\xff\xff\xff\xff";
    const leveldb::Slice key(nothing);
    db_->CompactRange(&key, &key);
    return positions_.background_error();
  }
  Status Resume() override {
    return Status::InvalidArgument("LevelDB keeps a background error until it is reopened");
  }
  Status CompactRange(std::string_view begin, std::string_view end) override {
    const leveldb::Slice b = SliceOf(begin);
    const leveldb::Slice e = SliceOf(end);
    db_->CompactRange(begin.empty() ? nullptr : &b, end.empty() ? nullptr : &e);
    return WaitForBackgroundIdle();
  }
  std::map<int, uint64_t> TablesPerLevel() override {
    std::map<int, uint64_t> out;
    for (int level = 0; level < kLevels; level++) {
      std::string n;
      if (db_->GetProperty("leveldb.num-files-at-level" + std::to_string(level), &n) &&
          std::stoull(n) > 0) {
        out[level] = std::stoull(n);
      }
    }
    return out;
  }

  // LevelDB exposes no count of live Versions (absent); deferred deletions are the table files on
  // disk that its current Version, as the leveldb.sstables property prints it, does not list.
  StoreStats Stats() const override {
    StoreStats stats;
    std::string tables;
    std::set<uint64_t> current;
    if (db_->GetProperty("leveldb.sstables", &tables)) {
      // "--- level N ---" headers, then one " NUMBER:SIZE[...]" line per file.
      std::istringstream lines(tables);
      std::string line;
      uint64_t level = 0;
      while (std::getline(lines, line)) {
        if (line.starts_with("--- level ")) {
          level = std::strtoull(line.c_str() + 10, nullptr, 10);
        } else if (line.size() > 1 && line[0] == ' ') {
          current.insert(std::strtoull(line.c_str() + 1, nullptr, 10));
          stats.deepest_level = std::max(stats.deepest_level, level);
        }
      }
    }
    SetDeferredTables(path_, current, &stats);
    stats.flushes = log_->flushes.load();
    stats.compactions = log_->compactions.load();
    stats.files_deleted = log_->tables_deleted.load();
    stats.background_errors = positions_.background_error().ok() ? 0 : 1;
    return stats;
  }

 private:
  static constexpr int kIdlePollsMax = 500;  // 10 s
  static constexpr int kLevels = 7;          // leveldb's config::kNumLevels

  leveldb::ReadOptions ReadOptionsOf(const ReadOptions& options) const {
    leveldb::ReadOptions ro;
    ro.verify_checksums = verify_checksums_;
    if (options.snapshot != nullptr) {
      ro.snapshot = static_cast<const LevelDbSnapshot*>(options.snapshot)->get();
    }
    return ro;
  }

  std::unique_ptr<leveldb::Env> env_;  // null: LevelDB's default Env
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<CountingLogger> log_;
  std::unique_ptr<leveldb::DB> db_;
  const std::string path_;
  CountedPositions positions_;
  const bool verify_checksums_;
};

// LevelDB's floor for max_open_files.
constexpr int kOpenFilesMin = 74;

Result<std::unique_ptr<Store>> Open(const StoreConfig& config, const std::string& path) {
  const workloads::EngineSpec& e = config.engine;
  leveldb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = e.memtable_bytes;
  options.max_file_size = e.table_target_bytes;
  options.block_size = e.block_bytes;
  options.block_restart_interval = e.block_restart_interval;
  options.max_open_files =
      std::max<int>(kOpenFilesMin, static_cast<int>(e.table_cache_entries_max));
  options.compression = leveldb::kNoCompression;
  options.paranoid_checks = config.store.paranoid_checks;
  // Every file operation goes through the run's file system (its FaultFS) when there is one.
  std::unique_ptr<leveldb::Env> own_env;
  if (config.file_system != nullptr) {
    own_env = std::make_unique<FileSystemEnv>(config.file_system);
    options.env = own_env.get();
  }
  // Counts what LevelDB logs; the LOG file is still written (opened as LevelDB would).
  leveldb::Env* env = options.env;
  env->CreateDir(path);  // LevelDB creates it too; the LOG file has to go somewhere first
  env->RenameFile(path + "/LOG", path + "/LOG.old");  // as LevelDB does with its own LOG
  leveldb::Logger* file_log = nullptr;
  if (!env->NewLogger(path + "/LOG", &file_log).ok()) file_log = nullptr;
  auto log = std::make_unique<CountingLogger>(std::unique_ptr<leveldb::Logger>(file_log));
  options.info_log = log.get();
  std::unique_ptr<const leveldb::FilterPolicy> filter;
  if (e.bloom_bits_per_key > 0) {
    filter.reset(leveldb::NewBloomFilterPolicy(e.bloom_bits_per_key));
    options.filter_policy = filter.get();
  }
  leveldb::DB* raw = nullptr;
  const leveldb::Status s = leveldb::DB::Open(options, path, &raw);
  if (!s.ok()) return FromLevelDb(s);
  return std::unique_ptr<Store>(std::make_unique<LevelDbStore>(
      std::move(own_env), std::move(filter), std::move(log), std::unique_ptr<leveldb::DB>(raw),
      path, config.first_sequence, e.verify_checksums));
}

std::string Version() {
  return fmt::format("{}.{}", leveldb::kMajorVersion, leveldb::kMinorVersion);
}

}  // namespace

StoreKind Kind() {
  StoreKind kind{"leveldb", &Version, &Open};
  kind.positions = "bracketed";
  kind.file_faults = true;  // through FileSystemEnv
  kind.failed_writes_indeterminate = true;
  kind.fresh_file_numbers_after_recovery = false;
  kind.ordered_metadata = true;
  kind.iterator_invalid_on_error = false;
  kind.exposes_live_versions = false;  // LevelDB keeps its Version list private
  kind.exposes_oldest_version_age = false;
  return kind;
}

}  // namespace stores::leveldb_store
