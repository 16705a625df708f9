// Mutants as the harness sees them: each planted bug (engine::MutationCatalogue) with the preset
// that exposes it, so `vstress run --mutant NAME` without --preset runs that preset.
//
// Thread contract: immutable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mutation.h"

namespace harness {

struct MutantInfo {
  engine::MutationInfo engine;
  std::string_view preset;  // the preset that exposes it
};

const std::vector<MutantInfo>& Mutants();
std::optional<MutantInfo> FindMutant(std::string_view name);

}  // namespace harness
