// Store: the engine under test, as the harness sees it — whichever engine that is (vstress's own,
// LevelDB 1.23, RocksDB 7.8.3). The clients, the quiescence checks and the drivers call a Store,
// never an engine's own API, so every workload, the oracle, the checker, the metrics and the
// reports run against each of them alike.
//
// The core every store has: open and close (by a StoreFactory, stores/registry.h), writes of a
// batch (with sync), point reads, iterators, snapshots and reads through one, the background
// error, and a wait for background work to go idle.
//
// Where a read sits in the commit order is what makes checking exact, and stores differ in what
// they tell: a Position is the interval of sequence numbers a read (or an iterator, or a snapshot)
// can have seen. A store that reports the sequence a read observed (vstress) gives an exact one
// (low == high); one that does not (LevelDB, RocksDB's Get) gives the bracket it can prove — the
// last sequence acknowledged before the read began and the last assigned when it ended. Every write
// is given its exact sequence by every store (an adapter that cannot read the engine's counts
// them under its own write lock, in commit order). doc/design.md argues why neither can raise a
// false alarm on a correct engine.
//
// What not every engine can do is an optional capability the store declares and the harness asks
// for (`Capabilities()`, the interfaces below) — the go-ycsb / Jepsen way: a missing one is
// reported as absent, never faked.
//
// Thread contract: thread-safe (as the engines are), except that Close and destruction must not
// race with any other call and every Iterator and Snapshot must be released first.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/types.h"

namespace stores {

using engine::Result;
using engine::SequenceNumber;
using engine::Status;

// The interval of the commit order a read can have observed: every write at or below `low` is
// visible to it, none above `high` is.
struct Position {
  SequenceNumber low = 0;
  SequenceNumber high = 0;
  static Position Exact(SequenceNumber s) { return {s, s}; }
  bool exact() const { return low == high; }
};

// One entry of a write batch (the harness's writers build these; each adapter its own batch).
struct BatchEntry {
  bool deletion = false;
  std::string_view key;
  std::string_view value;  // a put's
};

class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // Where the snapshot sits: exact where the engine says (vstress, RocksDB), else bracketed.
  virtual Position position() const = 0;
};

struct ReadOptions {
  const Snapshot* snapshot = nullptr;  // null: the newest data when the read starts
};

class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view target) = 0;
  virtual void Next() = 0;  // REQUIRES: Valid()
  virtual void Prev() = 0;  // REQUIRES: Valid()
  virtual std::string_view key() const = 0;    // REQUIRES: Valid()
  virtual std::string_view value() const = 0;  // REQUIRES: Valid()
  virtual Status status() const = 0;
  // The state it shows: one cut of the commit order, somewhere in this interval.
  virtual Position position() const = 0;
};

// ---- Optional capabilities ------------------------------------------------------------------

// The engine's own counters, as the metrics of every store carry them. A gauge a store does not
// expose is nullopt (reported as absent, never as 0).
struct StoreStats {
  std::optional<uint64_t> live_versions;
  std::optional<uint64_t> deferred_deletions;  // table files on disk the current Version drops
  std::optional<uint64_t> deferred_deletion_bytes;
  std::optional<double> oldest_version_age_seconds;
  uint64_t files_deleted = 0;
  uint64_t version_installs = 0;
  uint64_t flushes = 0;
  uint64_t compactions = 0;
  uint64_t background_errors = 0;
  uint64_t background_retries = 0;
  uint64_t deepest_level = 0;
  uint64_t wal_batches_replayed = 0;
};

// Where a key lives in the engine right now (for a violation's report): one line per place.
class EngineView {
 public:
  virtual ~EngineView() = default;
  virtual std::string DescribeKey(std::string_view key) = 0;
};

// The Version and file invariants the store can check through what it exposes.
class Invariants {
 public:
  virtual ~Invariants() = default;
  // While the DB runs: no table a live Version lists is missing from disk. Empty: holds.
  virtual std::string CheckLiveTablesExist() = 0;
  // At rest (readers released, background idle): one Version, nothing deferred, exactly the files
  // the DB needs, no refcount underflow. Each breach, one line.
  virtual std::vector<std::string> CheckAtRest() = 0;
  // Before closing: what a close would leave linked (each a line); empty: it may close.
  virtual std::vector<std::string> LeftAtClose() = 0;
  // After a recovery: the next file number exceeds every number a file on disk carries (rocksdb
  // #7607). Empty: holds.
  virtual std::string CheckFileNumbersAfterRecovery() = 0;
};

// What a deterministic driver needs: background work only when stepped, and yield points inside
// engine operations (engine/testing.h's).
class Simulation {
 public:
  virtual ~Simulation() = default;
  virtual bool BackgroundWorkPending() = 0;
  virtual bool RunBackgroundStep() = 0;
  virtual bool WriteWouldWait() = 0;
};

}  // namespace stores
