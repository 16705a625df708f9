// BenchStore: a store from the registry (stores/registry.h) in its own temporary directory, so
// every benchmark runs the same code against vstress, LevelDB and RocksDB through the one adapter
// per engine the harness uses too (no second copy of any engine's glue here).
//
// Settings follow StoreOptions (memtable, block size, bloom bits, checksum verification); every
// other knob is the engine's own default, the same for each store (doc/design.md lists how each
// store maps them).
//
// The store owns its directory: destruction closes the DB and then deletes every file. Put and Get
// may be called from several threads at once; Open and destruction may not race with them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bench/store_options.h"
#include "bench/temp_dir.h"
#include "engine/status.h"
#include "stores/store.h"

namespace bench {

class BenchStore {
 public:
  static engine::Result<std::unique_ptr<BenchStore>> Open(std::string_view store,
                                                          const StoreOptions& options);

  BenchStore(const BenchStore&) = delete;
  BenchStore& operator=(const BenchStore&) = delete;
  ~BenchStore();

  // An unsynced write of one key.
  engine::Status Put(std::string_view key, std::string_view value);
  // NotFound when the key is absent.
  engine::Status Get(std::string_view key, std::string* value);
  // Flushes the memtable and compacts every level into the next, waiting for the work to end.
  engine::Status CompactAll();
  // Tables per level of the current state, e.g. "tables: L2=13", or "tables: none".
  std::string TableSummary();

 private:
  BenchStore(std::unique_ptr<TempDir> dir, std::unique_ptr<stores::Store> store)
      : dir_(std::move(dir)), store_(std::move(store)) {}

  // Declared first so it is destroyed last: the store's files close before the directory goes.
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<stores::Store> store_;
};

// The stores the benchmark rows name, as types so each row's data set is a function-local static
// of its own (engine_bench.cc).
struct VstressStore {
  static constexpr const char* kName = "vstress";
};
struct LevelDbStore {
  static constexpr const char* kName = "leveldb";
};
struct RocksDbStore {
  static constexpr const char* kName = "rocksdb";
};

}  // namespace bench
