// LevelDbStore: a LevelDB 1.23 database in its own temporary directory, behind the same interface
// as VstressStore, so every benchmark runs the same code against both engines.
//
// Settings follow StoreOptions (block size, bloom bits, no compression, checksum verification).
// LevelDB keeps its default 8 MiB block cache, but on 64-bit Linux LevelDB 1.23 memory-maps its
// table files (up to 1000 of them) and serves an uncompressed block straight from the mapping
// without caching it, so with no compression a table read never touches that cache and costs no
// system call or copy; vstress does the same (it maps its tables too, and has no block cache).
// The store owns its directory:
// destruction closes the DB (waiting for LevelDB's background compaction) and then deletes every
// file.
//
// Thread contract: thread-safe (as leveldb::DB), except that Open and destruction must not race
// with any other call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bench/store_options.h"
#include "bench/temp_dir.h"
#include "engine/status.h"

namespace leveldb {
class DB;
class FilterPolicy;
}  // namespace leveldb

namespace bench {

class LevelDbStore {
 public:
  // The name benchmark rows carry, e.g. "GetFromTables/leveldb".
  static constexpr const char* kName = "leveldb";

  static engine::Result<std::unique_ptr<LevelDbStore>> Open(const StoreOptions& options);

  LevelDbStore(const LevelDbStore&) = delete;
  LevelDbStore& operator=(const LevelDbStore&) = delete;
  ~LevelDbStore();

  // An unsynced write of one key.
  engine::Status Put(std::string_view key, std::string_view value);
  // NotFound when the key is absent.
  engine::Status Get(std::string_view key, std::string* value);
  // CompactRange(nullptr, nullptr): flushes the memtable and compacts every level into the next.
  // LevelDB has no public "wait until idle" and may follow a manual compaction with size-triggered
  // ones, so this then waits (bounded) until its compaction statistics stop changing, so that
  // nothing runs behind a following measurement.
  engine::Status CompactAll();
  // Tables per level of the current state, e.g. "tables: L2=13", or "tables: none".
  std::string TableSummary() const;

 private:
  LevelDbStore(std::unique_ptr<TempDir> dir, std::unique_ptr<const leveldb::FilterPolicy> filter,
               std::unique_ptr<leveldb::DB> db, bool verify_checksums);

  // Declared first so they are destroyed last: the DB uses the filter policy until it is closed,
  // and its files must be closed before the directory is removed.
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
  const bool verify_checksums_;
};

}  // namespace bench
