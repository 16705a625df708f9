#include "stores/registry.h"

#include "stores/leveldb/leveldb_store.h"
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

std::string StoreNames() {
  std::string names;
  for (const StoreKind& kind : StoreKinds()) {
    names += (names.empty() ? "" : ", ") + std::string(kind.name);
  }
  return names;
}

}  // namespace stores
