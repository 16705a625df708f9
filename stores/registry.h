// The stores vstress can test, by name: `--store vstress|leveldb|rocksdb` looks one up here and
// opens it. Each engine's folder (stores/vstress/, ...) contributes one StoreKind; this table lists
// the ones built in (a library not found at build time leaves its store out), so no code anywhere
// branches on a store's name.
//
// A store is opened from the workload's engine knobs (workloads::EngineSpec: memtable and table
// sizes, level-0 triggers, block size, bloom bits, ...), which every store maps onto its own
// equivalents (doc/design.md lists the mapping), plus the run's file system and clock.
//
// Thread contract: immutable (a static table).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.h"
#include "engine/file_system.h"
#include "stores/store.h"
#include "workloads/workload_spec.h"

namespace stores {

struct StoreConfig {
  workloads::EngineSpec engine;  // the workload's engine knobs
  // The run's file system (FaultFS over the real or an in-memory one) and clock; null: the real
  // ones.
  std::shared_ptr<engine::FileSystem> file_system;
  std::shared_ptr<engine::Clock> clock;
  // A store that counts sequences itself (it cannot read the engine's) counts on from here: the
  // last sequence the run recorded before this open.
  SequenceNumber first_sequence = 0;
};

struct StoreKind {
  std::string_view name;
  // The engine's version, from the library itself.
  std::string (*version)();
  // Opens (creating if missing) the store at `path`.
  Result<std::unique_ptr<Store>> (*open)(const StoreConfig& config, const std::string& path);
  // What the store declares it can do, before it is opened.
  // Where its reads sit: "exact" (each reports the sequence it observed) or "bracketed".
  std::string_view positions = "exact";
  // It runs on the run's own file system (FaultFS, in memory too) with background work stepped by
  // the simulator (Store::simulation()); otherwise on the real file system with its own threads.
  bool runs_on_run_file_system = false;
};

// Every store built in, vstress first.
const std::vector<StoreKind>& StoreKinds();
// The store named `name`, or null.
const StoreKind* FindStore(std::string_view name);
// "vstress, leveldb, rocksdb": for messages.
std::string StoreNames();

}  // namespace stores
