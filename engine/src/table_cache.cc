#include "table_cache.h"

#include <cassert>
#include <utility>

#include "fault_point.h"
#include "file_names.h"

namespace engine {

TableCache::TableCache(std::string db_path, FileSystem* fs, TableOptions options,
                       size_t entries_max)
    : db_path_(std::move(db_path)),
      fs_(fs),
      options_(std::move(options)),
      entries_max_(entries_max) {
  assert(fs_ != nullptr);
  assert(entries_max_ >= 1);
  assert(options_.Validate().ok());
}

Result<std::shared_ptr<Table>> TableCache::OpenTable(uint64_t file_number,
                                                     uint64_t file_size) const {
  Status s = CheckFaultPoint("engine/table/open");
  if (!s.ok()) return s;
  Result<std::unique_ptr<RandomAccessFile>> file =
      fs_->NewRandomAccessFile(TableFileName(db_path_, file_number));
  if (!file.ok()) return file.status();
  return Table::Open(options_, std::move(file).value(), file_size, TableBaseName(file_number));
}

std::shared_ptr<Table> TableCache::LookupLocked(uint64_t file_number) {
  const auto found = by_number_.find(file_number);
  if (found == by_number_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->table;
}

std::shared_ptr<Table> TableCache::InsertLocked(uint64_t file_number,
                                                const std::shared_ptr<Table>& table,
                                                std::vector<std::shared_ptr<Table>>* evicted) {
  if (std::shared_ptr<Table> cached = LookupLocked(file_number)) return cached;
  lru_.push_front(Entry{file_number, table});
  by_number_.emplace(file_number, lru_.begin());
  while (lru_.size() > entries_max_) {
    evicted->push_back(std::move(lru_.back().table));
    by_number_.erase(lru_.back().file_number);
    lru_.pop_back();
  }
  assert(lru_.size() == by_number_.size());
  return lru_.front().table;
}

Result<std::shared_ptr<Table>> TableCache::FindTable(uint64_t file_number, uint64_t file_size) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (std::shared_ptr<Table> cached = LookupLocked(file_number)) return cached;
  }
  // Opening reads the footer, index and filter: keep that I/O outside the lock. Tables dropped
  // here (evicted, or the loser of an open race) are destroyed after the lock is released,
  // because destroying one closes its file.
  Result<std::shared_ptr<Table>> opened = OpenTable(file_number, file_size);
  if (!opened.ok()) return opened.status();
  std::vector<std::shared_ptr<Table>> evicted;
  std::lock_guard<std::mutex> lock(mu_);
  return InsertLocked(file_number, opened.value(), &evicted);
}

std::unique_ptr<InternalIterator> TableCache::NewIterator(uint64_t file_number,
                                                          uint64_t file_size) {
  Result<std::shared_ptr<Table>> table = FindTable(file_number, file_size);
  if (!table.ok()) return NewEmptyIterator(table.status());
  return table.value()->NewIterator();
}

Status TableCache::Get(uint64_t file_number, uint64_t file_size, std::string_view internal_key,
                       std::string* entry_key, std::string* entry_value) {
  Result<std::shared_ptr<Table>> table = FindTable(file_number, file_size);
  if (!table.ok()) return table.status();
  return table.value()->Get(internal_key, entry_key, entry_value);
}

void TableCache::Evict(uint64_t file_number) {
  // Declared before the lock so the Table is destroyed (closing its file) after it is released.
  std::shared_ptr<Table> evicted;
  std::lock_guard<std::mutex> lock(mu_);
  const auto found = by_number_.find(file_number);
  if (found == by_number_.end()) return;
  evicted = std::move(found->second->table);
  lru_.erase(found->second);
  by_number_.erase(found);
}

size_t TableCache::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace engine
