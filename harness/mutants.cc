#include "harness/mutants.h"

#include "reports/run_files.h"

namespace harness {
namespace {

std::string_view PresetFor(engine::Mutation m) {
  switch (m) {
    case engine::Mutation::kDeleteObsoleteImmediately:
      return "readers-vs-compaction";
    case engine::Mutation::kIteratorNoPin:
      return "readers-vs-compaction";
    case engine::Mutation::kGetReadsLiveMemtable:
      return "smoke";
    case engine::Mutation::kCompactionIgnoresSnapshots:
      return "snapshots";
    case engine::Mutation::kUnrefTwice:
      return "readers-vs-compaction";
    case engine::Mutation::kSkipProtectedOutputs:
      return "deletion-faults";
    case engine::Mutation::kDropTombstoneEarly:
      return "snapshots";
    case engine::Mutation::kGcAfterManifestFailure:
      return "manifest-faults";
    case engine::Mutation::kCount:
      break;
  }
  return "smoke";
}

}  // namespace

const std::vector<MutantInfo>& Mutants() {
  static const std::vector<MutantInfo> kMutants = [] {
    std::vector<MutantInfo> out;
    for (const auto& info : engine::MutationCatalogue()) {
      out.push_back({info, PresetFor(info.mutation), {"run", "--mutant", std::string(info.name)}});
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
    if (m.engine.name == name) return m;
  }
  return std::nullopt;
}

}  // namespace harness
