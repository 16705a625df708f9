// VstressStore: a vstress engine::DB in its own temporary directory, behind the small interface
// every benchmark drives (LevelDbStore has the same one, so a benchmark is a template over both).
//
// The store owns its directory: destruction closes the DB and then deletes every file. Methods are
// not virtual, so a benchmark pays no dispatch beyond the engine's own call.
//
// Thread contract: thread-safe (as engine::DB), except that Open and destruction must not race
// with any other call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bench/store_options.h"
#include "bench/temp_dir.h"
#include "engine/db.h"
#include "engine/status.h"

namespace bench {

class VstressStore {
 public:
  // The name benchmark rows carry, e.g. "GetFromTables/vstress".
  static constexpr const char* kName = "vstress";

  static engine::Result<std::unique_ptr<VstressStore>> Open(const StoreOptions& options);

  VstressStore(const VstressStore&) = delete;
  VstressStore& operator=(const VstressStore&) = delete;
  ~VstressStore();

  // An unsynced write of one key.
  engine::Status Put(std::string_view key, std::string_view value);
  // NotFound when the key is absent.
  engine::Status Get(std::string_view key, std::string* value);
  // Flushes the memtable and compacts every table down the levels; returns once done and the
  // background thread is idle, so nothing runs behind a following measurement.
  engine::Status CompactAll();
  // Tables per level of the current state, e.g. "tables: L6=13", or "tables: none".
  std::string TableSummary() const;

 private:
  VstressStore(std::unique_ptr<TempDir> dir, std::unique_ptr<engine::DB> db)
      : dir_(std::move(dir)), db_(std::move(db)) {}

  // Declared first so it is destroyed last, after the DB has closed its files.
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<engine::DB> db_;
};

}  // namespace bench
