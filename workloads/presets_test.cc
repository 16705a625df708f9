// Unit tests of the embedded presets.
#include "workloads/presets.h"

#include <gtest/gtest.h>

namespace workloads {
namespace {

bool HasFaultOn(const WorkloadSpec& spec, std::string_view prefix) {
  for (const faults::Rule& rule : spec.faults) {
    if (rule.pattern.starts_with(prefix)) return true;
  }
  return false;
}

// `vstress presets` lists exactly the documented presets, each with a real description.
TEST(PresetsTest, ListsTheDocumentedPresets) {
  std::vector<std::string> names;
  for (const PresetInfo& preset : ListPresets()) {
    names.push_back(preset.name);
    EXPECT_FALSE(preset.description.empty()) << preset.name;
    EXPECT_FALSE(preset.description.starts_with("(invalid")) << preset.description;
  }
  EXPECT_EQ((std::vector<std::string>{"default", "deletion-faults", "enumerate", "manifest-faults",
                                      "readers-vs-compaction", "smoke", "snapshots"}),
            names);
}

// Every preset loads, validates, carries its own name, and survives ToToml -> ParseWorkload.
TEST(PresetsTest, EveryPresetLoadsAndRoundTrips) {
  for (const PresetInfo& info : ListPresets()) {
    engine::Result<WorkloadSpec> spec = LoadPreset(info.name);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    EXPECT_EQ(info.name, spec->name);
    EXPECT_TRUE(spec->Validate().ok()) << info.name;
    EXPECT_FALSE(PresetToml(info.name).empty());
    const std::string toml = ToToml(spec.value());
    engine::Result<WorkloadSpec> again = ParseWorkload(toml, "config.toml");
    ASSERT_TRUE(again.ok()) << info.name << ": " << again.status().ToString();
    EXPECT_TRUE(again.value() == spec.value()) << info.name << "\n" << toml;
  }
}

// An unknown preset is refused with the names that exist.
TEST(PresetsTest, UnknownPresetListsKnownNames) {
  engine::Result<WorkloadSpec> spec = LoadPreset("smok");
  ASSERT_FALSE(spec.ok());
  EXPECT_TRUE(spec.status().IsInvalidArgument());
  EXPECT_EQ(
      "unknown preset 'smok' (known: default, deletion-faults, enumerate, manifest-faults, "
      "readers-vs-compaction, smoke, snapshots)",
      spec.status().message());
  EXPECT_TRUE(PresetToml("smok").empty());
}

// The presets keep the promises their names make (a preset edit that breaks one fails here).
TEST(PresetsTest, PresetsMatchTheirPurpose) {
  const WorkloadSpec smoke = LoadPreset("smoke").value();
  EXPECT_DOUBLE_EQ(20, smoke.duration_seconds);
  EXPECT_EQ(0u, smoke.ops);
  EXPECT_EQ(2000u, smoke.key_space);
  EXPECT_EQ(64u << 10, smoke.engine.memtable_bytes);
  EXPECT_EQ(2, smoke.engine.level0_compaction_trigger);
  EXPECT_FALSE(smoke.faults.empty());
  EXPECT_FALSE(HasFaultOn(smoke, "engine/manifest")) << "manifest faults stop writes for good";
  EXPECT_GE(smoke.writers.threads * smoke.readers.threads * smoke.scanners.threads *
                smoke.snapshot_readers.threads,
            1);

  const WorkloadSpec readers = LoadPreset("readers-vs-compaction").value();
  EXPECT_EQ(8, readers.scanners.threads);
  EXPECT_EQ(1, readers.writers.threads);
  EXPECT_GE(readers.scanners.hold_seconds_max, 2.0);
  EXPECT_GT(readers.scanners.reverse_ratio, 0);

  EXPECT_EQ(3, LoadPreset("snapshots").value().snapshot_readers.threads);

  const WorkloadSpec manifest = LoadPreset("manifest-faults").value();
  ASSERT_EQ(1u, manifest.faults.size());
  EXPECT_EQ("engine/manifest/sync", manifest.faults[0].pattern);
  EXPECT_TRUE(manifest.faults[0].window.after_ops.has_value());

  const WorkloadSpec deletion = LoadPreset("deletion-faults").value();
  ASSERT_FALSE(deletion.faults.empty());
  EXPECT_EQ("engine/file/delete:error:p=0.3", deletion.faults[0].ToString());

  EXPECT_DOUBLE_EQ(600, LoadPreset("default").value().duration_seconds);
}

}  // namespace
}  // namespace workloads
