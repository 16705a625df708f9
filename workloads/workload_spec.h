// WorkloadSpec: everything that defines a vstress run's workload, as one typed value.
//
// A spec names the seed, how long to run (a duration, or a total op count), the key space and how
// keys are chosen, value sizes, the threads of each role (writers, point readers, scanners that
// hold long-lived iterators across compactions, snapshot readers), the engine options (small by
// default, so flushes and compactions happen all the time) and the fault rules. Its text form is
// TOML: presets (presets.h), `--config FILE`, and the `config.toml` each run writes, which is
// enough to replay the run.
//
// Invariants: Validate() owns every rule about which values and combinations make sense, and its
// message names the offending key as it is spelled in TOML ("writers.sync_ratio: must be in
// [0, 1], got 1.5"). ParseWorkload validates; ApplyOverride checks only the key and the value's
// type, so a caller applies all overrides and then calls Validate() once (two overrides may only
// make sense together, e.g. raising both level0 triggers). ParseWorkload(ToToml(s)) == s. The
// [randomize] table (randomize_range.h) only declares what a sweep may draw (randomizer.h); a
// plain run ignores it.
// toml++ is used only inside workload_toml.cc, which turns its exceptions into Statuses.
//
// Thread contract: immutable once built (a plain value; the functions are pure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/options.h"
#include "engine/status.h"
#include "faults/fault_rule.h"
#include "workloads/randomize_range.h"

namespace workloads {

// Limits, so that no knob can make a run unbounded or meaningless.
// Key names are "k" + 8 digits; keeping every index below 10^8 keeps every name the same length,
// so byte order equals numeric order (the oracle's range checks rely on it).
inline constexpr uint64_t kKeySpaceMax = 100'000'000;
inline constexpr int kRoleThreadsMax = 64;
inline constexpr int kThreadsMax = 128;
inline constexpr uint32_t kValueBytesMax = 1 << 20;
inline constexpr uint32_t kBatchOpsMax = 1000;
inline constexpr double kDurationSecondsMax = 7 * 24 * 3600;
inline constexpr double kHoldSecondsMax = 3600;
inline constexpr double kWatchdogSecondsMax = 3600;
inline constexpr double kQuiesceEverySecondsMin = 0.1;
inline constexpr uint32_t kStepDelayUsMax = 1'000'000;
inline constexpr uint32_t kReadsPerSnapshotMax = 10'000'000;
// TOML integers are signed 64-bit, so a count above this could not be written to config.toml.
inline constexpr uint64_t kTomlIntegerMax = INT64_MAX;
inline constexpr size_t kNameBytesMax = 128;

enum class KeyDistribution : uint8_t { kUniform, kZipfian, kLatest, kHotspot };

// "uniform", "zipfian", "latest", "hotspot".
const char* DistributionName(KeyDistribution distribution);
std::optional<KeyDistribution> DistributionFromName(std::string_view name);

// Writers: each op is a put, a delete or a batch of puts and deletes, chosen by weight (the
// weights need not sum to 1). A write is synced (WAL fsync before acknowledging) with
// probability sync_ratio.
struct WriterSpec {
  int threads = 2;
  double put_weight = 0.7;
  double delete_weight = 0.2;
  double batch_weight = 0.1;
  uint32_t batch_ops_max = 8;
  double sync_ratio = 0.01;
  bool operator==(const WriterSpec&) const = default;
};

// Point readers: Get at the newest data.
struct ReaderSpec {
  int threads = 2;
  bool operator==(const ReaderSpec&) const = default;
};

// Scanners: each opens an iterator, then steps it slowly (step_delay_us between steps) until it
// has made a number of steps drawn from [1, hold_steps_max] or hold_seconds_max has passed, so
// the iterator's pinned Version lives across flushes and compactions. reverse_ratio of the scans
// run backward.
struct ScannerSpec {
  int threads = 2;
  uint64_t hold_steps_max = 5000;
  double hold_seconds_max = 2.0;
  uint32_t step_delay_us = 50;
  double reverse_ratio = 0.3;
  bool operator==(const ScannerSpec&) const = default;
};

// Snapshot readers: take a snapshot, make reads_per_snapshot reads through it (for at most
// hold_seconds_max), release it, repeat.
struct SnapshotReaderSpec {
  int threads = 1;
  uint32_t reads_per_snapshot = 500;
  double hold_seconds_max = 1.0;
  bool operator==(const SnapshotReaderSpec&) const = default;
};

// The engine::Options knobs a workload sets, with defaults small enough that flushes and
// compactions happen every few seconds. Sizes are uint64_t here whatever engine::Options uses.
struct EngineSpec {
  uint64_t memtable_bytes = 256 << 10;
  int level0_compaction_trigger = 4;
  int level0_slowdown_trigger = 8;
  int level0_stop_trigger = 12;
  uint64_t level_base_bytes = 1 << 20;
  int level_size_multiplier = 10;
  uint64_t table_target_bytes = 128 << 10;
  uint64_t block_bytes = 4096;
  int block_restart_interval = 16;
  int bloom_bits_per_key = 10;
  uint64_t table_cache_entries_max = 1000;
  uint64_t max_manifest_bytes = 4 << 20;
  engine::BackgroundMode background = engine::BackgroundMode::kThread;
  bool sync_writes_default = false;
  bool verify_checksums = true;
  // Planted bugs by command-line name (engine::MutationCatalogue), normally empty.
  std::vector<std::string> mutations;

