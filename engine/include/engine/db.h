// DB: a persistent, ordered key-value store built as a log-structured merge tree.
//
// Every write is assigned a sequence number and returns it. Every read pins a read view — the
// memtable, the immutable memtables and the current Version (an immutable list of table files per
// level) — and reports the sequence number it observed. Background flushes and compactions install
// new Versions; a table that a compaction made obsolete is deleted only when the last Version
// listing it is released (deferred deletion).
//
// After a background error (a failed MANIFEST, WAL or flush/compaction write that cannot be
// retried) writes fail with Status::BackgroundError, reads keep working, and no file is deleted
// until the DB is reopened; reopening loses no acknowledged write.
//
// Thread contract: thread-safe. Close() (or destruction) must not race with other calls, and every
// Iterator and Snapshot must be released first.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/iterator.h"
#include "engine/options.h"
#include "engine/stats.h"
#include "engine/status.h"
#include "engine/types.h"
#include "engine/write_batch.h"

namespace engine {

// A sequence number that a reader can read at. Snapshots pin no file; compaction keeps every entry
// the oldest live snapshot can see.
class Snapshot {
 public:
  SequenceNumber sequence() const { return sequence_; }

 protected:
  explicit Snapshot(SequenceNumber sequence) : sequence_(sequence) {}
  ~Snapshot() = default;

 private:
  SequenceNumber sequence_;
};

class DB {
 public:
  // Opens (or, with create_if_missing, creates) the DB at `path`, replaying the MANIFEST and WAL.
  static Result<std::unique_ptr<DB>> Open(const Options& options, const std::string& path);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  virtual ~DB() = default;

  // Each returns the sequence number assigned to the write (the last one, for a batch).
  virtual Result<SequenceNumber> Put(const WriteOptions& options, std::string_view key,
                                     std::string_view value) = 0;
  virtual Result<SequenceNumber> Delete(const WriteOptions& options, std::string_view key) = 0;
  virtual Result<SequenceNumber> Write(const WriteOptions& options, WriteBatch* batch) = 0;

  // Reads `key`. On success fills `value`; NotFound if absent or deleted. Either way, when
  // `observed` is not null it receives the sequence number the read was served at.
  virtual Status Get(const ReadOptions& options, std::string_view key, std::string* value,
                     SequenceNumber* observed = nullptr) = 0;

  // An iterator over the state at options.snapshot (or now); it pins its read view until deleted.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Freezes the memtable and waits until it is written to a level-0 table.
  virtual Status Flush() = 0;
  // Flushes, then compacts every file overlapping [begin, end] (empty means unbounded) down the
  // levels. With BackgroundMode::kManual both run in the caller's thread.
  virtual Status CompactRange(std::string_view begin, std::string_view end) = 0;
  // Waits until no flush or compaction is queued or running (or a background error is set).
  virtual Status WaitForBackgroundIdle() = 0;
  // BackgroundMode::kManual: performs one unit of background work (one flush or one compaction).
  // Returns true if it did something.
  virtual bool RunBackgroundStep() = 0;

  virtual StatsSnapshot GetStats() const = 0;
  // The newest sequence number assigned to an acknowledged write (one atomic load).
  virtual SequenceNumber GetLatestSequenceNumber() const = 0;
  // The background error, or ok.
  virtual Status BackgroundErrorStatus() const = 0;

  // Stops background work, syncs, and releases the LOCK.
  virtual Status Close() = 0;
};

// Deletes every file of the DB at `path` (used by tests and `--cleanup-on-pass`).
Status DestroyDB(const Options& options, const std::string& path);

}  // namespace engine
