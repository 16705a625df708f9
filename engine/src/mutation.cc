#include "engine/mutation.h"

namespace engine {

const std::vector<MutationInfo>& MutationCatalogue() {
  static const std::vector<MutationInfo> kCatalogue = {
      {Mutation::kDeleteObsoleteImmediately, "delete-obsolete-immediately",
       "rocksdb/leveldb deferred-deletion contract",
       "compaction deletes its input tables at install, ignoring older Versions that list them"},
      {Mutation::kIteratorNoPin, "iterator-no-pin", "leveldb iterator cleanup contract",
       "iterators do not pin their Version, so compaction deletes tables they still read"},
      {Mutation::kGetReadsLiveMemtable, "get-reads-live-memtable", "leveldb 7263023",
       "Get reads the live memtable instead of the one it pinned"},
      {Mutation::kCompactionIgnoresSnapshots, "compaction-ignores-snapshots", "leveldb #320",
       "compaction drops old entries that a live snapshot can still see"},
      {Mutation::kUnrefTwice, "unref-twice", "refcount underflow",
       "releasing an iterator drops two references on its read view's Version"},
      {Mutation::kSkipProtectedOutputs, "skip-protected-outputs", "rocksdb PR #11865",
       "file GC ignores the outputs of flushes and compactions still being written"},
      {Mutation::kDropTombstoneEarly, "drop-tombstone-early", "deleted values come back",
       "compaction drops a tombstone while older data for the key lies deeper"},
      {Mutation::kGcAfterManifestFailure, "gc-after-manifest-failure", "leveldb d84c825",
       "after a failed MANIFEST sync, file GC deletes tables the MANIFEST may name"},
  };
  return kCatalogue;
}

std::optional<Mutation> MutationFromName(std::string_view name) {
  for (const auto& info : MutationCatalogue()) {
    if (info.name == name) return info.mutation;
  }
  return std::nullopt;
}

}  // namespace engine
