// Compaction: which files one compaction reads and at which level it writes, and how it is picked.
//
// A compaction merges `inputs[0]` (files of `level`) with `inputs[1]` (the files of level+1 that
// overlap them) into new files at level+1. Picking is LevelDB's: the level with the highest score
// (level 0 by file count, deeper levels by bytes against a per-level budget), starting after the
// level's round-robin compact pointer. Because a compaction never splits one user key across two
// output files, files of a level >= 1 never share a user key, so no boundary expansion is needed
// (the cause of leveldb #320); VersionBuilder checks it.
//
// Thread contract: thread-compatible (built and read under the DB mutex, then used by one thread).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "version.h"
#include "version_edit.h"

namespace engine {

class VersionSet;

struct Compaction {
  int level = 0;
  std::array<FileList, 2> inputs;
  // The Version the inputs were picked from; pinned (Ref'd) for the compaction's life.
  Version* input_version = nullptr;

  int output_level() const { return level + 1; }
  // A single input file with nothing below it: move it down a level without rewriting it.
  bool IsTrivialMove() const { return inputs[0].size() == 1 && inputs[1].empty(); }
  // Adds the deletion of every input to `edit`.
  void AddInputDeletions(VersionEdit* edit) const;
};

// REQUIRES: DB mutex held. Null if no level needs compacting. The result pins its input Version.
std::unique_ptr<Compaction> PickCompaction(VersionSet* vset);
// REQUIRES: DB mutex held. A compaction of the files of `level` overlapping [begin, end] (empty is
// unbounded), or null if there are none.
std::unique_ptr<Compaction> PickRangeCompaction(VersionSet* vset, int level, std::string_view begin,
                                                std::string_view end);
// Releases the input Version a picked compaction pinned.
void ReleaseCompaction(std::unique_ptr<Compaction> compaction);

}  // namespace engine
