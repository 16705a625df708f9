#include "version_builder.h"

#include <fmt/format.h>

#include <algorithm>

#include "dbformat.h"
#include "file_names.h"

namespace engine {

VersionBuilder::VersionBuilder(const Version* base) {
  if (base == nullptr) return;
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : base->files(level)) levels_[level].emplace(f->table.number, f);
  }
}

Status VersionBuilder::Apply(const VersionEdit& edit) {
  // A table deleted from one level and added to another (a trivial move) keeps its FileMetaData,
  // so that one reference count covers every Version listing it, whatever its level there.
  std::map<uint64_t, std::shared_ptr<FileMetaData>> removed;
  for (const auto& [level, number] : edit.deleted_files()) {
    auto it = levels_[level].find(number);
    if (it == levels_[level].end()) {
      return Status::Corruption(fmt::format("edit deletes {} from L{}, which does not hold it",
                                            TableBaseName(number), level));
    }
    removed.emplace(number, std::move(it->second));
    levels_[level].erase(it);
  }
  for (const auto& [level, table] : edit.new_files()) {
    auto moved = removed.find(table.number);
    std::shared_ptr<FileMetaData> f;
    if (moved != removed.end() && moved->second->table.file_bytes == table.file_bytes) {
      f = moved->second;
    } else {
      f = std::make_shared<FileMetaData>(table);
    }
    if (!levels_[level].emplace(table.number, std::move(f)).second) {
      return Status::Corruption(
          fmt::format("edit adds {} to L{} twice", TableBaseName(table.number), level));
    }
  }
  return Status::Ok();
}

Result<Version*> VersionBuilder::Build(VersionSet* vset, uint64_t id) const {
  std::array<FileList, kNumLevels> lists;
  for (int level = 0; level < kNumLevels; level++) {
    // Level 0 stays in file-number order (the map's order); deeper levels sort by key.
    for (const auto& [number, f] : levels_[level]) lists[level].push_back(f);
    if (level == 0) continue;
    FileList& list = lists[level];
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return CompareInternalKeys(a->table.smallest, b->table.smallest) < 0;
    });
    for (size_t i = 1; i < list.size(); i++) {
      if (ExtractUserKey(list[i - 1]->table.largest) >= ExtractUserKey(list[i]->table.smallest)) {
        return Status::Corruption(fmt::format("L{} files {} and {} overlap", level,
                                              TableBaseName(list[i - 1]->table.number),
                                              TableBaseName(list[i]->table.number)));
      }
    }
  }
  auto* v = new Version(vset, id);
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : lists[level]) f->version_refs.fetch_add(1, std::memory_order_relaxed);
    if (level > 0 && !lists[level].empty()) v->deeper_levels_with_files_ |= 1u << level;
    v->levels_[level] = std::make_shared<const FileList>(std::move(lists[level]));
  }
  return v;
}

}  // namespace engine
