#include "bench/bench_store.h"

#include <cstdio>

#include "engine/options.h"
#include "stores/registry.h"

namespace bench {

engine::Result<std::unique_ptr<BenchStore>> BenchStore::Open(std::string_view store,
                                                             const StoreOptions& options) {
  if (engine::Status s = options.Validate(); !s.ok()) return s;
  const stores::StoreKind* kind = stores::FindStore(store);
  if (kind == nullptr) return engine::Status::InvalidArgument("no store named " + std::string(store));
  engine::Result<std::unique_ptr<TempDir>> dir =
      TempDir::Create("vstress_bench_" + std::string(store) + ".");
  if (!dir.ok()) return dir.status();
  // The engine's defaults (not the harness's small stress-run sizes), with the bench's settings.
  const engine::Options defaults;
  stores::StoreConfig config;
  workloads::EngineSpec& e = config.engine;
  e.memtable_bytes = options.memtable_bytes;
  e.block_bytes = options.block_bytes;
  e.bloom_bits_per_key = options.bloom_bits_per_key;
  e.verify_checksums = options.verify_checksums;
  e.table_target_bytes = defaults.table_target_bytes;
  e.level_base_bytes = defaults.level_base_bytes;
  e.level0_compaction_trigger = defaults.level0_compaction_trigger;
  e.level0_slowdown_trigger = defaults.level0_slowdown_trigger;
  e.level0_stop_trigger = defaults.level0_stop_trigger;
  e.table_cache_entries_max = defaults.table_cache_entries_max;
  auto opened = stores::Open(*kind, config, dir.value()->path());
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<BenchStore>(
      new BenchStore(std::move(dir).value(), std::move(opened).value()));
}

BenchStore::~BenchStore() { store_.reset(); }

engine::Status BenchStore::Put(std::string_view key, std::string_view value) {
  const stores::BatchEntry entry{false, key, value};
  stores::SequenceNumber voided = 0;
  auto written = store_->Write(false, {&entry, 1}, &voided);
  return written.ok() ? engine::Status::Ok() : written.status();
}

engine::Status BenchStore::Get(std::string_view key, std::string* value) {
  stores::Position at;
  return store_->Get(stores::ReadOptions(), key, value, &at);
}

engine::Status BenchStore::CompactAll() {
  stores::Maintenance* m = store_->maintenance();
  if (m == nullptr) return engine::Status::InvalidArgument("the store cannot compact on demand");
  if (engine::Status s = m->Flush(); !s.ok()) return s;
  if (engine::Status s = m->CompactRange("", ""); !s.ok()) return s;
  return store_->WaitForBackgroundIdle();
}

std::string BenchStore::TableSummary() {
  stores::Maintenance* m = store_->maintenance();
  if (m == nullptr) return "tables: unknown";
  std::string summary;
  for (const auto& [level, count] : m->TablesPerLevel()) {
    summary += " L" + std::to_string(level) + "=" + std::to_string(count);
  }
  return summary.empty() ? "tables: none" : "tables:" + summary;
}

}  // namespace bench
