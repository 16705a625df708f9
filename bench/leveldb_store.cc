#include "bench/leveldb_store.h"

#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>

#include <chrono>
#include <thread>

namespace bench {
namespace {

// LevelDB 1.23 has seven levels (config::kNumLevels, not part of its public headers).
constexpr int kLevelDbLevelCount = 7;
// CompactAll polls LevelDB's compaction statistics this often; it calls the DB quiet once they
// have not changed for kQuietPollsRequired polls in a row (a 2 MiB compaction takes well under
// that), and gives up after kQuietPollsMax polls.
constexpr auto kQuietPollInterval = std::chrono::milliseconds(50);
constexpr int kQuietPollsRequired = 10;
constexpr int kQuietPollsMax = 400;

engine::Status FromLevelDb(const leveldb::Status& s) {
  if (s.ok()) return engine::Status::Ok();
  if (s.IsNotFound()) return engine::Status::NotFound("");
  return engine::Status::IOError("leveldb: " + s.ToString());
}

}  // namespace

LevelDbStore::LevelDbStore(std::unique_ptr<TempDir> dir,
                           std::unique_ptr<const leveldb::FilterPolicy> filter,
                           std::unique_ptr<leveldb::DB> db, bool verify_checksums)
    : dir_(std::move(dir)),
      filter_(std::move(filter)),
      db_(std::move(db)),
      verify_checksums_(verify_checksums) {}

LevelDbStore::~LevelDbStore() { db_.reset(); }

engine::Result<std::unique_ptr<LevelDbStore>> LevelDbStore::Open(const StoreOptions& options) {
  engine::Status s = options.Validate();
  if (!s.ok()) return s;
  engine::Result<std::unique_ptr<TempDir>> dir = TempDir::Create("vstress_bench_leveldb.");
  if (!dir.ok()) return dir.status();
  std::unique_ptr<const leveldb::FilterPolicy> filter(
      leveldb::NewBloomFilterPolicy(options.bloom_bits_per_key));
  leveldb::Options leveldb_options;
  leveldb_options.create_if_missing = true;
  leveldb_options.error_if_exists = true;
  leveldb_options.write_buffer_size = options.memtable_bytes;
  leveldb_options.block_size = options.block_bytes;
  leveldb_options.filter_policy = filter.get();
  leveldb_options.compression = leveldb::kNoCompression;
  // block_cache stays null: LevelDB then makes its own 8 MiB cache (unused by reads of blocks it
  // serves from a memory-mapped table, which is every block here: nothing is compressed).
  leveldb::DB* raw_db = nullptr;
  s = FromLevelDb(leveldb::DB::Open(leveldb_options, dir.value()->path(), &raw_db));
  if (!s.ok()) return s;
  return std::unique_ptr<LevelDbStore>(new LevelDbStore(std::move(dir).value(), std::move(filter),
                                                        std::unique_ptr<leveldb::DB>(raw_db),
                                                        options.verify_checksums));
}

engine::Status LevelDbStore::Put(std::string_view key, std::string_view value) {
  leveldb::WriteOptions options;
  options.sync = false;
  return FromLevelDb(db_->Put(options, leveldb::Slice(key.data(), key.size()),
                              leveldb::Slice(value.data(), value.size())));
}

engine::Status LevelDbStore::Get(std::string_view key, std::string* value) {
  leveldb::ReadOptions options;
  options.verify_checksums = verify_checksums_;
  return FromLevelDb(db_->Get(options, leveldb::Slice(key.data(), key.size()), value));
}

engine::Status LevelDbStore::CompactAll() {
  db_->CompactRange(nullptr, nullptr);
  // "leveldb.stats" holds per-level table counts and compaction time and bytes, so it changes
  // whenever a compaction finishes.
  std::string previous;
  db_->GetProperty("leveldb.stats", &previous);
  int quiet_polls = 0;
  for (int poll = 0; poll < kQuietPollsMax; poll++) {
    std::this_thread::sleep_for(kQuietPollInterval);
    std::string now;
    db_->GetProperty("leveldb.stats", &now);
    quiet_polls = now == previous ? quiet_polls + 1 : 0;
    if (quiet_polls >= kQuietPollsRequired) return engine::Status::Ok();
    previous = std::move(now);
  }
  return engine::Status::IOError("leveldb: compactions still running after CompactAll");
}

std::string LevelDbStore::TableSummary() const {
  std::string summary = "tables:";
  bool any = false;
  for (int level = 0; level < kLevelDbLevelCount; level++) {
    std::string count;
    const std::string property = "leveldb.num-files-at-level" + std::to_string(level);
    if (!db_->GetProperty(property, &count) || count == "0") continue;
    summary += " L" + std::to_string(level) + "=" + count;
    any = true;
  }
  return any ? summary : "tables: none";
}

}  // namespace bench
