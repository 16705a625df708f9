// WriteHistory: the crash tests' oracle for power loss. It logs the writes a DB acknowledged, in
// the order the engine assigned them sequence numbers, and how many of them (a prefix: a synced
// write makes every write before it durable too) must survive a power loss; MatchPrefix then
// finds which prefix of the log a recovered DB state equals. It may also hold the one write that
// was under way when the power failed: it returned an error, so it is no acknowledged write, but
// a torn WAL tail may keep its whole record.
//
// RandomWriter draws the crash tests' workload: random puts (each of a value never written
// before) and deletes over a small key space, a chosen share of them synced.
//
// Invariants: durable_count() <= size(); the in-flight write, if any, comes after every logged
// write (with the next sequence number), so nothing is logged after it until KeepPrefix drops it.
//
// Thread contract: thread-compatible.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/db.h"
#include "engine/types.h"
#include "tests/engine/db_test_util.h"

namespace vstress_test {

// Where the crash tests' DB lives in their in-memory file system.
inline constexpr char kDbPath[] = "/db";

class WriteHistory {
 public:
  struct Write {
    engine::SequenceNumber sequence = 0;
    std::string key;
    std::optional<std::string> value;  // nullopt: a delete
    bool synced = false;
  };

  // Logs an acknowledged write; a synced one makes the whole log so far durable.
  void Record(Write write) {
    Check(!in_flight_, "Record after RecordInFlight");
    if (write.synced) durable_count_ = writes_.size() + 1;
    writes_.push_back(std::move(write));
  }
  // The write that was under way when the power failed: it returned an error, but a torn tail
  // may have kept its whole WAL record, so with torn tails it may come back (after every
  // acknowledged write, with the next sequence number). With dropped tails it never may.
  void RecordInFlight(std::string key, std::optional<std::string> value) {
    in_flight_ = Write{last_sequence() + 1, std::move(key), std::move(value), false};
  }

  size_t size() const { return writes_.size(); }
  size_t durable_count() const { return durable_count_; }
  engine::SequenceNumber last_sequence() const {
    return writes_.empty() ? 0 : writes_.back().sequence;
  }

  // Everything logged so far survives a power loss (a clean close on a file system that loses
  // nothing, or a reopen that wrote it all to synced tables).
  void MarkAllDurable() { durable_count_ = writes_.size(); }
  // At most `count` writes must survive (capped at the log's size).
  void SetDurableCount(size_t count) { durable_count_ = std::min(count, writes_.size()); }
  // The recovered state is the state after the first `count` acknowledged writes, and is durable
  // now; the in-flight write, if any, is gone. REQUIRES: count <= size().
  void KeepPrefix(size_t count) {
    Check(count <= writes_.size(), "KeepPrefix past the acknowledged writes");
    writes_.resize(count);
    durable_count_ = count;
    in_flight_.reset();
  }

  // The longest prefix (in writes) at least durable_count() long whose state equals `recovered`
  // and whose writes all have sequence numbers up to `last_sequence` (the engine's, after
  // recovery: it tells apart prefixes that differ only by writes that changed nothing, such as a
  // delete of an absent key). With `allow_in_flight` the acknowledged writes followed by the
  // in-flight one count as a prefix too (its length is then size() + 1).
  std::optional<size_t> MatchPrefix(const Model& recovered, engine::SequenceNumber last_sequence,
                                    bool allow_in_flight = false) const {
    std::vector<const Write*> writes;
    for (const Write& w : writes_) writes.push_back(&w);
    if (allow_in_flight && in_flight_) writes.push_back(&*in_flight_);
    // Counts keys where the prefix's state and `recovered` differ, updated one write at a time.
    Model state;
    size_t differing = recovered.size();
    std::optional<size_t> match;
    if (differing == 0 && durable_count_ == 0) match = 0;
    for (size_t i = 0; i < writes.size(); i++) {
      const Write& w = *writes[i];
      const bool equal_before = Same(state, recovered, w.key);
      Apply(w, &state);
      const bool equal_after = Same(state, recovered, w.key);
      if (equal_before && !equal_after) differing++;
      if (!equal_before && equal_after) differing--;
      if (differing == 0 && i + 1 >= durable_count_ && w.sequence <= last_sequence) match = i + 1;
    }
    return match;
  }

