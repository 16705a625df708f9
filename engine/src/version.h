// Version: an immutable list of table files per level, reference-counted.
//
// Every reader pins a Version (through its read view) for as long as it reads; compaction installs
// new Versions and never changes an existing one. A Version holds one "version reference" on each
// FileMetaData it lists. When the last live Version listing a file that compaction made obsolete is
// released, the file is deleted (deferred deletion, see VersionSet::ReleaseVersion).
//
// Invariants: level 0 files are ordered by file number (newer files hold newer sequences); files of
// each level >= 1 are ordered by key and their user-key ranges are disjoint. refs_ >= 1 while the
// Version is live; it is destroyed exactly once, when refs_ drops to zero.
//
// Thread contract: immutable (Ref/Unref are atomic; everything else reads immutable state).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/types.h"
#include "internal_iterator.h"
#include "version_edit.h"

namespace engine {

class LookupKey;
class TableCache;
class VersionSet;

// A table file plus the engine's bookkeeping about it.
struct FileMetaData {
  explicit FileMetaData(TableFile t) : table(std::move(t)) {}
  TableFile table;
  // How many live Versions list this file. Deleting is allowed only at zero, and only if obsolete.
  std::atomic<int> version_refs{0};
  // Set (before the Version that dropped it is released) once the current Version no longer lists
  // the file.
  std::atomic<bool> obsolete{false};
  // Set by whoever deletes the file, so that it is deleted at most once.
  std::atomic<bool> deleted{false};
};

using FileList = std::vector<std::shared_ptr<FileMetaData>>;

class Version {
 public:
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops one reference; the last one releases the Version (and possibly deletes files).
  void Unref();

  // Looks up the newest entry for key.user_key() with sequence <= key.sequence() in the tables.
  // Sets *found to false if no table has one; otherwise *found, *deleted and (for a put) *value.
  Status Get(const LookupKey& key, bool* found, bool* deleted, std::string* value) const;

  // Appends iterators that together cover every table of this Version (one per level-0 file, one
  // concatenating iterator per deeper level).
  void AddIterators(std::vector<std::unique_ptr<InternalIterator>>* iterators) const;

  const FileList& files(int level) const { return *levels_[level]; }
  int NumFiles(int level) const { return static_cast<int>(levels_[level]->size()); }
  uint64_t LevelBytes(int level) const;
  uint64_t id() const { return id_; }
  // When the Version was built, on the DB's clock (Options::clock).
  uint64_t created_nanos() const { return created_nanos_; }
  int refs() const { return refs_.load(std::memory_order_relaxed); }

  // Files of `level` whose user-key range overlaps [begin, end]; an empty bound is unbounded. For
  // level 0 the range grows to cover every overlapping file transitively.
  void GetOverlappingInputs(int level, std::string_view begin, std::string_view end,
                            FileList* inputs) const;
  // True if no file in a level deeper than `level` can hold `user_key`.
  bool IsBaseLevelForKey(int level, std::string_view user_key) const;

  // Compaction score computed when the Version is built (>= 1 means a compaction is due).
  double compaction_score() const { return compaction_score_; }
  int compaction_level() const { return compaction_level_; }

 private:
  friend class VersionSet;
  friend class VersionBuilder;
  friend void ReleaseUnownedVersion(Version* v);
  Version(VersionSet* vset, uint64_t id);
  ~Version() = default;

  VersionSet* const vset_;
  const uint64_t id_;
  const uint64_t created_nanos_;
  std::atomic<int> refs_{0};
  std::array<std::shared_ptr<const FileList>, kNumLevels> levels_;
  // Bit L is set when level L >= 1 holds a file, so Get skips empty levels without touching their
  // lists. Set with levels_ when the Version is built; a Version's levels never change afterwards.
  uint32_t deeper_levels_with_files_ = 0;
  static_assert(kNumLevels <= 32, "one bit per level");
  double compaction_score_ = 0;
  int compaction_level_ = 0;
  // The doubly linked list of live Versions; guarded by VersionSet::live_mu_.
  Version* prev_ = nullptr;
  Version* next_ = nullptr;
};

// Destroys a Version built with no VersionSet (offline inspection); it must hold no reference.
void ReleaseUnownedVersion(Version* v);

// Index of the first file in `files` (sorted, disjoint) whose largest key >= `internal_key`.
size_t FindFile(const FileList& files, std::string_view internal_key);

// An iterator over the files of one level >= 1, opening each table lazily through `cache`. It
// keeps `files` alive by itself, but reading needs the files to exist (the caller pins a Version).
std::unique_ptr<InternalIterator> NewLevelFileIterator(std::shared_ptr<const FileList> files,
                                                       TableCache* cache);

}  // namespace engine
