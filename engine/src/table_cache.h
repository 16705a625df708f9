// TableCache: the open Tables of one DB, kept in an LRU cache keyed by file number.
//
// A miss opens the table file (TableFileName(db_path, number)) outside the mutex; if two threads
// race to open the same table, the first to insert wins and the other's copy is dropped. Evicting
// a table (by LRU pressure or Evict) only drops the cache's reference: iterators and callers that
// hold the shared_ptr keep using it until they let go.
//
// Invariants: at most entries_max tables are cached; each file number appears at most once, and
// the LRU list and the index map hold the same entries.
//
// Thread contract: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/file_system.h"
#include "engine/status.h"
#include "internal_iterator.h"
#include "table.h"
#include "table_options.h"

namespace engine {

class TableCache {
 public:
  // Does not own `fs`, which must outlive the cache. REQUIRES: entries_max >= 1.
  TableCache(std::string db_path, FileSystem* fs, TableOptions options, size_t entries_max);

  TableCache(const TableCache&) = delete;
  TableCache& operator=(const TableCache&) = delete;

  // Finds or opens table `file_number` of `file_size` bytes. On a miss it first checks the fault
  // point "engine/table/open".
  Result<std::shared_ptr<Table>> FindTable(uint64_t file_number, uint64_t file_size);
  // An iterator over the table, or NewEmptyIterator(error) if it cannot be opened.
  std::unique_ptr<InternalIterator> NewIterator(uint64_t file_number, uint64_t file_size);
  // Table::Get on the table (see table.h), or the error that kept it from opening.
  Status Get(uint64_t file_number, uint64_t file_size, std::string_view internal_key,
             std::string* entry_key, std::string* entry_value);
  // Drops the cached table, if any (e.g. before its file is deleted).
  void Evict(uint64_t file_number);

  // Tables cached now (for tests and stats).
  size_t Size() const;

 private:
  struct Entry {
    uint64_t file_number;
    std::shared_ptr<Table> table;
  };
  using LruList = std::list<Entry>;  // most recently used first

  Result<std::shared_ptr<Table>> OpenTable(uint64_t file_number, uint64_t file_size) const;
  // REQUIRES: mu_ held. Null on a miss; on a hit, also marks the entry most recently used.
  std::shared_ptr<Table> LookupLocked(uint64_t file_number);
  // REQUIRES: mu_ held. Inserts `table` unless another thread did first; returns the cached one.
  // Tables pushed out by the LRU bound go to `evicted`, for the caller to drop after unlocking.
  std::shared_ptr<Table> InsertLocked(uint64_t file_number, const std::shared_ptr<Table>& table,
                                      std::vector<std::shared_ptr<Table>>* evicted);

  const std::string db_path_;
  FileSystem* const fs_;
  const TableOptions options_;
  const size_t entries_max_;

  mutable std::mutex mu_;
  LruList lru_;                                                // guarded by mu_
  std::unordered_map<uint64_t, LruList::iterator> by_number_;  // guarded by mu_
};

}  // namespace engine
