// Store: the engine under test, as the harness sees it — whichever engine that is (vstress's own,
// LevelDB 1.23, RocksDB 7.8.3). The clients, the quiescence checks and the drivers call a Store,
// never an engine's own API, so every workload, the oracle, the checker, the metrics and the
// reports run against each of them alike. Stores are opened by name through the registry
// (stores/registry.h); each engine's adapter lives in its own folder (stores/vstress/, ...).
//
// The core every store has: writes of a batch (with sync), point reads, iterators, snapshots and
// reads through one, the last acknowledged sequence, the background error, a wait for background
// work to go idle, and the engine's counters.
//
// Where a read sits in the commit order is what makes checking exact, and stores differ in what
// they tell: a Position is the interval of sequence numbers a read (an iterator, a snapshot) can
// have seen. A store that reports the sequence a read observed (vstress) gives an exact one (low ==
// high); one that does not gives the bracket it can prove — the last sequence acknowledged before
// the read began and the last one assigned when it ended. Every write is given its exact sequence
// by every store (an adapter that cannot read the engine's own counts them in commit order under
// its own write lock). doc/design.md argues why neither raises a false alarm on a correct engine.
//
// What not every engine can do is an optional capability the store declares and the harness asks
// for (the accessors at the end of Store, each null when absent) — the go-ycsb / Jepsen way: a
// missing capability is reported as absent, never faked.
//
// Thread contract: thread-safe (as the engines are), except that destruction (which closes the
// engine) must not race with any other call, and every Iterator and Snapshot must be gone first.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
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

// The interval of the commit order a read can have observed: it sees one state, the one after
// every write through some sequence S with low <= S <= high.
struct Position {
  SequenceNumber low = 0;
  SequenceNumber high = 0;
  static Position Exact(SequenceNumber s) { return {s, s}; }
  bool exact() const { return low == high; }
};

// One entry of a write batch: the harness's writers build these, each adapter its own batch.
struct BatchEntry {
  bool deletion = false;
  std::string_view key;
  std::string_view value;  // a put's
};

// A point-in-time view reads can go through; released when destroyed.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // Where the snapshot sits: exact where the engine says, else bracketed when it was taken.
  virtual Position position() const = 0;
};

struct ReadOptions {
  const Snapshot* snapshot = nullptr;  // null: the newest data when the read starts
};

// An ordered cursor over the store's keys as of one cut of the commit order, held for its whole
// life across any flushes and compactions.
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view target) = 0;
  virtual void Next() = 0;                     // REQUIRES: Valid()
  virtual void Prev() = 0;                     // REQUIRES: Valid()
  virtual std::string_view key() const = 0;    // REQUIRES: Valid()
  virtual std::string_view value() const = 0;  // REQUIRES: Valid()
  // Not ok when a read failed; the iterator is then not Valid().
  virtual Status status() const = 0;
  // The cut it shows lies in this interval.
  virtual Position position() const = 0;
};

// The engine's counters, for the metrics every store carries. A gauge the store does not expose is
// nullopt: reported as absent, never as 0.
struct StoreStats {
  std::optional<uint64_t> live_versions;
  std::optional<uint64_t> deferred_deletions;
  std::optional<uint64_t> deferred_deletion_bytes;
  std::optional<double> oldest_version_age_seconds;
  uint64_t files_deleted = 0;
  uint64_t version_installs = 0;
  uint64_t flushes = 0;
  uint64_t compactions = 0;
  uint64_t background_errors = 0;
  uint64_t background_retries = 0;
  uint64_t deepest_level = 0;
  uint64_t wal_batches_replayed = 0;  // by this instance's open
};

// ---- Optional capabilities ------------------------------------------------------------------

// Where a key lives in the engine right now, for a violation's report.
class EngineView {
 public:
  virtual ~EngineView() = default;
  // Every place the engine holds an entry for `key`, one line each ("" when none).
  virtual std::string DescribeKey(std::string_view key) = 0;
};

