#include "stores/registry.h"

#include <fmt/format.h>

#include "stores/leveldb/leveldb_store.h"
#include "stores/mutants/mutant_store.h"
#include "stores/rocksdb/rocksdb_store.h"
#include "stores/vstress/vstress_store.h"

namespace stores {

const std::vector<StoreKind>& StoreKinds() {
  static const std::vector<StoreKind> kinds = {
      vstress::Kind(),
      leveldb_store::Kind(),
      rocksdb_store::Kind(),
  };
  return kinds;
}

const StoreKind* FindStore(std::string_view name) {
  for (const StoreKind& kind : StoreKinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

Result<std::unique_ptr<Store>> Open(const StoreKind& kind, const StoreConfig& config,
                                    const std::string& path) {
  auto opened = kind.open(config, path);
  if (!opened.ok() || config.store.mutations.empty()) return opened;
  return mutants::Plant(std::move(opened).value(), config.store.mutations);
}

Status CheckStoreSpec(const workloads::StoreSpec& spec, const workloads::EngineSpec& engine) {
  const StoreKind* kind = FindStore(spec.name);
  if (kind == nullptr) {
    return Status::InvalidArgument(
        fmt::format("store: unknown store '{}' (built in: {})", spec.name, StoreNames()));
  }
  for (const std::string& name : spec.mutations) {
    if (mutants::FindStoreMutant(name) == nullptr) {
      return Status::InvalidArgument(fmt::format(
          "store.mutations: unknown store mutant '{}' (see `vstress mutants`)", name));
    }
  }
  if (!engine.mutations.empty() && !kind->takes_engine_mutations) {
    return Status::InvalidArgument(fmt::format(
        "engine.mutations: '{}' is planted inside vstress's own engine and cannot run on {}; "
        "the store mutants run on every store (see `vstress mutants`)",
        engine.mutations.front(), spec.name));
  }
  return spec.Validate();
}

std::vector<std::string> GaugesNotExposed(const StoreKind& kind) {
  std::vector<std::string> names;
  if (!kind.exposes_live_versions) names.push_back("live_versions");
  if (!kind.exposes_deferred_deletions) {
    names.insert(names.end(), {"deferred_deletions", "deferred_deletion_bytes"});
  }
  if (!kind.exposes_oldest_version_age) names.push_back("oldest_version_age_seconds");
  return names;
}

std::string StoreNames() {
  std::string names;
  for (const StoreKind& kind : StoreKinds()) {
    names += (names.empty() ? "" : ", ") + std::string(kind.name);
  }
  return names;
}

}  // namespace stores
