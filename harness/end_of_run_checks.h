// The checks a threaded run ends with: quiescence invariants, a whole-DB comparison with the
// oracle, and recovery (close with faults off, reopen, compare again).
//
// Thread contract: thread-compatible (run after every worker has stopped).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/db.h"
#include "harness/checker.h"
#include "harness/run_state.h"
#include "harness/runner.h"

namespace harness {

Violation InvariantViolation(std::string message);

// With readers released and background idle: one Version, nothing deferred, exactly the files the
// DB needs, no refcount underflow. After a background error deletions are suspended, so only the
// underflow check applies.
void CheckQuiescence(engine::DB* db, engine::FileSystem* fs, const std::string& path,
                     std::string_view when, RunState* run, RunOutcome* out);

// The whole DB, read by one iterator, must equal the oracle at `seq`.
void CheckWholeDb(engine::DB* db, const Checker& checker, SequenceNumber seq, std::string_view kind,
                  RunState* run, RunOutcome* out);

// Closes `db` (faults off), reopens it with `options`, and checks it holds exactly the oracle's
// state at `seq` and is quiescent.
void CheckRecovery(std::unique_ptr<engine::DB>* db, const engine::Options& options,
                   const RunConfig& config, const Checker& checker, SequenceNumber seq,
                   RunState* run, RunOutcome* out);

}  // namespace harness
