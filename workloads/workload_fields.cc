#include "workloads/workload_fields.h"

#include <fmt/format.h>

#include <algorithm>

namespace workloads {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

engine::Status BadKey(std::string_view key, std::string_view why) {
  return engine::Status::InvalidArgument(fmt::format("{}: {}", key, why));
}

#define VSTRESS_FIELD(key, member, doc)                             \
  Field {                                                           \
    key, doc, [](WorkloadSpec& s) -> FieldRef { return &s.member; } \
  }

const std::vector<Field>& Fields() {
  static const std::vector<Field> kFields = {
      VSTRESS_FIELD("name", name, "preset name or config file stem (shown in reports)"),
      Field{"store", "the engine under test: store = \"NAME\" is store.name = \"NAME\"",
            [](WorkloadSpec& s) -> FieldRef { return &s.store.name; }, false},
      VSTRESS_FIELD("description", description, "what this workload is for, in one line"),
      VSTRESS_FIELD("seed", seed, "seeds every random choice: the same seed gives the same ops"),
      VSTRESS_FIELD("duration_seconds", duration_seconds, "run time, used when ops = 0"),
      VSTRESS_FIELD("ops", ops, "total ops across all threads; 0 = run for duration_seconds"),
      VSTRESS_FIELD("key_space", key_space, "keys are k00000000 .. k<key_space - 1>"),
      VSTRESS_FIELD("distribution", distribution,
                    "key choice: uniform, zipfian, latest (zipfian over recency), hotspot"),
      VSTRESS_FIELD("zipf_theta", zipf_theta, "zipfian and latest skew, in (0, 1)"),
      VSTRESS_FIELD("hotspot_key_fraction", hotspot_key_fraction,
                    "hotspot: this fraction of the keys is hot ..."),
      VSTRESS_FIELD("hotspot_access_fraction", hotspot_access_fraction,
                    "... and gets this fraction of the accesses"),
      VSTRESS_FIELD("value_bytes_min", value_bytes_min, "smallest value written"),
      VSTRESS_FIELD("value_bytes_max", value_bytes_max, "largest value written"),
      Field{"value_bytes", "[min, max]: value_bytes_min and value_bytes_max in one key",
            [](WorkloadSpec& s) -> FieldRef {
              return ValueBytesRange{&s.value_bytes_min, &s.value_bytes_max};
            },
            false},
      VSTRESS_FIELD("watchdog_seconds", watchdog_seconds,
                    "no op completes for this long: liveness failure (exit 3)"),
      VSTRESS_FIELD(
          "on_background_error", on_background_error,
          "after a failed MANIFEST or WAL write: stop-writes, reopen and go on, or resume "
          "(RocksDB's DB::Resume) and go on"),
      VSTRESS_FIELD("crash_every_seconds", crash_every_seconds,
                    "vstress crash: seconds between crashes, on average"),
      VSTRESS_FIELD("crash_torn_ratio", crash_torn_ratio,
                    "vstress crash: share of power losses that tear unsynced tails"),
      VSTRESS_FIELD("recovery_fault", recovery_fault,
                    "HIT:ACTION: the HIT-th file call of every crash recovery fails (error, "
                    "nospace) or loses power (crash); empty: none"),
      VSTRESS_FIELD("expect_reached", expect_reached,
                    "POINT:ACTION pairs that must fire in the run (fault coverage)"),
      VSTRESS_FIELD("quiesce_every_seconds", quiesce_every_seconds,
                    "pause clients, drain, check the DB at rest and reopen it this often; 0 = "
                    "only at the end"),
      VSTRESS_FIELD("writers.threads", writers.threads, "writer threads"),
      VSTRESS_FIELD("writers.put_weight", writers.put_weight, "relative weight of puts"),
      VSTRESS_FIELD("writers.delete_weight", writers.delete_weight, "relative weight of deletes"),
      VSTRESS_FIELD("writers.batch_weight", writers.batch_weight,
                    "relative weight of write batches (puts and deletes)"),
      VSTRESS_FIELD("writers.batch_ops_max", writers.batch_ops_max, "most ops in one batch"),
      VSTRESS_FIELD("writers.sync_ratio", writers.sync_ratio,
                    "fraction of writes that sync the WAL before acknowledging"),
      VSTRESS_FIELD("readers.threads", readers.threads, "point-read (Get) threads"),
      VSTRESS_FIELD("scanners.threads", scanners.threads,
                    "threads holding long-lived iterators across compactions"),
      VSTRESS_FIELD("scanners.hold_steps_max", scanners.hold_steps_max,
                    "a scan makes a number of steps drawn from [1, hold_steps_max] ..."),
      VSTRESS_FIELD("scanners.hold_seconds_max", scanners.hold_seconds_max,
                    "... or stops after this long, whichever comes first"),
      VSTRESS_FIELD("scanners.step_delay_us", scanners.step_delay_us,
                    "pause between two steps of an iterator"),
      VSTRESS_FIELD("scanners.reverse_ratio", scanners.reverse_ratio,
                    "fraction of scans that run backward"),
      VSTRESS_FIELD("snapshot_readers.threads", snapshot_readers.threads,
                    "threads that take a snapshot, read through it, release it"),
      VSTRESS_FIELD("snapshot_readers.reads_per_snapshot", snapshot_readers.reads_per_snapshot,
                    "reads made through one snapshot ..."),
      VSTRESS_FIELD("snapshot_readers.hold_seconds_max", snapshot_readers.hold_seconds_max,
                    "... within at most this long"),
      VSTRESS_FIELD("engine.memtable_bytes", engine.memtable_bytes,
                    "a memtable is flushed at this size"),
      VSTRESS_FIELD("engine.level0_compaction_trigger", engine.level0_compaction_trigger,
                    "level-0 files that start a compaction"),
      VSTRESS_FIELD("engine.level0_slowdown_trigger", engine.level0_slowdown_trigger,
                    "level-0 files that slow writers down"),
      VSTRESS_FIELD("engine.level0_stop_trigger", engine.level0_stop_trigger,
                    "level-0 files that stop writers"),
      VSTRESS_FIELD("engine.level_base_bytes", engine.level_base_bytes, "level 1's target size"),
      VSTRESS_FIELD("engine.level_size_multiplier", engine.level_size_multiplier,
                    "each deeper level is this many times larger"),
      VSTRESS_FIELD("engine.table_target_bytes", engine.table_target_bytes,
                    "compaction output tables are cut at this size"),
      VSTRESS_FIELD("engine.block_bytes", engine.block_bytes, "table data block size"),
      VSTRESS_FIELD("engine.block_restart_interval", engine.block_restart_interval,
                    "keys between restart points in a block"),
      VSTRESS_FIELD("engine.bloom_bits_per_key", engine.bloom_bits_per_key,
                    "bloom filter bits per key (0: no filter)"),
      VSTRESS_FIELD("engine.table_cache_entries_max", engine.table_cache_entries_max,
                    "open tables kept in the table cache"),
      VSTRESS_FIELD("engine.max_manifest_bytes", engine.max_manifest_bytes,
                    "the MANIFEST is rewritten (a new one, CURRENT switched) at this size"),
      VSTRESS_FIELD("engine.background", engine.background,
                    "where flushes and compactions run: thread, or manual (driver steps them)"),
      VSTRESS_FIELD("engine.sync_writes_default", engine.sync_writes_default,
                    "whether a write that does not say syncs the WAL"),
      VSTRESS_FIELD("engine.verify_checksums", engine.verify_checksums,
                    "verify block checksums on every read"),
      VSTRESS_FIELD("engine.mutations", engine.mutations,
                    "planted bugs in the vstress engine (`vstress mutants`); empty for a real run"),
      VSTRESS_FIELD("sim.schedule", sim.schedule,
                    "vstress sim: random, or pct (random priorities with change points)"),
      VSTRESS_FIELD("sim.pct_depth", sim.pct_depth, "pct: the ordering-bug depth it targets"),
      VSTRESS_FIELD("sim.pct_round_steps", sim.pct_round_steps,
                    "pct: steps per round of fresh priorities"),
      VSTRESS_FIELD("sim.yield_ratio", sim.yield_ratio,
                    "how often another step runs inside a Get or iterator after its pin"),
      VSTRESS_FIELD("sim.step_cost_us", sim.step_cost_us, "simulated microseconds per step"),
      VSTRESS_FIELD("sim.background_weight", sim.background_weight,
                    "random: a pending background step's weight against one client's"),
      VSTRESS_FIELD("store.name", store.name,
                    "the engine under test: vstress, leveldb or rocksdb (`vstress run --store`)"),
      VSTRESS_FIELD("store.mutations", store.mutations,
                    "store mutants: bugs planted at the store interface, any store (`vstress "
                    "mutants`); normally empty"),
      VSTRESS_FIELD("store.max_background_jobs", store.max_background_jobs,
                    "rocksdb: flushes and compactions running at once"),
      VSTRESS_FIELD("store.paranoid_checks", store.paranoid_checks,
                    "leveldb and rocksdb: stop at the first sign of corruption"),
      VSTRESS_FIELD("store.wal_recovery_mode", store.wal_recovery_mode,
                    "rocksdb: absolute-consistency, point-in-time, skip-any-corrupted-records or "
                    "tolerate-corrupted-tail-records"),
  };
  return kFields;
}

#undef VSTRESS_FIELD

std::string_view SectionOf(std::string_view key) {
  const size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : key.substr(0, dot);
}

std::string_view LeafOf(std::string_view key) {
  const size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

const Field* FindField(std::string_view key) {
  for (const Field& field : Fields()) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

bool IsSection(std::string_view name) {
  return !name.empty() && std::any_of(Fields().begin(), Fields().end(),
                                      [&](const Field& f) { return SectionOf(f.key) == name; });
}

std::string_view Suggest(std::string_view key) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, key.size() / 5) + 1;
  std::vector<std::string_view> same_leaf;
  for (const Field& field : Fields()) {
    const size_t distance = EditDistance(key, field.key);
    if (distance < best_distance) {
      best = field.key;
      best_distance = distance;
    }
    if (LeafOf(field.key) == LeafOf(key)) same_leaf.push_back(field.key);
  }
  if (best.empty() && same_leaf.size() == 1) best = same_leaf[0];
  if (best.empty() && EditDistance(key, kFaultsKey) <= 1) best = kFaultsKey;
  if (best.empty() && EditDistance(key.substr(0, key.find('.')), kRandomizeKey) <= 2) {
    best = kRandomizeKey;
  }
  return best;
}

}  // namespace workloads
