#include "stores/rocksdb/rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace stores::rocksdb_store {
namespace {

Status FromRocksDb(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  const std::string text = s.ToString();
  if (s.IsNotFound()) return Status::NotFound(text);
  if (s.IsCorruption()) return Status::Corruption(text);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(text);
  if (s.IsNoSpace()) return Status::NoSpace(text);
  return Status::IOError(text);
}

rocksdb::Slice SliceOf(std::string_view text) { return {text.data(), text.size()}; }
std::string_view ViewOf(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

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

class RocksDbIterator final : public Iterator {
 public:
  RocksDbIterator(std::unique_ptr<rocksdb::Iterator> it, Position position)
      : it_(std::move(it)), position_(position) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(SliceOf(target)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return ViewOf(it_->key()); }
  std::string_view value() const override { return ViewOf(it_->value()); }
  Status status() const override { return FromRocksDb(it_->status()); }
  Position position() const override { return position_; }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  const Position position_;
};

class RocksDbStore final : public Store {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, bool verify_checksums)
      : db_(std::move(db)), verify_checksums_(verify_checksums) {}
  ~RocksDbStore() override {
    db_->Close();  // waits for background work; the destructor would not report an error
  }

  Result<SequenceNumber> Write(bool sync, std::span<const BatchEntry> batch) override {
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
    if (!s.ok()) return FromRocksDb(s);
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
    uint64_t error = 0;
    if (db_->GetIntProperty("rocksdb.background-errors", &error) && error != 0) {
      return Status::BackgroundError("RocksDB reports " + std::to_string(error) +
                                     " background error(s)");
    }
    return Status::Ok();
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

  StoreStats Stats() const override { return StoreStats(); }

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

  std::unique_ptr<rocksdb::DB> db_;
  std::mutex write_mu_;
  const bool verify_checksums_;
};

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
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return FromRocksDb(s);
  return std::unique_ptr<Store>(
      std::make_unique<RocksDbStore>(std::unique_ptr<rocksdb::DB>(raw), e.verify_checksums));
}

std::string Version() { return rocksdb::GetRocksVersionAsString(true); }

}  // namespace

StoreKind Kind() {
  StoreKind kind{"rocksdb", &Version, &Open};
  kind.positions = "bracketed";  // snapshots exact; Get and iterators bracketed
  return kind;
}

}  // namespace stores::rocksdb_store