  // The state after the first `count` acknowledged writes. REQUIRES: count <= size().
  Model StateAt(size_t count) const {
    Check(count <= writes_.size(), "StateAt past the acknowledged writes");
    Model state;
    for (size_t i = 0; i < count; i++) Apply(writes_[i], &state);
    return state;
  }

  // Why `recovered` matches no allowed prefix: how it differs from the durable prefix.
  std::string Explain(const Model& recovered) const {
    std::ostringstream out;
    out << writes_.size() << " writes, " << durable_count_ << " must survive (last synced seq "
        << (durable_count_ == 0 ? 0 : writes_[durable_count_ - 1].sequence) << "); recovered "
        << recovered.size() << " keys. Differences from the durable prefix:";
    const Model want = StateAt(durable_count_);
    int lines = 0;
    auto line = [&](const std::string& key, const std::string& expected, const std::string& got) {
      if (lines++ < kDiffLinesMax) out << "\n  " << key << ": want " << expected << ", got " << got;
    };
    for (const auto& [key, value] : want) {
      auto it = recovered.find(key);
      if (it == recovered.end()) {
        line(key, value, "missing");
      } else if (it->second != value) {
        line(key, value, it->second);
      }
    }
    for (const auto& [key, value] : recovered) {
      if (want.count(key) == 0) line(key, "missing", value);
    }
    return out.str();
  }

 private:
  // Explain lists at most this many differing keys.
  static constexpr int kDiffLinesMax = 8;

  // A misused history is a bug in the test, not a finding about the engine: crash loudly.
  static void Check(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "WriteHistory: %s\n", what);
    std::abort();
  }

  static void Apply(const Write& w, Model* state) {
    if (w.value) {
      (*state)[w.key] = *w.value;
    } else {
      state->erase(w.key);
    }
  }

  // Whether `state` and `recovered` agree on `key` (both lack it, or both hold the same value).
  static bool Same(const Model& state, const Model& recovered, const std::string& key) {
    auto s = state.find(key);
    auto r = recovered.find(key);
    if ((s == state.end()) != (r == recovered.end())) return false;
    return s == state.end() || s->second == r->second;
  }

  std::vector<Write> writes_;
  size_t durable_count_ = 0;
  std::optional<Write> in_flight_;
};

class RandomWriter {
 public:
  static constexpr int kKeySpace = 300;
  static constexpr size_t kValuePaddingBytes = 48;
  static constexpr int kDeletePercent = 10;

  RandomWriter(uint64_t seed, int sync_percent) : rng_(seed), sync_percent_(sync_percent) {}

  // Draws one write and applies it to `db`, returning the engine's result; `write` gets its key,
  // value (nullopt: a delete) and whether it was synced, but not its sequence.
  engine::Result<engine::SequenceNumber> Next(engine::DB* db, WriteHistory::Write* write) {
    write->key = Key(static_cast<int>(rng_() % kKeySpace));
    write->synced = static_cast<int>(rng_() % 100) < sync_percent_;
    engine::WriteOptions wo;
    wo.sync = write->synced ? engine::WriteOptions::Sync::kYes : engine::WriteOptions::Sync::kNo;
    if (static_cast<int>(rng_() % 100) < kDeletePercent) {
      write->value.reset();
      return db->Delete(wo, write->key);
    }
    write->value = "v" + std::to_string(next_value_++) + std::string(kValuePaddingBytes, '.');
    return db->Put(wo, write->key, *write->value);
  }

  // The stream the writes are drawn from, for a test's other random choices.
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  const int sync_percent_;
  uint64_t next_value_ = 0;  // makes every put's value unique
};

}  // namespace vstress_test