  bool operator==(const EngineSpec&) const = default;

  // engine::Options::Validate's rules (renamed to "engine.<field>") plus known mutation names.
  engine::Status Validate() const;
  // The options to open the DB with (file_system left null for the caller to set).
  // REQUIRES: Validate() is ok.
  engine::Options ToOptions() const;
};

// The engine under test and the options only some engines have (the engine knobs every store maps
// are EngineSpec's). Names and option values are checked against the store registry by the run's
// options (harness/drivers/run_options.h), which can see it.
struct StoreSpec {
  // By its registry name (stores/registry.h): vstress, leveldb, rocksdb.
  std::string name = "vstress";
  // Store mutants by name (stores/mutants/mutant_store.h): bugs planted at the Store interface, on
  // any store. Normally empty.
  std::vector<std::string> mutations;
  // RocksDB: DBOptions::max_background_jobs (flushes and compactions at once).
  int max_background_jobs = 2;
  // LevelDB and RocksDB: Options::paranoid_checks, stop at the first sign of corruption (RocksDB's
  // default; LevelDB's own default is false, a stress run wants it on).
  bool paranoid_checks = true;
  // RocksDB: DBOptions::wal_recovery_mode: absolute-consistency, point-in-time (RocksDB's
  // default), skip-any-corrupted-records, tolerate-corrupted-tail-records.
  std::string wal_recovery_mode = "point-in-time";
  bool operator==(const StoreSpec&) const = default;
  // The option values' ranges; store names and mutant names are the registry's to check.
  engine::Status Validate() const;
};

// The names store.wal_recovery_mode takes, in RocksDB's enum order.
const std::vector<std::string_view>& WalRecoveryModes();

// How `vstress sim` schedules a run (ignored by the threaded driver). At every step a seeded
// scheduler picks the next actor — a client, or the background work when some is pending:
// "random" picks uniformly (background weighted by background_weight); "pct" is PCT (Burckhardt et
// al., ASPLOS 2010) in rounds of pct_round_steps: each round gives the actors random priorities,
// always runs the highest-priority runnable one, and lowers the running actor's priority at
// pct_depth - 1 random points of the round, so an ordering bug of depth pct_depth shows with a
// known probability. At an engine yield point (a Get or an iterator that has pinned its read
// view) another actor's step runs first with probability yield_ratio. Each step takes
// step_cost_us of simulated time.
struct SimSpec {
  std::string schedule = "random";  // random | pct
  uint32_t pct_depth = 3;
  uint64_t pct_round_steps = 1000;
  double yield_ratio = 0.05;
  uint32_t step_cost_us = 5;
  double background_weight = 1.0;
  bool operator==(const SimSpec&) const = default;
};

// "thread", "manual".
const char* BackgroundModeName(engine::BackgroundMode mode);
std::optional<engine::BackgroundMode> BackgroundModeFromName(std::string_view name);

struct WorkloadSpec {
  std::string name = "custom";  // preset name or config file stem
  StoreSpec store;  // the engine under test
  std::string description;      // one line
  uint64_t seed = 1;
  double duration_seconds = 30;  // used when ops == 0
  uint64_t ops = 0;              // total ops across threads; 0 = run for duration_seconds
  uint64_t key_space = 10000;
  KeyDistribution distribution = KeyDistribution::kUniform;
  double zipf_theta = 0.99;              // zipfian and latest
  double hotspot_key_fraction = 0.1;     // hotspot: this fraction of the keys ...
  double hotspot_access_fraction = 0.9;  // ... gets this fraction of the accesses
  uint32_t value_bytes_min = 16;
  uint32_t value_bytes_max = 128;
  WriterSpec writers;
  ReaderSpec readers;
  ScannerSpec scanners;
  SnapshotReaderSpec snapshot_readers;
  EngineSpec engine;
  SimSpec sim;
  std::vector<faults::Rule> faults;
  double watchdog_seconds = 30;  // no op completes for this long -> liveness failure
  // A quiescence point this often (clients release, background drains, the end-of-run checks run,
  // the DB is reopened), so a bug that shows only at rest is found within one interval. 0: only at
  // the end of the run.
  double quiesce_every_seconds = 0;
  // After a background error (a failed MANIFEST or WAL write): "stop-writes" — writers stop, reads
  // go on (a DB without a reopen); "reopen" — the DB is reopened at once (a quiescence point, the
  // reopen verified) and writes go on, so a soak keeps exercising compaction and deletion.
  std::string on_background_error = "stop-writes";
  // `vstress crash`: a crash every crash_every_seconds on average (uniform in [0.5, 1.5] times
  // it); a power loss tears the unsynced tails (instead of dropping them) with probability
  // crash_torn_ratio.
  double crash_every_seconds = 2;
  double crash_torn_ratio = 0.5;
  // A fault inside every crash recovery's reopen, "HIT:ACTION" (action error, nospace or crash):
  // the HIT-th file-system call of the reopen fails or loses power; the reopen after it, with no
  // fault, must still recover (vstress enumerate --during-recovery). Empty: none.
  std::string recovery_fault;
  // Fault coverage: "POINT:ACTION" pairs (e.g. "engine/manifest/sync:error") that must fire at
  // least once in the run; one that never fires fails it (exit 1, violation kind `coverage`).
  std::vector<std::string> expect_reached;
  // [randomize]: the keys `vstress sweep --randomize` draws per shard (Randomize), in canonical
  // order; empty for a spec that is run as it stands.
  std::vector<RandomizeRange> randomize;

