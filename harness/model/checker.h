// Checker: compares what a read returned with what the Oracle says it must return.
//
// Point reads (Get, snapshot Get) are checked against the version visible at the sequence the read
// reports, and that sequence against its real-time bounds: at least the highest sequence
// acknowledged before the read began, at most the highest assigned when it ended. Scans are checked
// step by step: every key the iterator skipped over must be absent at its sequence, and every key
// it returned must hold exactly the visible value — so a scan is verified over everything it
// covered, in order, for its whole life. A value is verified byte for byte (torn values are
// caught), and a value whose write failed is its own violation kind.
//
// Thread contract: thread-safe (the Oracle is; the checker holds no state of its own).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "harness/model/cut_set.h"
#include "harness/model/oracle.h"
#include "reports/run_record.h"

namespace harness::model {

using reports::Violation;

// How keys and values are spelled (the workload's encoding).
struct KeyValueCodec {
  std::string (*key_name)(uint64_t index);
  bool (*parse_key)(std::string_view name, uint64_t* index);
  // True only if `value` is byte for byte the value that write produced at this length.
  bool (*parse_value)(std::string_view value, uint32_t* writer, uint64_t* index);
};

// Violation kinds the checker reports besides the caller's read kind.
inline constexpr const char* kFailedWriteVisible = "failed_write_visible";
inline constexpr const char* kUnexpectedError = "unexpected_error";

class Checker {
 public:
  Checker(const Oracle* oracle, KeyValueCodec codec) : oracle_(oracle), codec_(codec) {}

  // A Get of `key` that returned `status` (ok with `value`, or NotFound) at `seq`, whose sequence
  // had to lie in [lower, upper]. REQUIRES: seq <= oracle->recorded_through().
  std::optional<Violation> CheckGet(std::string_view kind, uint64_t key, SequenceNumber seq,
                                    const engine::Status& status, std::string_view value,
                                    SequenceNumber lower, SequenceNumber upper) const;

  // One scan step at `seq`: the iterator moved from `previous` (exclusive; nullopt = the start of
  // its range) to `key` holding `value` (key nullopt = it ran off the end). Keys strictly between
  // must be absent. REQUIRES: seq <= oracle->recorded_through().
  std::optional<Violation> CheckScanStep(SequenceNumber seq, bool reverse,
                                         std::optional<uint64_t> previous,
                                         std::optional<uint64_t> key, std::string_view value) const;

  // The same for a read whose sequence a store could only bracket: `cuts` holds the sequences it
  // can have observed (its position within its real-time bounds; for a read through a snapshot,
  // what the snapshot's earlier reads left) and is narrowed to those that explain what it
  // returned. A violation when none does. REQUIRES: cuts->highest() <= recorded_through(), and a
  // slot pinned at or below cuts->lowest().
  std::optional<Violation> CheckGetIn(std::string_view kind, uint64_t key, CutSet* cuts,
                                      const engine::Status& status, std::string_view value) const;

  // One scan step of an iterator whose cut lies in `cuts`, narrowed as above by every key it
  // skipped (each must be absent at the cut) and the key it returned. An exact cut is checked by
  // CheckScanStep.
  std::optional<Violation> CheckScanStepIn(CutSet* cuts, bool reverse,
                                           std::optional<uint64_t> previous,
                                           std::optional<uint64_t> key,
                                           std::string_view value) const;

  // What the oracle says `key` holds at `seq`, spelled as a read would show it.
  std::string Expected(uint64_t key, SequenceNumber seq) const;

  const KeyValueCodec& codec() const { return codec_; }
  const Oracle* oracle() const { return oracle_; }

 private:
  // Why `value` is not exactly the expected one (message empty: it is).
  struct ValueProblem {
    std::string message;
    bool failed_write = false;  // it is the value of a write that failed
  };
  ValueProblem CompareValue(std::optional<ValueId> expected, std::string_view value) const;
  // What a bracketed read returned, as the oracle names values (nullopt: not-found). A problem
  // when the bytes are no write's or a failed write's.
  ValueProblem Observed(const engine::Status& status, std::string_view value,
                        std::optional<ValueId>* observed) const;
  // Narrows `cuts` to where `key` shows `observed`; a violation naming the cuts it had before.
  std::optional<Violation> Narrow(std::string_view kind, uint64_t key, CutSet* cuts,
                                  const std::optional<ValueId>& observed, std::string observed_text,
                                  std::string_view what) const;
  // A value read, as a violation shows it ("v7.3 (12 bytes)").
  std::string SpellObserved(std::string_view value) const;
  Violation MakeViolation(std::string_view kind, uint64_t key, SequenceNumber seq,
                          std::string expected, std::string observed, std::string message) const;

  const Oracle* oracle_;
  const KeyValueCodec codec_;
};

}  // namespace harness::model
