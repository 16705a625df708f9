#include "version.h"

#include <algorithm>
#include <bit>
#include <cassert>

#include "dbformat.h"
#include "file_names.h"
#include "table_cache.h"
#include "version_set.h"

namespace engine {
namespace {

bool UserKeyBefore(std::string_view user_key, const FileMetaData& f) {
  return !user_key.empty() && user_key < ExtractUserKey(f.table.smallest);
}
bool UserKeyAfter(std::string_view user_key, const FileMetaData& f) {
  return !user_key.empty() && user_key > ExtractUserKey(f.table.largest);
}

// Looks `key` up in one table; *found is set when the table has an entry for the user key.
// `entry_key` is scratch space, passed in so that one buffer serves every table a Get probes.
Status GetFromTable(TableCache* cache, const FileMetaData& f, const LookupKey& key,
                    std::string* entry_key, bool* found, bool* deleted, std::string* value) {
  Status s = cache->Get(f.table.number, f.table.file_bytes, key.internal_key(), entry_key, value);
  if (s.IsNotFound()) return Status::Ok();
  if (!s.ok()) return s;
  ParsedInternalKey parsed;
  if (!ParseInternalKey(*entry_key, &parsed)) {
    return Status::Corruption("bad internal key in " + TableBaseName(f.table.number));
  }
  // Table::Get answers only with an entry of the same user key, so there is no second compare.
  assert(parsed.user_key == key.user_key());
  *found = true;
  *deleted = parsed.type == ValueType::kDeletion;
  return Status::Ok();
}

}  // namespace

Version::Version(VersionSet* vset, uint64_t id)
    : vset_(vset), id_(id), created_nanos_(vset != nullptr ? vset->clock()->NowNanos() : 0) {
  for (auto& level : levels_) level = std::make_shared<const FileList>();
}

void Version::Unref() {
  const int before = refs_.fetch_sub(1, std::memory_order_acq_rel);
  if (before <= 0) {
    // A reference count below zero is a bug in the caller (or the unref-twice mutant).
    vset_->ReportRefcountUnderflow(this);
    return;
  }
  if (before == 1) vset_->ReleaseVersion(this);
}

void ReleaseUnownedVersion(Version* v) {
  for (const auto& level : v->levels_) {
    for (const auto& f : *level) f->version_refs.fetch_sub(1, std::memory_order_relaxed);
  }
  delete v;
}

uint64_t Version::LevelBytes(int level) const {
  uint64_t total = 0;
  for (const auto& f : files(level)) total += f->table.file_bytes;
  return total;
}

size_t FindFile(const FileList& files, std::string_view internal_key) {
  auto it = std::partition_point(files.begin(), files.end(), [&](const auto& f) {
    return CompareInternalKeys(f->table.largest, internal_key) < 0;
  });
  return static_cast<size_t>(it - files.begin());
}

Status Version::Get(const LookupKey& key, bool* found, bool* deleted, std::string* value) const {
  *found = false;
  const std::string_view user_key = key.user_key();
  TableCache* cache = vset_->table_cache();
  std::string entry_key;
  // Level 0: newest file first, since newer files hold newer sequence numbers.
  const FileList& level0 = files(0);
  for (auto it = level0.rbegin(); it != level0.rend(); ++it) {
    const FileMetaData& f = **it;
    if (UserKeyBefore(user_key, f) || UserKeyAfter(user_key, f)) continue;
    Status s = GetFromTable(cache, f, key, &entry_key, found, deleted, value);
    if (!s.ok() || *found) return s;
  }
  // Deeper levels in order, visiting only those that hold files.
  for (uint32_t levels = deeper_levels_with_files_; levels != 0; levels &= levels - 1) {
    const int level = std::countr_zero(levels);
    const FileList& list = files(level);
    const size_t index = FindFile(list, key.internal_key());
    if (index >= list.size() || UserKeyBefore(user_key, *list[index])) continue;
    Status s = GetFromTable(cache, *list[index], key, &entry_key, found, deleted, value);
    if (!s.ok() || *found) return s;
  }
  return Status::Ok();
}

void Version::AddIterators(std::vector<std::unique_ptr<InternalIterator>>* iterators) const {
  TableCache* cache = vset_->table_cache();
  for (const auto& f : files(0)) {
    iterators->push_back(cache->NewIterator(f->table.number, f->table.file_bytes));
  }
  for (int level = 1; level < kNumLevels; level++) {
    if (!levels_[level]->empty()) {
      iterators->push_back(NewLevelFileIterator(levels_[level], cache));
    }
  }
}

void Version::GetOverlappingInputs(int level, std::string_view begin, std::string_view end,
                                   FileList* inputs) const {
  inputs->clear();
  std::string lo(begin);
  std::string hi(end);
  const FileList& list = files(level);
  for (size_t i = 0; i < list.size();) {
    const FileMetaData& f = *list[i++];
    // UserKeyBefore(hi, f): f starts after the range; UserKeyAfter(lo, f): f ends before it.
    if (!UserKeyBefore(hi, f) && !UserKeyAfter(lo, f)) {
      inputs->push_back(list[i - 1]);
      if (level != 0) continue;
      // Level-0 files overlap each other: widen the range and restart if this file extends it.
      const std::string_view f_lo = ExtractUserKey(f.table.smallest);
      const std::string_view f_hi = ExtractUserKey(f.table.largest);
      bool widened = false;
      if (!lo.empty() && f_lo < lo) lo = f_lo, widened = true;
      if (!hi.empty() && f_hi > hi) hi = f_hi, widened = true;
      if (widened) {
        inputs->clear();
        i = 0;
      }
    }
  }
}

bool Version::IsBaseLevelForKey(int level, std::string_view user_key) const {
  const std::string lookup = MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek);
  for (int deeper = level + 1; deeper < kNumLevels; deeper++) {
    const FileList& list = files(deeper);
    const size_t index = FindFile(list, lookup);
    if (index < list.size() && !UserKeyBefore(user_key, *list[index])) return false;
  }
  return true;
}

}  // namespace engine
