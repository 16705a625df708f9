#include "harness/drivers/mutants.h"

#include "engine/mutation.h"
#include "reports/run_files.h"
#include "stores/mutants/mutant_store.h"

namespace harness::drivers {
namespace {

// The preset that exposes each mutant, and the flags its command adds to `--mutant NAME`.
struct Exposure {
  std::string_view preset;
  std::string_view command = "run";
  std::vector<std::string> flags;
  std::string_view expected = "violation";
};

Exposure ExposureOf(engine::Mutation m) {
  using engine::Mutation;
  // Every fifth MANIFEST append torn from a few thousand ops in, and a reopen after each
  // background error: the correct engine stops appending to a MANIFEST with a torn tail and
  // reopens past it; the reopens and the quiescence points read the MANIFEST back again and again.
  const std::vector<std::string> torn_manifest = {"--on-background-error", "reopen", "--fault",
                                                  "fs/manifest/append:torn:every=5@after_ops=3000"};
  switch (m) {
    case Mutation::kDeleteObsoleteImmediately:
    case Mutation::kIteratorNoPin:
    case Mutation::kUnrefTwice:
      return {"readers-vs-compaction", "run", {}};
    case Mutation::kGetReadsLiveMemtable:
      return {"smoke", "run", {}};
    case Mutation::kCompactionIgnoresSnapshots:
    case Mutation::kDropTombstoneEarly:
      return {"snapshots", "run", {}};
    case Mutation::kSkipProtectedOutputs:
      return {"deletion-faults", "run", {}};
    case Mutation::kGcAfterManifestFailure:
    case Mutation::kManifestRecordOnDiskAfterSyncFailure:
      return {"manifest-faults", "run", {}};
    case Mutation::kCurrentNotSynced:
      // A power loss at a WAL sync soon after each recovery's new MANIFEST.
      return {"smoke", "crash", {"--fault", "fs/wal/sync:crash:every=25", "--cycles", "20"}};
    case Mutation::kManifestAppendAfterError:
    case Mutation::kTruncatedManifestIsCorruption:
      return {"smoke", "run", torn_manifest};
    case Mutation::kReuseFileNumberAfterRecovery:
      // Only a crash that leaves a file numbered past the MANIFEST's last record exposes it (about
      // one in six): many short cycles.
      return {"smoke", "crash", {"--set", "crash_every_seconds=0.5", "--cycles", "40"}};
    case Mutation::kWalSyncSkipped:
      return {"smoke", "crash", {"--cycles", "20"}};
    case Mutation::kGcDeletesLiveManifest:
      // Small MANIFESTs, so they roll over often, and from the thousandth op every new one fails
      // to be created; a power loss then finds CURRENT naming a MANIFEST file GC deleted.
      return {"smoke",
              "crash",
              {"--set", "engine.max_manifest_bytes=4096", "--fault",
               "engine/manifest/new_file:error:every=1@after_ops=1000", "--cycles", "10"}};
    case Mutation::kLockOrderInversion:
      return {"readers-vs-compaction", "run", {"--set", "watchdog_seconds=5"}, "liveness"};
    case Mutation::kCount:
      break;
  }
  return {"smoke", "run", {}};
}

// The store mutants show in a plain run of the preset whose reads they corrupt.
std::string_view StorePresetOf(std::string_view name) {
  if (name == "snapshot-reads-latest") return "snapshots";
  if (name == "iterator-skips-key") return "readers-vs-compaction";
  return "smoke";
}

MutantInfo Make(std::string_view name, std::string_view imitates, std::string_view description,
                bool planted_in_store, const Exposure& e) {
  std::vector<std::string> args = {std::string(e.command), "--mutant", std::string(name)};
  args.insert(args.end(), e.flags.begin(), e.flags.end());
  return {name, imitates, description, planted_in_store, e.preset, std::move(args), e.expected};
}

}  // namespace

const std::vector<MutantInfo>& Mutants() {
  static const std::vector<MutantInfo> kMutants = [] {
    std::vector<MutantInfo> out;
    for (const auto& info : engine::MutationCatalogue()) {
      out.push_back(
          Make(info.name, info.imitates, info.description, false, ExposureOf(info.mutation)));
    }
    for (const auto& info : stores::mutants::StoreMutants()) {
      // A durability bug shows only after a power loss: crash cycles, every write synced (so
      // LevelDB's own finding 7 stays out of the way).
      const Exposure e =
          info.file_layer
              ? Exposure{"smoke", "crash", {"--set", "writers.sync_ratio=1", "--cycles", "20"}}
              : Exposure{StorePresetOf(info.name), "run", {}};
      out.push_back(Make(info.name, info.imitates, info.description, true, e));
    }
    return out;
  }();
  return kMutants;
}

std::string MutantInfo::Command() const {
  std::string command = "vstress";
  for (const std::string& a : args) command += " " + reports::ShellQuote(a);
  return command;
}

std::optional<MutantInfo> FindMutant(std::string_view name) {
  for (const auto& m : Mutants()) {
    if (m.name == name) return m;
  }
  return std::nullopt;
}

}  // namespace harness::drivers
