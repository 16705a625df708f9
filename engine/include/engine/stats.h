// StatsSnapshot: the engine's counters, read cheaply (the engine keeps them as atomics).
//
// These are what a harness exports as metrics and checks at quiescence: with every reader released
// and background work idle, live_versions == 1 and deferred_deletions == 0.
//
// Thread contract: immutable (a plain value copied out of the DB).
#pragma once

#include <cstdint>

namespace engine {

struct StatsSnapshot {
  // Versions not yet released: the current one plus every older one a reader still pins.
  uint64_t live_versions = 0;
  // Tables no longer in the current Version but still listed by a live older Version; each is
  // deleted when the last such Version is released.
  uint64_t deferred_deletions = 0;
  uint64_t deferred_deletion_bytes = 0;
  uint64_t files_deleted = 0;
  uint64_t version_installs = 0;
  uint64_t flushes = 0;
  uint64_t compactions = 0;
  uint64_t background_errors = 0;
  // Flushes and compactions that failed and were tried again (before any became permanent).
  uint64_t background_retries = 0;
  // The deepest level holding a table in the current Version: how deep the LSM tree is.
  uint64_t deepest_level = 0;
  // Age of the oldest live Version (0 when only the current one lives... or it is new).
  double oldest_version_age_seconds = 0;
  // The newest sequence number acknowledged to a writer.
  uint64_t last_sequence = 0;
  // Write batches this DB instance's open replayed from the WALs: nonzero when it was closed (or
  // crashed) with writes that had not been flushed to a table yet.
  uint64_t wal_batches_replayed = 0;
};

}  // namespace engine