  int TotalThreads() const;
  // Names the bad key: "writers.sync_ratio: must be in [0, 1], got 1.5".
  engine::Status Validate() const;
};

// Field by field; fault rules compare by their canonical text.
bool operator==(const WorkloadSpec& a, const WorkloadSpec& b);

// --- Text form (workload_toml.cc) ---

// Parses and validates a TOML workload. Errors are InvalidArgument and start with source_name:
// "config.toml: writers.sync_ratio: must be in [0, 1], got 1.5",
// "config.toml: unknown key 'writer.threads' (did you mean 'writers.threads'?)",
// "config.toml:3:7: <TOML syntax error>". The spec's name is the TOML's `name` if set, else the
// stem of source_name ("dir/config.toml" -> "config").
engine::Result<WorkloadSpec> ParseWorkload(std::string_view toml_text,
                                           std::string_view source_name);

// Applies one "KEY=VALUE" (the CLI's --set): "engine.memtable_bytes=65536",
// "writers.sync_ratio=0.5", "distribution=zipfian", "value_bytes=[16, 64]". VALUE is a TOML value;
// for string keys a bare word is taken as the string. `faults=R1;R2` replaces the fault rules
// (`faults=` clears them), `faults+=RULE` adds one. Checks the key and the type only: call
// spec->Validate() after the last override. On error *spec is unchanged.
engine::Status ApplyOverride(WorkloadSpec* spec, std::string_view assignment);

// The rules of a `--faults FILE`: either [[faults]] tables with rule = "..." (TOML, as in a
// workload; chosen when the first line that is not blank or a comment starts with '['), or one
// rule per line with '#' comments. Errors start with source_name (and the line, for rule lines).
engine::Result<std::vector<faults::Rule>> ParseFaultsFile(std::string_view text,
                                                          std::string_view source_name);

// The effective config as TOML, every key written out with a comment saying what it does.
std::string ToToml(const WorkloadSpec& spec);

// What a key's value is: [randomize] draws numbers only for the two number kinds.
enum class KeyType : uint8_t { kWholeNumber, kRealNumber, kOther };

// Every key a workload TOML (or --set) accepts, in ToToml's order, with one line on what it does
// (`randomize` is listed, but only a TOML table sets it).
struct WorkloadKeyInfo {
  std::string_view key;  // "writers.sync_ratio"
  std::string_view doc;
  KeyType type = KeyType::kOther;
};
std::vector<WorkloadKeyInfo> WorkloadKeys();

}  // namespace workloads
