// Oracle: the reference model every read is checked against.
//
// It records each acknowledged write with the sequence number the engine assigned, per key, and
// answers "what must a read of key K at sequence S return?". Because the engine's sequence numbers
// are dense (each acknowledged entry consumes exactly one), a read at S can be checked as soon as
// every write at or below S is recorded: recorded_through() is that prefix. Values are unique per
// write, so a value read maps back to exactly one write (ValueId); a value of a write that failed
// must never be seen.
//
// Memory stays bounded: each reader owns a slot holding a lower bound of any sequence it may still
// read at (set before it pins a view, tightened to the pinned sequence after). A key's versions
// older than the newest one at or below the low-water mark (the minimum over slots and the recorded
// prefix) can never be asked for again and are pruned when the key is next written.
//
// Thread contract: thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "engine/types.h"
#include "harness/model/cut_set.h"

namespace harness::model {

using engine::SequenceNumber;

// Which write produced a value: writer thread, its write index, and the value's length in bytes.
struct ValueId {
  uint32_t writer = 0;
  uint64_t index = 0;
  uint32_t bytes = 0;
  bool operator==(const ValueId&) const = default;
  auto operator<=>(const ValueId&) const = default;
};

// One entry of a write: a put of `value` to `key`, or (nullopt) its delete.
struct WriteEntry {
  uint64_t key = 0;
  std::optional<ValueId> value;
  bool operator==(const WriteEntry&) const = default;
};

// One version of a key: a put of `value`, or a delete.
struct KeyVersion {
  SequenceNumber seq = 0;
  bool deleted = false;
  bool batch_inner = false;  // not its batch's last entry: no recovered prefix may end here
  ValueId value;
};

// A reader's registration: the lowest sequence it may still read at (kNoPin when idle).
class ReaderSlot {
 public:
  static constexpr SequenceNumber kNoPin = ~SequenceNumber{0};
  void Pin(SequenceNumber lower_bound) { pinned_.store(lower_bound, std::memory_order_seq_cst); }
  void Unpin() { pinned_.store(kNoPin, std::memory_order_release); }
  SequenceNumber pinned() const { return pinned_.load(std::memory_order_acquire); }

 private:
  std::atomic<SequenceNumber> pinned_{kNoPin};
};

class Oracle {
 public:
  explicit Oracle(uint64_t key_space);
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  // ---- writers ----
  // Records one acknowledged entry (value nullopt: a delete). False if `seq` was recorded before
  // (or is 0): the engine gave two writes one sequence, and the run must report it.
  // `batch_inner`: the entry is not the last of its batch (a batch is atomic, so a state after a
  // crash may not end with it).
  bool RecordWrite(uint64_t key, SequenceNumber seq, std::optional<ValueId> value,
                   bool batch_inner = false);
  // After every entry of a write is recorded: the write is acknowledged up to `last`.
  void Acknowledge(SequenceNumber last);
  // A value that must never become visible (a write lost to a crash, a failed write).
  void RecordFailedWrite(ValueId value);
  // A write that returned an error: its values must never become visible while the DB stays
  // open; it is kept, whole, until TakeFailedWrites, for a store whose failed writes a reopen may
  // still recover (StoreKind::failed_writes_indeterminate). `after`: the store's last sequence
  // once it failed (every write it can have come after is at or below it).
  void RecordFailedWrite(std::span<const WriteEntry> entries, SequenceNumber after);
  struct FailedWrite {
    SequenceNumber after = 0;
    std::vector<WriteEntry> entries;
  };
  // The failed writes recorded since the last call, oldest first.
  std::vector<FailedWrite> TakeFailedWrites();
  // The sequence of the newest recorded write to `key` (0: none).
  SequenceNumber NewestWriteTo(uint64_t key) const;
  // A failed write a reopen recovered: its values may show from now on.
  void ForgetFailedWrite(std::span<const WriteEntry> entries);
  // Sequences [first, last] that hold no write (a failed write's, voided by a store that counts
  // sequences): recorded, so reads whose bracket ends among them are checked.
  void RecordVoid(SequenceNumber first, SequenceNumber last);
  // An acknowledged write that synced the WAL: a power loss may not take anything at or below
  // `last` (the WAL is a prefix, so earlier writes are durable too).
  void AcknowledgeSynced(SequenceNumber last);
  SequenceNumber synced() const { return synced_.load(std::memory_order_acquire); }

