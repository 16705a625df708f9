// Presets: named, ready-made workloads (workloads/presets/<name>.toml).
//
// The TOML files are embedded into the binary at build time (embed_presets.cmake writes them into
// a generated .cc), so `vstress run --preset NAME` works from any directory and a binary always
// runs the presets it was built with. Every preset must load and validate; a test checks each.
//
// Thread contract: immutable (pure functions over constant data).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "workloads/workload_spec.h"

namespace workloads {

struct PresetInfo {
  std::string name;
  std::string description;
};

// Every preset, sorted by name, with its one-line description (what `vstress presets` prints).
std::vector<PresetInfo> ListPresets();

// The preset's spec, validated, with spec.name == name. An unknown name gives InvalidArgument
// listing the known ones.
engine::Result<WorkloadSpec> LoadPreset(std::string_view name);

// The preset's TOML text as embedded; empty if there is no such preset.
std::string_view PresetToml(std::string_view name);

}  // namespace workloads
