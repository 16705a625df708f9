#include "workloads/workload_spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <initializer_list>

#include "faults/fault_controller.h"
#include "workloads/workload_fields.h"

namespace workloads {
namespace {

using engine::Status;

// The first failure among `checks` (all evaluated; each is cheap), or ok.
Status First(std::initializer_list<Status> checks) {
  for (const Status& s : checks) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// value in [low, high]; NaN fails every comparison, so it is refused too.
Status CheckRange(std::string_view key, double value, double low, double high) {
  if (value >= low && value <= high) return Status::Ok();
  return BadKey(key, fmt::format("must be in [{}, {}], got {}", low, high, value));
}

// value in (0, high]: durations and hold times, where 0 would mean "never run" or "never hold".
Status CheckPositive(std::string_view key, double value, double high) {
  if (value > 0 && value <= high) return Status::Ok();
  return BadKey(key, fmt::format("must be in (0, {}], got {}", high, value));
}

Status CheckCount(std::string_view key, uint64_t value, uint64_t low, uint64_t high) {
  if (value >= low && value <= high) return Status::Ok();
  return BadKey(key, fmt::format("must be in [{}, {}], got {}", low, high, value));
}

Status CheckThreads(std::string_view key, int threads) {
  if (threads >= 0 && threads <= kRoleThreadsMax) return Status::Ok();
  return BadKey(key, fmt::format("must be in [0, {}], got {}", kRoleThreadsMax, threads));
}

Status CheckWeight(std::string_view key, double weight) {
  if (weight >= 0 && std::isfinite(weight)) return Status::Ok();
  return BadKey(key, fmt::format("must be a finite number >= 0, got {}", weight));
}

// The name labels metrics and names the run in reports: one printable line.
Status CheckName(const std::string& name) {
  if (name.empty()) return BadKey("name", "must not be empty");
  if (name.size() > kNameBytesMax) {
    return BadKey("name",
                  fmt::format("must be at most {} bytes, got {}", kNameBytesMax, name.size()));
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return BadKey("name", "must not hold control characters");
  }
  return Status::Ok();
}

Status CheckRecoveryFault(const std::string& text) {
  if (text.empty()) return Status::Ok();
  faults::RecoveryFault fault;
  if (!ParseRecoveryFault(text, &fault)) {
    return BadKey("recovery_fault",
                  fmt::format("must be HIT:ACTION (HIT >= 1; ACTION error, nospace or crash), got "
                              "'{}'",
                              text));
  }
  return Status::Ok();
}

Status CheckExpectReached(const std::vector<std::string>& pairs) {
  for (const std::string& pair : pairs) {
    const size_t colon = pair.rfind(':');
    faults::Action action;
    const bool ok = colon != std::string::npos &&
                    faults::IsFaultPoint(std::string_view(pair).substr(0, colon)) &&
                    faults::ParseActionName(std::string_view(pair).substr(colon + 1), &action);
    if (!ok) {
      return BadKey("expect_reached",
                    fmt::format("'{}' is not POINT:ACTION with a point `vstress faults` lists and "
                                "an action (error, nospace, delay, torn, crash)",
                                pair));
    }
  }
  return Status::Ok();
}

Status ValidateRun(const WorkloadSpec& s) {
  const Status duration =
      s.ops == 0
          ? (s.duration_seconds > 0 && s.duration_seconds <= kDurationSecondsMax
                 ? Status::Ok()
                 : BadKey("duration_seconds", fmt::format("must be in (0, {}] when ops = 0, got {}",
                                                          kDurationSecondsMax, s.duration_seconds)))
          : CheckRange("duration_seconds", s.duration_seconds, 0, kDurationSecondsMax);
  return First({
      CheckName(s.name),
      CheckCount("seed", s.seed, 0, kTomlIntegerMax),
      CheckCount("ops", s.ops, 0, kTomlIntegerMax),
      duration,
      CheckPositive("watchdog_seconds", s.watchdog_seconds, kWatchdogSecondsMax),
      s.on_background_error == "stop-writes" || s.on_background_error == "reopen" ||
              s.on_background_error == "resume"
          ? Status::Ok()
          : BadKey("on_background_error",
                   fmt::format("must be stop-writes, reopen or resume, got '{}'",
                               s.on_background_error)),
      CheckRange("crash_every_seconds", s.crash_every_seconds, 0.05, kDurationSecondsMax),
      CheckRange("crash_torn_ratio", s.crash_torn_ratio, 0, 1),
      CheckRecoveryFault(s.recovery_fault),
      CheckExpectReached(s.expect_reached),
      s.quiesce_every_seconds == 0 ? Status::Ok()
                                   : CheckRange("quiesce_every_seconds", s.quiesce_every_seconds,
                                                kQuiesceEverySecondsMin, kDurationSecondsMax),
  });
}

Status ValidateKeysAndValues(const WorkloadSpec& s) {
  // YCSB's zipfian formula divides by 1 - theta, so theta = 1 is out.
  const Status theta =
      s.zipf_theta > 0 && s.zipf_theta < 1
          ? Status::Ok()
          : BadKey("zipf_theta", fmt::format("must be in (0, 1), got {}", s.zipf_theta));
  const Status value_max =
      s.value_bytes_max >= s.value_bytes_min
          ? CheckCount("value_bytes_max", s.value_bytes_max, 1, kValueBytesMax)
          : BadKey("value_bytes_max", fmt::format("must be >= value_bytes_min ({}), got {}",
                                                  s.value_bytes_min, s.value_bytes_max));
  return First({
      CheckCount("key_space", s.key_space, 1, kKeySpaceMax),
      theta,
      CheckPositive("hotspot_key_fraction", s.hotspot_key_fraction, 1),
      CheckRange("hotspot_access_fraction", s.hotspot_access_fraction, 0, 1),
      CheckCount("value_bytes_min", s.value_bytes_min, 1, kValueBytesMax),
      value_max,
  });
}

Status ValidateWriters(const WriterSpec& w) {
  const double total_weight = w.put_weight + w.delete_weight + w.batch_weight;
  const Status some_weight =
      w.threads == 0 || total_weight > 0
          ? Status::Ok()
          : BadKey("writers",
                   "put_weight, delete_weight and batch_weight are all 0 but threads > 0");
  return First({
      CheckThreads("writers.threads", w.threads),
      CheckWeight("writers.put_weight", w.put_weight),
      CheckWeight("writers.delete_weight", w.delete_weight),
      CheckWeight("writers.batch_weight", w.batch_weight),
      CheckCount("writers.batch_ops_max", w.batch_ops_max, 1, kBatchOpsMax),
      CheckRange("writers.sync_ratio", w.sync_ratio, 0, 1),
      some_weight,
  });
}

Status ValidateReaders(const WorkloadSpec& s) {
  const ScannerSpec& scan = s.scanners;
  const SnapshotReaderSpec& snap = s.snapshot_readers;
  return First({
      CheckThreads("readers.threads", s.readers.threads),
      CheckThreads("scanners.threads", scan.threads),
      CheckCount("scanners.hold_steps_max", scan.hold_steps_max, 1, kTomlIntegerMax),
      CheckPositive("scanners.hold_seconds_max", scan.hold_seconds_max, kHoldSecondsMax),
      CheckCount("scanners.step_delay_us", scan.step_delay_us, 0, kStepDelayUsMax),
      CheckRange("scanners.reverse_ratio", scan.reverse_ratio, 0, 1),
      CheckThreads("snapshot_readers.threads", snap.threads),
      CheckCount("snapshot_readers.reads_per_snapshot", snap.reads_per_snapshot, 1,
                 kReadsPerSnapshotMax),
      CheckPositive("snapshot_readers.hold_seconds_max", snap.hold_seconds_max, kHoldSecondsMax),
  });
}

Status ValidateThreadTotal(const WorkloadSpec& s) {
  const int total = s.TotalThreads();
  if (total < 1) {
    return BadKey("threads", "writers, readers, scanners and snapshot_readers all have 0 threads");
  }
  if (total > kThreadsMax) {
    return BadKey("threads", fmt::format("the roles together have {} threads, more than {}", total,
                                         kThreadsMax));
  }
  return Status::Ok();
}

Status ValidateFaults(const WorkloadSpec& s) {
  double delay_seconds_max = 0;
  for (size_t i = 0; i < s.faults.size(); i++) {
    const Status rule = faults::ValidateRule(s.faults[i]);
    if (!rule.ok()) return rule.WithContext(fmt::format("faults[{}]", i));
    if (s.faults[i].action == faults::Action::kDelay) {
      delay_seconds_max = std::max(delay_seconds_max, s.faults[i].delay.count() / 1e6);
    }
  }
  // A delay rule alone must not be able to trip the liveness watchdog.
  if (s.watchdog_seconds <= delay_seconds_max) {
    return BadKey("watchdog_seconds",
                  fmt::format("must exceed the longest fault delay ({}s), got {}",
                              delay_seconds_max, s.watchdog_seconds));
  }
  return Status::Ok();
}

}  // namespace

const char* DistributionName(KeyDistribution distribution) {
  switch (distribution) {
    case KeyDistribution::kUniform:
      return "uniform";
    case KeyDistribution::kZipfian:
      return "zipfian";
    case KeyDistribution::kLatest:
      return "latest";
    case KeyDistribution::kHotspot:
      return "hotspot";
  }
  return "?";
}

std::optional<KeyDistribution> DistributionFromName(std::string_view name) {
  for (KeyDistribution d : {KeyDistribution::kUniform, KeyDistribution::kZipfian,
                            KeyDistribution::kLatest, KeyDistribution::kHotspot}) {
    if (name == DistributionName(d)) return d;
  }
  return std::nullopt;
}

const char* BackgroundModeName(engine::BackgroundMode mode) {
  switch (mode) {
    case engine::BackgroundMode::kThread:
      return "thread";
    case engine::BackgroundMode::kManual:
      return "manual";
  }
  return "?";
}

std::optional<engine::BackgroundMode> BackgroundModeFromName(std::string_view name) {
  for (auto mode : {engine::BackgroundMode::kThread, engine::BackgroundMode::kManual}) {
    if (name == BackgroundModeName(mode)) return mode;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& WalRecoveryModes() {
  static const std::vector<std::string_view> kModes = {"tolerate-corrupted-tail-records",
                                                       "absolute-consistency", "point-in-time",
                                                       "skip-any-corrupted-records"};
  return kModes;
}

Status StoreSpec::Validate() const {
  if (name.empty()) return BadKey("store.name", "is empty (vstress, leveldb or rocksdb)");
  if (Status s = CheckRange("store.max_background_jobs", max_background_jobs, 1, 64); !s.ok()) {
    return s;
  }
  const auto& modes = WalRecoveryModes();
  if (std::find(modes.begin(), modes.end(), wal_recovery_mode) == modes.end()) {
    return BadKey(
        "store.wal_recovery_mode",
        fmt::format("unknown mode '{}' (one of: {})", wal_recovery_mode, fmt::join(modes, ", ")));
  }
  for (size_t i = 0; i < mutations.size(); i++) {
    for (size_t j = 0; j < i; j++) {
      if (mutations[j] == mutations[i]) {
        return BadKey("store.mutations", fmt::format("'{}' is listed twice", mutations[i]));
      }
    }
  }
  return Status::Ok();
}

Status EngineSpec::Validate() const {
  for (size_t i = 0; i < mutations.size(); i++) {
    if (!engine::MutationFromName(mutations[i])) {
      return BadKey("engine.mutations",
                    fmt::format("unknown mutation '{}' (see `vstress mutants`)", mutations[i]));
    }
    for (size_t j = 0; j < i; j++) {
      if (mutations[j] == mutations[i]) {
        return BadKey("engine.mutations", fmt::format("'{}' is listed twice", mutations[i]));
      }
    }
  }
  const Status options = ToOptions().Validate();
  if (options.ok()) return options;
  // engine::Options names its fields "options.<field>"; here they are "engine.<field>".
  std::string_view message = options.message();
  if (message.starts_with("options.")) message.remove_prefix(8);
  return Status::InvalidArgument(fmt::format("engine.{}", message));
}

engine::Options EngineSpec::ToOptions() const {
  engine::Options options;
  options.memtable_bytes = memtable_bytes;
  options.level0_compaction_trigger = level0_compaction_trigger;
  options.level0_slowdown_trigger = level0_slowdown_trigger;
  options.level0_stop_trigger = level0_stop_trigger;
  options.level_base_bytes = level_base_bytes;
  options.level_size_multiplier = level_size_multiplier;
  options.table_target_bytes = table_target_bytes;
  options.block_bytes = block_bytes;
  options.block_restart_interval = block_restart_interval;
  options.bloom_bits_per_key = bloom_bits_per_key;
  options.table_cache_entries_max = table_cache_entries_max;
  options.max_manifest_bytes = max_manifest_bytes;
  options.background = background;
  options.sync_writes_default = sync_writes_default;
  options.verify_checksums = verify_checksums;
  for (const std::string& name : mutations) {
    const std::optional<engine::Mutation> mutation = engine::MutationFromName(name);
    assert(mutation.has_value());  // Validate() refuses unknown names.
    if (mutation) options.mutations.Add(*mutation);
  }
  return options;
}

int WorkloadSpec::TotalThreads() const {
  return writers.threads + readers.threads + scanners.threads + snapshot_readers.threads;
}

namespace {

Status ValidateSim(const SimSpec& s) {
  return First({
      s.schedule == "random" || s.schedule == "pct"
          ? Status::Ok()
          : BadKey("sim.schedule", fmt::format("must be random or pct, got '{}'", s.schedule)),
      CheckCount("sim.pct_depth", s.pct_depth, 1, 100),
      CheckCount("sim.pct_round_steps", s.pct_round_steps, 1, 1'000'000'000),
      CheckRange("sim.yield_ratio", s.yield_ratio, 0, 1),
      CheckCount("sim.step_cost_us", s.step_cost_us, 1, 1'000'000),
      CheckRange("sim.background_weight", s.background_weight, 0.001, 1000),
  });
}

}  // namespace

Status WorkloadSpec::Validate() const {
  return First({
      ValidateRun(*this),
      ValidateKeysAndValues(*this),
      ValidateWriters(writers),
      ValidateReaders(*this),
      ValidateThreadTotal(*this),
      engine.Validate(),
      store.Validate(),
      ValidateSim(sim),
      ValidateFaults(*this),
      ValidateRandomizeRanges(randomize),
  });
}

bool operator==(const WorkloadSpec& a, const WorkloadSpec& b) {
  if (a.faults.size() != b.faults.size()) return false;
  for (size_t i = 0; i < a.faults.size(); i++) {
    if (a.faults[i].ToString() != b.faults[i].ToString()) return false;
  }
  return a.name == b.name && a.store == b.store && a.description == b.description &&
         a.seed == b.seed && a.duration_seconds == b.duration_seconds && a.ops == b.ops &&
         a.key_space == b.key_space && a.distribution == b.distribution &&
         a.zipf_theta == b.zipf_theta && a.hotspot_key_fraction == b.hotspot_key_fraction &&
         a.hotspot_access_fraction == b.hotspot_access_fraction &&
         a.value_bytes_min == b.value_bytes_min && a.value_bytes_max == b.value_bytes_max &&
         a.writers == b.writers && a.readers == b.readers && a.scanners == b.scanners &&
         a.snapshot_readers == b.snapshot_readers && a.engine == b.engine && a.sim == b.sim &&
         a.watchdog_seconds == b.watchdog_seconds &&
         a.quiesce_every_seconds == b.quiesce_every_seconds &&
         a.on_background_error == b.on_background_error &&
         a.crash_every_seconds == b.crash_every_seconds &&
         a.crash_torn_ratio == b.crash_torn_ratio && a.recovery_fault == b.recovery_fault &&
         a.expect_reached == b.expect_reached && a.randomize == b.randomize;
}

}  // namespace workloads
