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
  workloads::StoreSpec store;    // the options only some stores have, and the store mutants
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
  // It runs wherever the run's file system is (in memory too) with background work stepped by the
  // simulator (Store::simulation()); otherwise on disk (through the run's FaultFS over the real
  // file system) with its own threads.
  bool runs_on_run_file_system = false;
  // The fs/ fault rules reach it: its files go through the run's file system
  // (StoreConfig::file_system, the run's FaultFS): vstress's own engine, RocksDB through
  // stores::EngineFileSystem, LevelDB through stores::FileSystemEnv.
  bool file_faults = false;
  // A write that returned an error may still show after a reopen (its log record may have reached
  // the file before the error): LevelDB and RocksDB. vstress's engine promises it never shows.
  bool failed_writes_indeterminate = false;
  // After a recovery no file it creates reuses a number a file the crash left on disk carried, and
  // the next number is above them all (rocksdb #7607, #7621; RocksDB 7.8.3's
  // DeleteUnreferencedSstFiles raises its counter past every file found). LevelDB promises less:
  // its recovery marks used only the numbers of the logs it replays (DBImpl::Recover) and deletes
  // stray tables after opening, so a new file may take a stray table's number.
  bool fresh_file_numbers_after_recovery = true;
  // A power loss is modelled on a file system that makes metadata durable in order (any file's
  // sync or a deletion makes every earlier creation and rename durable: ext4's data=ordered), not
  // on POSIX's fsync(2) alone: LevelDB, which fsyncs its directory only before a MANIFEST sync and
  // whose maintainers hold it to that file system (google/leveldb #195, #196).
  bool ordered_metadata = false;
  // An iterator whose status() is not ok is not Valid() (RocksDB's iterator.h: "Always returns
  // false if !status().ok()"; vstress's the same). LevelDB 1.23's says no such thing, and its
  // two-level iterator steps past a block it could not read and stays on the next key, the error
  // kept in status().
  bool iterator_invalid_on_error = true;
  // Maintenance::Resume clears a background error without a reopen (RocksDB's DB::Resume), so
  // `on_background_error = "resume"` can run on it.
  bool resumes_after_background_error = false;
  // It takes engine.mutations (the planted engine bugs); every store takes store.mutations.
  bool takes_engine_mutations = false;
  // The gauges it exposes (StoreStats' optional ones): a gauge it does not is reported as absent
  // ("not exposed by this store") in the metrics, summary.json and the reports, never as 0.
  bool exposes_live_versions = true;
  bool exposes_deferred_deletions = true;
  bool exposes_oldest_version_age = true;
};

// The gauges `kind` does not expose, by their metric names: "live_versions",
// "deferred_deletions" (with "deferred_deletion_bytes"), "oldest_version_age_seconds".
std::vector<std::string> GaugesNotExposed(const StoreKind& kind);

// Opens `kind` at `path` with the store mutants config.store names planted around it
// (stores/mutants/). Every open in the harness goes through here.
Result<std::unique_ptr<Store>> Open(const StoreKind& kind, const StoreConfig& config,
                                    const std::string& path);
// Whether `spec` can run: a store built in, known store mutants, and engine mutants only on the
// store that has them. InvalidArgument naming the key otherwise.
Status CheckStoreSpec(const workloads::StoreSpec& spec, const workloads::EngineSpec& engine);

// Every store built in, vstress first.
const std::vector<StoreKind>& StoreKinds();
// The store named `name`, or null.
const StoreKind* FindStore(std::string_view name);
// "vstress, leveldb, rocksdb": for messages.
std::string StoreNames();

}  // namespace stores
