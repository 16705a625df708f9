// Mutants as the harness sees them: each planted bug — the engine mutants inside vstress's own
// engine (engine::MutationCatalogue) and the store mutants planted around any store
// (stores/mutants/) — with the preset that exposes it, so `vstress run --mutant NAME` without --preset runs that preset, and the exact
// command that catches it (what `vstress mutants` lists and `vstress mutants --measure` runs).
//
// Thread contract: immutable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>


namespace harness::drivers {

struct MutantInfo {
  std::string_view name;         // command-line name
  std::string_view imitates;     // the reported bug it imitates
  std::string_view description;  // what goes wrong
  // A store mutant (any store; workload key store.mutations) or an engine mutant (vstress only;
  // engine.mutations).
  bool planted_in_store = false;
  std::string_view preset;  // the preset that exposes it
  // The vstress arguments of the command that catches it ("run --mutant NAME", "crash --mutant
  // NAME --cycles 20", with the faults it needs); a seed, a duration and an output directory may
  // be appended.
  std::vector<std::string> args;
  // What the command ends in when it catches the mutant: "violation" (exit 1) or "liveness"
  // (exit 3: the watchdog saw no progress).
  std::string_view expected = "violation";
  // `vstress ` + args, spelled for a shell.
  std::string Command() const;
};

const std::vector<MutantInfo>& Mutants();
std::optional<MutantInfo> FindMutant(std::string_view name);

}  // namespace harness::drivers
