// DBImpl's hooks for engine/testing.h: whether background work is pending, and where a key lives.
#include <fmt/format.h>

#include <map>

#include "db_impl.h"
#include "file_names.h"

namespace engine {

bool DBImpl::BackgroundWorkPending() {
  std::lock_guard<std::mutex> guard(mu_);
  return HasBackgroundWorkLocked();
}

uint64_t DBImpl::NextFileNumber() {
  std::lock_guard<std::mutex> guard(mu_);
  return versions_->next_file_number();
}

bool DBImpl::WriteWouldWait() {
  std::lock_guard<std::mutex> guard(mu_);
  if (!bg_error_.ok()) return false;  // the write fails at once
  if (mem_->ApproximateMemoryUsage() < options_.memtable_bytes) return false;
  return imm_ != nullptr || versions_->current()->NumFiles(0) >= options_.level0_stop_trigger;
}

void DBImpl::CollectEntries(InternalIterator* it, std::string_view user_key,
                            const testing::KeyEntry& where, std::vector<testing::KeyEntry>* out) {
  it->Seek(MakeInternalKey(user_key, kMaxSequenceNumber, ValueType::kValue));
  for (; it->Valid(); it->Next()) {
    ParsedInternalKey parsed;
    if (!ParseInternalKey(it->key(), &parsed) || parsed.user_key != user_key) break;
    testing::KeyEntry entry = where;
    entry.sequence = parsed.sequence;
    entry.deletion = parsed.type == ValueType::kDeletion;
    if (!entry.deletion) entry.value = std::string(it->value());
    out->push_back(std::move(entry));
  }
  if (!it->status().ok()) {
    testing::KeyEntry entry = where;
    entry.error = it->status().ToString();
    out->push_back(std::move(entry));
  }
}

std::vector<testing::KeyEntry> DBImpl::LocateKey(std::string_view user_key) {
  MemTable* mem;
  MemTable* imm;
  RefLiveMemtables(&mem, &imm);
  std::vector<testing::KeyEntry> out;
  testing::KeyEntry where;
  where.location = "memtable";
  CollectEntries(mem->NewIterator().get(), user_key, where, &out);
  if (imm != nullptr) {
    where.location = "immutable memtable";
    CollectEntries(imm->NewIterator().get(), user_key, where, &out);
  }
  mem->Unref();
  if (imm != nullptr) imm->Unref();
  // One read per table, however many Versions list it.
  std::map<uint64_t, std::pair<testing::KeyEntry, std::shared_ptr<FileMetaData>>> tables;
  for (const VersionSet::LiveTable& t : versions_->LiveTables()) {
    auto& [entry, file] = tables[t.file->table.number];
    entry.location =
        fmt::format("L{} {}", t.level, TableFileName("", t.file->table.number).substr(1));
    entry.level = t.level;
    entry.file_number = t.file->table.number;
    entry.versions.push_back(t.version_id);
    entry.in_current = entry.in_current || t.is_current;
    file = t.file;
  }
  for (auto& [number, table] : tables) {
    auto it = table_cache_->NewIterator(number, table.second->table.file_bytes);
    CollectEntries(it.get(), user_key, table.first, &out);
  }
  return out;
}

}  // namespace engine
