// vstress_bench: vstress's engine, LevelDB 1.23 and RocksDB 7.8.3 doing the same work, side by side
// in one run, each through its store adapter (stores/), as the harness drives them.
//
// Rows come in triples named <Benchmark>/vstress, <Benchmark>/leveldb and <Benchmark>/rocksdb,
// registered one after the other so they print together:
//   ReadViewPin        Get of a missing key on an empty DB, 1 and 2 threads sharing one DB: the
//                      cost of pinning and releasing what a read needs (vstress: its ReadView;
//                      LevelDB: mem and Version under the DB mutex, taken twice; RocksDB: its
//                      thread-local SuperVersion), plus an empty memtable seek and a NotFound.
//   ReadViewPattern    the vstress and LevelDB pin patterns alone, as models
//                      (read_view_models.h), 1 and 2 threads.
//   GetFromMemtable    random Gets of existing keys; 100k keys, all still in the memtable.
//   GetFromTables      random Gets of existing keys; 200k keys, flushed and compacted into tables.
//                      Block checksums are verified on read by both.
//   GetFromTablesNoChecksums   the same, verifying no block checksum (LevelDB's default).
//   FillRandom         100k unsynced Puts of random keys into a fresh DB per iteration.
//
// Every engine uses 4 KiB blocks, 10 bloom bits per key and no compression. vstress and LevelDB
// memory-map their tables and read uncompressed blocks in place: vstress has no block cache, and
// LevelDB keeps its default 8 MiB one but does not cache blocks it reads from a map; RocksDB reads
// through its default 8 MiB block cache.
//
// A loaded store is built on first use (outside the timed loop) and kept until the process exits,
// because Google Benchmark calls a benchmark function many times (to pick an iteration count, and
// once per repetition) and reloading 200k keys each time would dominate the run. Threads of one
// row share the store: a function-local static is initialized exactly once even when both threads
// reach it together, so no set-up barrier is needed. Every row uses real time, so a row whose work
// continues on a background thread (FillRandom's flushes) is charged for it.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_keys.h"
#include "bench/bench_store.h"
#include "bench/read_view_models.h"
#include "bench/store_options.h"

