#include "engine/options.h"

#include <fmt/format.h>

namespace engine {
namespace {

constexpr int kLevel0TriggerMax = 1'000'000;

Status Bad(std::string_view field, std::string_view why) {
  return Status::InvalidArgument(fmt::format("options.{}: {}", field, why));
}

}  // namespace

Status Options::Validate() const {
  if (memtable_bytes < (4 << 10)) return Bad("memtable_bytes", "must be at least 4096");
  if (memtable_bytes > (size_t{1} << 30)) return Bad("memtable_bytes", "must be at most 1 GiB");
  if (level0_compaction_trigger < 1) return Bad("level0_compaction_trigger", "must be >= 1");
  if (level0_stop_trigger > kLevel0TriggerMax) {
    return Bad("level0_stop_trigger", "must be at most 1000000");
  }
  if (level0_slowdown_trigger < level0_compaction_trigger) {
    return Bad("level0_slowdown_trigger", "must be >= level0_compaction_trigger");
  }
  if (level0_stop_trigger < level0_slowdown_trigger) {
    return Bad("level0_stop_trigger", "must be >= level0_slowdown_trigger");
  }
  if (level_base_bytes < (4 << 10)) return Bad("level_base_bytes", "must be at least 4096");
  if (level_base_bytes > (uint64_t{1} << 40))
    return Bad("level_base_bytes", "must be at most 1 TiB");
  if (level_size_multiplier < 2 || level_size_multiplier > 100) {
    return Bad("level_size_multiplier", "must be in [2, 100]");
  }
  if (table_target_bytes < (1 << 10)) return Bad("table_target_bytes", "must be at least 1024");
  if (table_target_bytes > (uint64_t{1} << 30)) {
    return Bad("table_target_bytes", "must be at most 1 GiB");
  }
  if (max_manifest_bytes < (1 << 10) || max_manifest_bytes > (uint64_t{1} << 40)) {
    return Bad("max_manifest_bytes", "must be in [1 KiB, 1 TiB]");
  }
  if (block_bytes < 256 || block_bytes > (4 << 20)) {
    return Bad("block_bytes", "must be in [256, 4 MiB]");
  }
  if (block_restart_interval < 1 || block_restart_interval > 1024) {
    return Bad("block_restart_interval", "must be in [1, 1024]");
  }
  if (bloom_bits_per_key < 0 || bloom_bits_per_key > 64) {
    return Bad("bloom_bits_per_key", "must be in [0, 64]");
  }
  if (table_cache_entries_max < 16 || table_cache_entries_max > 1'000'000) {
    return Bad("table_cache_entries_max", "must be in [16, 1000000]");
  }
  return Status::Ok();
}

}  // namespace engine
