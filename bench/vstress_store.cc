#include "bench/vstress_store.h"

#include <cstdio>
#include <map>

#include "engine/inspect.h"

namespace bench {

engine::Result<std::unique_ptr<VstressStore>> VstressStore::Open(const StoreOptions& options) {
  engine::Status s = options.Validate();
  if (!s.ok()) return s;
  engine::Result<std::unique_ptr<TempDir>> dir = TempDir::Create("vstress_bench_vstress.");
  if (!dir.ok()) return dir.status();
  engine::Options engine_options;
  engine_options.create_if_missing = true;
  engine_options.error_if_exists = true;
  engine_options.memtable_bytes = options.memtable_bytes;
  engine_options.block_bytes = options.block_bytes;
  engine_options.bloom_bits_per_key = options.bloom_bits_per_key;
  engine_options.verify_checksums = options.verify_checksums;
  engine::Result<std::unique_ptr<engine::DB>> db =
      engine::DB::Open(engine_options, dir.value()->path());
  if (!db.ok()) return db.status();
  return std::unique_ptr<VstressStore>(
      new VstressStore(std::move(dir).value(), std::move(db).value()));
}

VstressStore::~VstressStore() {
  engine::Status s = db_->Close();
  if (!s.ok()) std::fprintf(stderr, "closing vstress DB: %s\n", s.ToString().c_str());
}

engine::Status VstressStore::Put(std::string_view key, std::string_view value) {
  engine::WriteOptions options;
  options.sync = engine::WriteOptions::Sync::kNo;
  return db_->Put(options, key, value).status();
}

engine::Status VstressStore::Get(std::string_view key, std::string* value) {
  return db_->Get(engine::ReadOptions(), key, value);
}

engine::Status VstressStore::CompactAll() {
  engine::Status s = db_->CompactRange("", "");
  if (!s.ok()) return s;
  return db_->WaitForBackgroundIdle();
}

std::string VstressStore::TableSummary() const {
  // InspectDB reads a live DB without writing, which is all a one-off label needs.
  engine::InspectReport report;
  engine::Status s = engine::InspectDB(engine::Options(), dir_->path(), &report);
  if (!s.ok()) return "tables: unknown (" + s.ToString() + ")";
  std::map<int, int> tables_per_level;
  for (const engine::InspectedTable& table : report.tables) tables_per_level[table.level]++;
  if (tables_per_level.empty()) return "tables: none";
  std::string summary = "tables:";
  for (const auto& [level, count] : tables_per_level) {
    summary += " L" + std::to_string(level) + "=" + std::to_string(count);
  }
  return summary;
}

}  // namespace bench
