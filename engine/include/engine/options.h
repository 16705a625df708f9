// Options for opening a DB, reading and writing.
//
// Options are chosen per DB; every size is named with its unit. Validate() owns the rules about
// which combinations make sense and names the offending field in its message.
//
// Thread contract: immutable once passed to DB::Open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/mutation.h"
#include "engine/status.h"
#include "engine/types.h"

namespace engine {

class Clock;
class FileSystem;
class Snapshot;

// Where background work (flushes, compactions) runs.
enum class BackgroundMode {
  kThread,  // on one background thread owned by the DB
  kManual,  // only when the caller calls DB::RunBackgroundStep(); used by deterministic drivers
};

struct Options {
  // Storage; null means the real (POSIX) file system.
  std::shared_ptr<FileSystem> file_system;
  // Time (Version ages); null means RealClock(). A deterministic driver passes a ManualClock.
  std::shared_ptr<Clock> clock;

  bool create_if_missing = true;
  bool error_if_exists = false;

  // A memtable is frozen and flushed once it holds this many bytes.
  size_t memtable_bytes = 4 << 20;
  // Level-0 file counts: start a compaction, slow writers down, stop writers.
  int level0_compaction_trigger = 4;
  int level0_slowdown_trigger = 8;
  int level0_stop_trigger = 12;
  // Level 1 may hold this many bytes; each deeper level `level_size_multiplier` times more.
  uint64_t level_base_bytes = 10 << 20;
  int level_size_multiplier = 10;
  // A compaction starts a new output table once the current one reaches this size.
  uint64_t table_target_bytes = 2 << 20;
  // Uncompressed size of a table data block, and keys between restart points within it.
  size_t block_bytes = 4096;
  int block_restart_interval = 16;
  // Bloom filter bits per key in each table (0 disables the filter).
  int bloom_bits_per_key = 10;
  // Open tables kept in the table cache.
  size_t table_cache_entries_max = 1000;
  // Once the MANIFEST holds this many bytes the next edit starts a new one holding the whole
  // current state, and CURRENT is switched to it (RocksDB's max_manifest_file_size).
  uint64_t max_manifest_bytes = 4 << 20;

  BackgroundMode background = BackgroundMode::kThread;
  // Default for WriteOptions::sync when a write does not say.
  bool sync_writes_default = false;
  // Verify block checksums on every read (they are always verified by `vstress inspect`).
  bool verify_checksums = true;

  // Planted bugs for proving a checker can fail (see mutation.h). Empty in production.
  Mutations mutations;

  Status Validate() const;
};

struct ReadOptions {
  // Read as of this snapshot; null means "the newest data when the read starts".
  const Snapshot* snapshot = nullptr;
};

struct WriteOptions {
  enum class Sync : uint8_t { kDefault, kYes, kNo };
  // Whether the WAL is synced before the write returns; kDefault uses Options::sync_writes_default.
  Sync sync = Sync::kDefault;
};

}  // namespace engine
