#include "workloads/presets.h"

#include <fmt/format.h>

#include "workloads/embedded_presets.h"

namespace workloads {
namespace {

const EmbeddedPreset* FindPreset(std::string_view name) {
  for (const EmbeddedPreset& preset : EmbeddedPresets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

}  // namespace

std::string_view PresetToml(std::string_view name) {
  const EmbeddedPreset* preset = FindPreset(name);
  return preset == nullptr ? std::string_view() : preset->toml;
}

engine::Result<WorkloadSpec> LoadPreset(std::string_view name) {
  if (const EmbeddedPreset* preset = FindPreset(name)) {
    engine::Result<WorkloadSpec> spec =
        ParseWorkload(preset->toml, fmt::format("presets/{}.toml", preset->name));
    if (spec.ok()) spec->name = std::string(preset->name);
    return spec;
  }
  std::string known;
  for (const EmbeddedPreset& preset : EmbeddedPresets()) {
    known += fmt::format("{}{}", known.empty() ? "" : ", ", preset.name);
  }
  return engine::Status::InvalidArgument(
      fmt::format("unknown preset '{}' (known: {})", name, known));
}

std::vector<PresetInfo> ListPresets() {
  std::vector<PresetInfo> presets;
  for (const EmbeddedPreset& preset : EmbeddedPresets()) {
    engine::Result<WorkloadSpec> spec = LoadPreset(preset.name);
    // A broken preset still lists, saying why, so `vstress presets` shows the problem.
    presets.push_back(
        {std::string(preset.name),
         spec.ok() ? spec->description : "(invalid: " + spec.status().message() + ")"});
  }
  return presets;
}

}  // namespace workloads