  // ---- crashes ----
  // Runs that crash keep every version a recovery could land on: a key's versions are kept down
  // to its newest at or below durable_floor() (what a power loss or kill may not take), not only
  // down to the readers' low water. Set before any write.
  void KeepForCrashes(bool on) { keep_for_crashes_ = on; }
  // The recovered state a crash left, per key: the value found, nullopt for absent, or
  // kUnrecognized for bytes no write produced.
  static constexpr ValueId kUnrecognized{~uint32_t{0}, ~uint64_t{0}, 0};
  // A key whose state the crash left uncertain (a write in flight): it matches any prefix.
  static constexpr ValueId kUncertain{~uint32_t{0}, ~uint64_t{0}, 2};
  struct PrefixMatch {
    SequenceNumber seq = 0;  // the prefix: every write at or below it, none above
    uint64_t differing = 0;  // keys whose state differs from it (0: `state` is that prefix)
  };
  // The prefix of the recorded writes, through some sequence in [lo, hi], that `state` (indexed
  // by key, key_space() entries) equals: the highest such sequence, or else the one with the
  // fewest differing keys (the highest among ties). One pass over the keys and over the writes in
  // (lo, hi]. REQUIRES: no client is running; the versions at lo are kept (KeepForCrashes).
  PrefixMatch ClosestPrefix(const std::vector<std::optional<ValueId>>& state, SequenceNumber lo,
                            SequenceNumber hi) const;
  // After a crash the DB recovered the writes through `seq` and goes on from `resume` (>= seq:
  // a recovered DB may skip sequences, as LevelDB's does when the MANIFEST's last sequence is
  // ahead of the WAL it kept): every recorded write above `seq` is gone (a crash may take
  // acknowledged writes that were not durable), so its value must never show up again; the
  // sequences up to `resume` count as recorded (the gap holds no write) and as durable (recovery
  // wrote the recovered state to tables). Returns how many recorded writes were dropped.
  // REQUIRES: no client is running.
  uint64_t TruncateTo(SequenceNumber seq, SequenceNumber resume);
  // Takes `value` (nullopt: absent) as the key's state at `seq`, replacing whatever the oracle
  // held there or above: a kill child starts from the DB its parent verified, and the parent takes
  // the outcome of a write the kill caught in flight from the DB. Call TruncateTo after to move
  // the prefix. REQUIRES: no client is running.
  void Adopt(uint64_t key, std::optional<ValueId> value, SequenceNumber seq);

  // ---- readers ----
  // Every write with seq <= recorded_through() is recorded.
  SequenceNumber recorded_through() const {
    return recorded_through_.load(std::memory_order_acquire);
  }
  // The highest sequence a completed write returned (a read that starts later must see it).
  SequenceNumber acknowledged() const { return acknowledged_.load(std::memory_order_acquire); }
  // The version of `key` visible at `seq` (nullopt: absent or deleted).
  // REQUIRES: seq <= recorded_through(), and a pinned slot at or below seq.
  std::optional<ValueId> ValueAt(uint64_t key, SequenceNumber seq) const;
  bool IsFailedWrite(const ValueId& value) const;
  // The sequences in [lo, hi] at which `key` shows `value` (nullopt: absent), as sorted disjoint
  // intervals: the cuts a bracketed read that saw it can have been at.
  // REQUIRES: hi <= recorded_through(), and a pinned slot at or below lo.
  std::vector<SeqInterval> SequencesShowing(uint64_t key, const std::optional<ValueId>& value,
                                            SequenceNumber lo, SequenceNumber hi) const;
  // The key's recorded versions, oldest first, one per line ("seq=12 put v0.7 (100 bytes)").
  std::string HistoryString(uint64_t key) const;

  // A slot per reader thread; the oracle owns them.
  ReaderSlot* NewReaderSlot();
  // The minimum over slots and the recorded prefix; versions needed at or above it are kept.
  SequenceNumber LowWater() const;

  uint64_t key_space() const { return key_space_; }
  // Versions currently held, for memory accounting.
  uint64_t versions_held() const { return versions_held_.load(std::memory_order_relaxed); }

 private:
  struct KeyHistory {
    std::vector<KeyVersion> versions;  // sorted by seq; guarded by the key's stripe
    // The newest version, readable without the stripe (a seqlock; `change` is odd while it is
    // rewritten). A read at or above newest_seq is answered from it: every write at or below the
    // read's sequence is recorded, so nothing newer can still arrive below it.
    std::atomic<uint64_t> change{0};
    std::atomic<SequenceNumber> newest_seq{0};
    std::atomic<uint64_t> newest_index{0};
    // writer << 32 | bytes << 1 | deleted; starts as "deleted": a key never written is absent.
    std::atomic<uint64_t> newest_packed{1};
  };
  static constexpr size_t kStripes = 1024;

  std::mutex& StripeFor(uint64_t key) const { return stripes_[key % kStripes]; }
  // False if `seq` is already recorded.
  bool MarkRecorded(SequenceNumber seq);
  void PruneLocked(KeyHistory* history, SequenceNumber low_water);
  // Republishes the newest version after `history->versions` changed.
  static void PublishNewestLocked(KeyHistory* history);
  // The newest version if it is visible at `seq` (nullopt: ask the locked path).
  static std::optional<KeyVersion> NewestIfVisible(const KeyHistory& history, SequenceNumber seq);

  const uint64_t key_space_;
  std::vector<KeyHistory> keys_;  // versions guarded by the key's stripe
  mutable std::unique_ptr<std::mutex[]> stripes_;
  std::atomic<uint64_t> versions_held_{0};

  std::mutex recorded_mu_;
  std::set<SequenceNumber> recorded_ahead_;  // guarded by recorded_mu_: recorded beyond the prefix
  std::atomic<SequenceNumber> recorded_through_{0};
  std::atomic<SequenceNumber> acknowledged_{0};
  std::atomic<SequenceNumber> synced_{0};
  bool keep_for_crashes_ = false;

  mutable std::mutex failed_mu_;
  std::set<ValueId> failed_;                // guarded by failed_mu_
  std::vector<FailedWrite> failed_writes_;  // guarded by failed_mu_

  mutable std::mutex slots_mu_;
  std::vector<std::unique_ptr<ReaderSlot>> slots_;  // guarded by slots_mu_ (slots never move)
  // Recomputed every kLowWaterRefreshWrites writes, read by every pruning writer.
  std::atomic<SequenceNumber> cached_low_water_{0};
  std::atomic<uint64_t> writes_since_refresh_{0};
  static constexpr uint64_t kLowWaterRefreshWrites = 1024;
};

}  // namespace harness::model