namespace bench {
namespace {

// 100k entries take about 16 MiB of memtable (key, tag, value and skiplist node each), so a
// 64 MiB memtable never flushes; the set-up checks that no table was written.
constexpr uint64_t kMemtableKeyCount = 100'000;
constexpr size_t kMemtableNeverFlushesBytes = 64 << 20;
constexpr uint64_t kTableKeyCount = 200'000;
constexpr uint64_t kFillKeyCount = 100'000;
// Lookups cycle through this many pre-drawn keys; a power of two so the index is a mask.
constexpr size_t kLookupKeyCount = 1 << 16;
static_assert((kLookupKeyCount & (kLookupKeyCount - 1)) == 0);
constexpr uint64_t kLoadSeed = 1;
constexpr uint64_t kLookupSeed = 2;
constexpr uint64_t kFillSeed = 3;
// Keeps the whole suite at about a minute with --benchmark_repetitions=5.
constexpr double kMinTimeSeconds = 0.5;
constexpr int64_t kFillIterations = 2;

// A store with its data loaded, and the keys a Get benchmark looks up in it.
template <typename Store>
struct LoadedStore {
  std::unique_ptr<BenchStore> store;
  std::vector<std::string> lookup_keys;
  std::string label;  // where the data lives, e.g. "tables: L2=13"
  std::string error;  // non-empty if set-up failed; the rows using the store are skipped
};

enum class Placement { kMemtable, kTables };

template <typename Store>
LoadedStore<Store> Load(const StoreOptions& options, uint64_t key_count, Placement placement) {
  LoadedStore<Store> loaded;
  engine::Result<std::unique_ptr<BenchStore>> opened = BenchStore::Open(Store::kName, options);
  if (!opened.ok()) {
    loaded.error = "open: " + opened.status().ToString();
    return loaded;
  }
  loaded.store = std::move(opened).value();
  const std::string value = BenchValue();
  for (const std::string& key : ShuffledKeys(key_count, kLoadSeed)) {
    engine::Status s = loaded.store->Put(key, value);
    if (!s.ok()) {
      loaded.error = "load: " + s.ToString();
      return loaded;
    }
  }
  if (placement == Placement::kTables) {
    engine::Status s = loaded.store->CompactAll();
    if (!s.ok()) loaded.error = "compact: " + s.ToString();
  }
  loaded.label = loaded.store->TableSummary();
  if (placement == Placement::kMemtable && loaded.label != "tables: none") {
    loaded.error = "the memtable data set flushed (" + loaded.label + ")";
  }
  // An empty store's lookups all miss; any key range will do.
  loaded.lookup_keys = RandomKeys(kLookupKeyCount, key_count > 0 ? key_count : 1, kLookupSeed);
  return loaded;
}

template <typename Store>
const LoadedStore<Store>& EmptyStore() {
  static const LoadedStore<Store> loaded = Load<Store>(StoreOptions(), 0, Placement::kMemtable);
  return loaded;
}

template <typename Store>
const LoadedStore<Store>& MemtableStore() {
  static const LoadedStore<Store> loaded = [] {
    StoreOptions options;
    options.memtable_bytes = kMemtableNeverFlushesBytes;
    return Load<Store>(options, kMemtableKeyCount, Placement::kMemtable);
  }();
  return loaded;
}

template <typename Store, bool kVerifyChecksums>
const LoadedStore<Store>& TableStore() {
  static const LoadedStore<Store> loaded = [] {
    StoreOptions options;
    options.verify_checksums = kVerifyChecksums;
    return Load<Store>(options, kTableKeyCount, Placement::kTables);
  }();
  return loaded;
}

// Random Gets against `loaded`; each must find its key (or, with expect_found false, miss it).
template <typename Store>
void RunGets(benchmark::State& state, const LoadedStore<Store>& loaded, bool expect_found) {
  if (!loaded.error.empty()) {
    state.SkipWithError(loaded.error.c_str());
    return;
  }
  const std::vector<std::string>& keys = loaded.lookup_keys;
  // Threads start half the cycle apart so they do not read the same keys in lock step.
  size_t next = static_cast<size_t>(state.thread_index()) * (kLookupKeyCount / 2);
  std::string value;
  for (auto _ : state) {
    const engine::Status s = loaded.store->Get(keys[next++ & (kLookupKeyCount - 1)], &value);
    if (expect_found ? !s.ok() : !s.IsNotFound()) {
      state.SkipWithError(expect_found ? "Get missed a loaded key" : "Get of a missing key failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(loaded.label);
}

template <typename Store>
void BM_ReadViewPin(benchmark::State& state) {
  RunGets(state, EmptyStore<Store>(), /*expect_found=*/false);
}

template <typename Store>
void BM_GetFromMemtable(benchmark::State& state) {
  RunGets(state, MemtableStore<Store>(), /*expect_found=*/true);
}

template <typename Store, bool kVerifyChecksums>
void BM_GetFromTables(benchmark::State& state) {
  RunGets(state, TableStore<Store, kVerifyChecksums>(), /*expect_found=*/true);
}

template <typename Model>
void BM_ReadViewPattern(benchmark::State& state) {
  static Model model;
  for (auto _ : state) {
    uint64_t sequence;
    typename Model::View* view = model.Pin(&sequence);
    benchmark::DoNotOptimize(sequence);
    benchmark::DoNotOptimize(view);
    model.Unpin(view);
  }
  state.SetItemsProcessed(state.iterations());
}

// Puts every key of `keys` into a fresh store; `store` gets it so the caller can close it untimed.
engine::Status FillOnce(const std::vector<std::string>& keys, const std::string& value,
                        BenchStore* store) {
  for (const std::string& key : keys) {
    engine::Status s = store->Put(key, value);
    if (!s.ok()) return s;
  }
  return engine::Status::Ok();
}

template <typename Store>
void BM_FillRandom(benchmark::State& state) {
  static const std::vector<std::string> keys = RandomKeys(kFillKeyCount, kFillKeyCount, kFillSeed);
  const std::string value = BenchValue();
  for (auto _ : state) {
    // Opening and closing (which deletes the directory) stay outside the timing.
    state.PauseTiming();
    engine::Result<std::unique_ptr<BenchStore>> opened =
        BenchStore::Open(Store::kName, StoreOptions());
    if (!opened.ok()) {
      state.SkipWithError("open failed");
      break;
    }
    std::unique_ptr<BenchStore> store = std::move(opened).value();
    state.ResumeTiming();
    const engine::Status s = FillOnce(keys, value, store.get());
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
    if (!s.ok()) {
      state.SkipWithError("Put failed");
      break;
    }
  }
  const int64_t puts = state.iterations() * static_cast<int64_t>(keys.size());
  state.SetItemsProcessed(puts);
  state.SetBytesProcessed(puts * static_cast<int64_t>(kKeyBytes + kValueBytes));
}

// Registers `run` as "<family>/<name>" with the settings every row shares.
benchmark::internal::Benchmark* Register(const std::string& family, const char* name,
                                         void (*run)(benchmark::State&)) {
  const std::string full_name = family + "/" + name;
  return benchmark::RegisterBenchmark(full_name.c_str(), run)->UseRealTime();
}

// Registers `run<Store>` for every store, one thread each (or `threads`), rows adjacent.
template <template <typename> typename Run>
void RegisterTriple(const std::string& family, int threads = 1) {
  Register(family, VstressStore::kName, &Run<VstressStore>::Go)->Threads(threads)
      ->MinTime(kMinTimeSeconds);
  Register(family, LevelDbStore::kName, &Run<LevelDbStore>::Go)->Threads(threads)
      ->MinTime(kMinTimeSeconds);
  Register(family, RocksDbStore::kName, &Run<RocksDbStore>::Go)->Threads(threads)
      ->MinTime(kMinTimeSeconds);
}

template <typename Store>
struct ReadViewPin {
  static void Go(benchmark::State& state) { BM_ReadViewPin<Store>(state); }
};
template <typename Store>
struct GetFromMemtable {
  static void Go(benchmark::State& state) { BM_GetFromMemtable<Store>(state); }
};
template <typename Store>
struct GetFromTables {
  static void Go(benchmark::State& state) { BM_GetFromTables<Store, true>(state); }
};
template <typename Store>
struct GetFromTablesNoChecksums {
  static void Go(benchmark::State& state) { BM_GetFromTables<Store, false>(state); }
};

void RegisterAll() {
  for (int threads : {1, 2}) RegisterTriple<ReadViewPin>("ReadViewPin", threads);
  for (int threads : {1, 2}) {
    Register("ReadViewPattern", "vstress", &BM_ReadViewPattern<VstressShapedPin>)
        ->Threads(threads)
        ->MinTime(kMinTimeSeconds);
    Register("ReadViewPattern", "leveldb", &BM_ReadViewPattern<LevelDbShapedPin>)
        ->Threads(threads)
        ->MinTime(kMinTimeSeconds);
  }
  RegisterTriple<GetFromMemtable>("GetFromMemtable");
  RegisterTriple<GetFromTables>("GetFromTables");
  RegisterTriple<GetFromTablesNoChecksums>("GetFromTablesNoChecksums");
  Register("FillRandom", VstressStore::kName, &BM_FillRandom<VstressStore>)
      ->Iterations(kFillIterations);
  Register("FillRandom", LevelDbStore::kName, &BM_FillRandom<LevelDbStore>)
      ->Iterations(kFillIterations);
  Register("FillRandom", RocksDbStore::kName, &BM_FillRandom<RocksDbStore>)
      ->Iterations(kFillIterations);
}

// Runs at static initialization, before benchmark_main's main() lists the registered rows.
[[maybe_unused]] const bool registered = (RegisterAll(), true);

}  // namespace
}  // namespace bench
