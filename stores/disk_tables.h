// What a real engine's directory says about its table files, for the deferred-deletion gauge of
// stores whose engines do not count it (LevelDB, RocksDB): the table files on disk that the
// engine's current Version does not list — kept for an older Version an iterator or a Get still
// pins, not yet deleted by the engine's own clean-up, or being written by a flush or compaction
// that has not installed them yet (doc/design.md, "Metrics of real engines").
//
// Thread contract: pure functions over the file system.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "stores/store.h"

namespace stores {

// Sets stats->deferred_deletions and deferred_deletion_bytes to the table files (NUMBER.ldb or
// NUMBER.sst) in `dir` whose number is not in `current`.
void SetDeferredTables(const std::string& dir, const std::set<uint64_t>& current,
                       StoreStats* stats);

}  // namespace stores
