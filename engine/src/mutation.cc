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
      {Mutation::kCurrentNotSynced, "current-not-synced", "leveldb #189",
       "a new MANIFEST's first record and CURRENT's switch to it are never synced"},
      {Mutation::kManifestRecordOnDiskAfterSyncFailure,
       "manifest-record-on-disk-after-sync-failure", "rocksdb #4990",
       "a failed MANIFEST sync is taken as an edit never written: the job's tables are deleted and "
       "the job retried, though the record is in the MANIFEST still in use"},
      {Mutation::kManifestAppendAfterError, "manifest-append-after-error", "rocksdb #6316",
       "after a failed MANIFEST append the engine goes on appending later edits after the torn "
       "record"},
      {Mutation::kReuseFileNumberAfterRecovery, "reuse-file-number-after-recovery",
       "rocksdb #7607, #7621",
       "recovery takes the next file number from the MANIFEST alone, ignoring higher numbers of "
       "files in the directory"},
      {Mutation::kTruncatedManifestIsCorruption, "truncated-manifest-is-corruption", "leveldb #160",
       "a MANIFEST whose last record is torn is refused as corrupt"},
      {Mutation::kGcDeletesLiveManifest, "gc-deletes-live-manifest", "rocksdb PR #12865",
       "a MANIFEST rollover that fails still advances the MANIFEST number, so file GC deletes "
       "the MANIFEST that CURRENT names"},
      {Mutation::kWalSyncSkipped, "wal-sync-skipped", "synced-write durability",
       "a sync write is acknowledged without its WAL fsync"},
      {Mutation::kLockOrderInversion, "lock-order-inversion", "rocksdb PR #3510",
       "a reader releasing its read view takes the Version-list mutex and then the DB mutex, "
       "the opposite order to installing a Version: the two deadlock"},
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
