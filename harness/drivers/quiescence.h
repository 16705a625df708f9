// Quiescence points: the checks a DB at rest must pass, run periodically during a run
// (quiesce_every_seconds) and once at its end. With every client released and background work
// drained: the whole DB read by one iterator equals the Oracle; exactly one Version lives, nothing
// is deferred, the directory holds exactly the files the DB needs, and no Version was released more
// often than referenced; then the DB is closed and reopened and must hold the same state and be
// quiescent again. A bug that shows only at rest (a deferred deletion that never happens, a stray
// file, a table the MANIFEST names but GC deleted) is found at the next point, not only when a
// long run ends.
//
// The caller keeps faults off for the duration (FaultController::Suspend, or Uninstall at the end).
//
// Thread contract: thread-compatible (run while no client is stepping).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "harness/model/checker.h"
#include "harness/model/run_state.h"
#include "reports/run_record.h"
#include "stores/registry.h"

namespace harness::drivers {

using reports::RunOutcome;

reports::Violation InvariantViolation(std::string message);

// The DB a quiescence point checks, and what reopening it takes.
struct DbAtRest {
  std::unique_ptr<stores::Store>* db = nullptr;  // replaced by the reopened store
  const stores::StoreKind* kind = nullptr;
  const stores::StoreConfig* config = nullptr;
  std::string path;
  // Called with the DB about to be closed for the reopen (its counters end with it).
  std::function<void(stores::Store*)> before_close;
  // The run's oracle, which a reopen may change (failed writes it recovered; null: none to adopt).
  model::Oracle* oracle = nullptr;
};

// Closes `*db` once the close-time invariant holds (stores::Invariants::LeftAtClose: every
// Version but the current one released, and that one held only by the DB). Otherwise reports an
// invariant violation naming the Versions left and lets go of the DB without closing it — closing
// would abort inside the engine, and the run must still end with its outputs — and stops the run
// (the DB's lock stays held, so it cannot be reopened). Returns whether it closed the DB.
bool CloseChecked(std::unique_ptr<stores::Store>* db, std::string_view when, model::RunState* run);

// Runs every check of a quiescence point (`when` names it in violations: "at 12.0s", "end of
// run"); with `reopen`, the close-reopen-compare check too. `slot` is pinned at the checked
// sequence for the duration. Returns the point's record.
reports::QuiescencePoint CheckAtRest(const DbAtRest& target, const model::Checker& checker,
                                     model::ReaderSlot* slot, std::string_view when, bool reopen,
                                     model::RunState* run, RunOutcome* out);

// With readers released and background idle: one Version, nothing deferred, exactly the files the
// DB needs, no refcount underflow. After a background error deletions are suspended, so only the
// underflow check applies.
void CheckQuiescence(stores::Store* db, std::string_view when, model::RunState* run,
                     RunOutcome* out);

// The whole DB, read by one iterator, must equal the oracle at `seq`.
void CheckWholeDb(stores::Store* db, const model::Checker& checker, engine::SequenceNumber seq,
                  std::string_view kind, model::RunState* run, RunOutcome* out);

// Closes the DB, reopens it, and checks it holds exactly the oracle's state at `seq` and is
// quiescent.
void CheckRecovery(const DbAtRest& target, const model::Checker& checker,
                   engine::SequenceNumber seq, std::string_view when, model::RunState* run,
                   RunOutcome* out);

}  // namespace harness::drivers