// The Version and file invariants a store can check through what it exposes. Each returns the
// breaches it found, one line each (empty: it holds).
class Invariants {
 public:
  virtual ~Invariants() = default;
  // While the DB runs: no table a live Version lists is missing from disk.
  virtual std::vector<std::string> LiveTablesMissing() = 0;
  // At rest (readers released, background idle): one Version, nothing deferred, exactly the files
  // the DB needs, no Version released more often than referenced. `when` prefixes each line.
  virtual std::vector<std::string> AtRest(std::string_view when) = 0;
  // Before closing: what a close would leave linked (closing would then abort inside the engine).
  // Stops background work, as a close would; afterwards the store may only be destroyed.
  virtual std::vector<std::string> LeftAtClose() = 0;
  // The number the next new file will get: after a recovery it must exceed every number a file on
  // disk carried after the crash (rocksdb #7607, #7621).
  virtual uint64_t NextFileNumber() = 0;
};

// What an operator does to a live DB, to force shapes (a benchmark's tables, a workload's levels):
// flush the memtable, compact a key range, count the tables per level, and resume after a
// background error.
class Maintenance {
 public:
  virtual ~Maintenance() = default;
  // Writes the memtable to a table and waits for it.
  virtual Status Flush() = 0;
  // Compacts every table holding keys in [begin, end] ("" for an open end) and waits for it.
  virtual Status CompactRange(std::string_view begin, std::string_view end) = 0;
  // Tables per level of the current Version, levels with none left out.
  virtual std::map<int, uint64_t> TablesPerLevel() = 0;
  // Clears a background error and lets writes go on without a reopen (RocksDB's DB::Resume), or
  // InvalidArgument saying the engine needs a reopen for that (LevelDB, vstress).
  virtual Status Resume() = 0;
};

// Points inside engine operations where a deterministic driver may run another step. Do not change
// the names: recorded histories name them.
enum class YieldSite : uint8_t {
  kGetAfterPin,       // "get:after-pin": a Get has pinned its read view and not read yet
  kIteratorAfterPin,  // "iterator:after-pin": NewIterator has pinned its read view
  // "compaction:new-output": a compaction is about to start an output table; its earlier outputs
  // are written but not installed.
  kCompactionNewOutput,
};
const char* YieldSiteName(YieldSite site);
bool YieldSiteFromName(std::string_view name, YieldSite* site);

// What the deterministic simulator needs from a store whose background work runs only when
// stepped (StoreConfig::manual_background).
class Simulation {
 public:
  virtual ~Simulation() = default;
  virtual bool BackgroundWorkPending() = 0;
  // One unit of background work (a flush or a compaction); true if it did some.
  virtual bool RunBackgroundStep() = 0;
  // Whether a write now would have to wait for background work (see engine/testing.h).
  virtual bool WriteWouldWait() = 0;
  // Called at every yield site (null removes it), on the thread of the operation that reached it.
  virtual void SetYieldHook(std::function<void(YieldSite)> hook) = 0;
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // Closes the engine (waiting for its background work).
  virtual ~Store() = default;

  // Applies `batch` atomically; returns the sequence of its last entry (a batch of n entries takes
  // n sequences, in order). A write that fails holds no sequence, but a store that counts
  // sequences itself may already have given it its n (a read that ended while it was in flight
  // closed its bracket over them), and gives them to no later write: it then sets *voided to the
  // last of them, and the caller records the n as holding no write. Untouched otherwise.
  virtual Result<SequenceNumber> Write(bool sync, std::span<const BatchEntry> batch,
                                       SequenceNumber* voided) = 0;
  // Reads `key`: ok with `value`, or NotFound. `at` receives where the read sat.
  virtual Status Get(const ReadOptions& options, std::string_view key, std::string* value,
                     Position* at) = 0;
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;
  virtual std::unique_ptr<Snapshot> GetSnapshot() = 0;
  // The sequence of the newest acknowledged write.
  virtual SequenceNumber LastSequence() const = 0;
  // The background error that stops writes, or ok.
  virtual Status BackgroundError() const = 0;
  // Waits until no flush or compaction is queued or running (or a background error is set), then
  // lets the engine delete what it no longer needs.
  virtual Status WaitForBackgroundIdle() = 0;
  virtual StoreStats Stats() const = 0;

  // Capabilities: null when the store has none.
  virtual EngineView* engine_view() { return nullptr; }
  virtual Invariants* invariants() { return nullptr; }
  virtual Simulation* simulation() { return nullptr; }
  virtual Maintenance* maintenance() { return nullptr; }
};

}  // namespace stores
