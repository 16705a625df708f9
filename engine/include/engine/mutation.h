// Mutations: planted bugs that a stress harness must catch.
//
// Each Mutation switches on a known-bad behaviour at the site of the real logic, imitating a bug
// reported against LevelDB or RocksDB. A correct harness reports a violation for every one of them
// and none with the set empty. The catalogue (name, the reported bug it imitates, what it breaks)
// is MutationCatalogue().
//
// Thread contract: immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace engine {

enum class Mutation : uint8_t {
  kDeleteObsoleteImmediately,
  kIteratorNoPin,
  kGetReadsLiveMemtable,
  kCompactionIgnoresSnapshots,
  kUnrefTwice,
  kSkipProtectedOutputs,
  kDropTombstoneEarly,
  kGcAfterManifestFailure,
  kCurrentNotSynced,
  kManifestRecordOnDiskAfterSyncFailure,
  kManifestAppendAfterError,
  kReuseFileNumberAfterRecovery,
  kTruncatedManifestIsCorruption,
  kGcDeletesLiveManifest,
  kWalSyncSkipped,
  kLockOrderInversion,
  kCount,
};

struct MutationInfo {
  Mutation mutation;
  std::string_view name;         // command-line name, e.g. "iterator-no-pin"
  std::string_view imitates;     // the reported bug, e.g. "leveldb 7263023"
  std::string_view description;  // what goes wrong
};

const std::vector<MutationInfo>& MutationCatalogue();
std::optional<Mutation> MutationFromName(std::string_view name);

// A set of mutations (a bitmask; empty means a correct engine).
class Mutations {
 public:
  bool Has(Mutation m) const { return (bits_ >> static_cast<int>(m)) & 1; }
  void Add(Mutation m) { bits_ |= uint32_t{1} << static_cast<int>(m); }
  bool empty() const { return bits_ == 0; }

 private:
  static_assert(static_cast<int>(Mutation::kCount) <= 32);
  uint32_t bits_ = 0;
};

}  // namespace engine
