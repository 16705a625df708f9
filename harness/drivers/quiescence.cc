#include "harness/drivers/quiescence.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>

#include "harness/drivers/crash_recovery.h"
#include "harness/process/leak_on_purpose.h"

namespace harness::drivers {
namespace {

// A full scan tells the run's watchdog it is moving every this many keys.
constexpr uint64_t kBeatEveryKeys = 4096;

// After a reopen of a store whose failed writes a reopen may recover (LevelDB's "the log record we
// just added may or may not show up when the DB is re-opened", db_impl.cc): each write that failed
// since the last reopen either shows whole — every put's value, every delete's absence, and at
// least one of them a change — or not at all, and only where no later write to its keys was
// acknowledged. One that shows becomes its keys' state at `seq`, and its values may show from now
// on; one that does not stays failed (CheckWholeDb then reports any part of it that shows). The
// sequences a recovered write took in the engine count as recorded.
void AdoptRecoveredFailures(stores::Store* db, const model::Checker& checker, model::Oracle* oracle,
                            engine::SequenceNumber seq) {
  const std::vector<model::Oracle::FailedWrite> failed = oracle->TakeFailedWrites();
  std::vector<std::optional<model::ValueId>> state;
  if (failed.empty() || !ReadWholeDb(db, checker, &state)) return;
  for (const model::Oracle::FailedWrite& w : failed) {
    bool whole = true;
    bool changes = false;
    for (size_t i = 0; i < w.entries.size(); i++) {
      const model::WriteEntry& e = w.entries[i];
      // A key the batch writes again later shows that later entry.
      if (std::any_of(w.entries.begin() + i + 1, w.entries.end(),
                      [&](const model::WriteEntry& later) { return later.key == e.key; })) {
        continue;
      }
      const bool applied = e.key < state.size() && state[e.key] == e.value &&
                           oracle->NewestWriteTo(e.key) <= w.after;
      whole = whole && applied;
      changes = changes || (applied && oracle->ValueAt(e.key, seq) != e.value);
    }
    if (!whole || !changes) continue;
    for (const model::WriteEntry& e : w.entries) oracle->Adopt(e.key, e.value, seq);  // in order
    oracle->ForgetFailedWrite(w.entries);
  }
  if (db->LastSequence() > seq) oracle->TruncateTo(seq, db->LastSequence());
}

}  // namespace

reports::Violation InvariantViolation(std::string message) {
  reports::Violation v;
  v.kind = "invariant";
  v.message = std::move(message);
  return v;
}

void CheckQuiescence(stores::Store* db, std::string_view when, model::RunState* run,
                     RunOutcome* out) {
  engine::Status bg = db->BackgroundError();
  if (bg.ok()) bg = db->WaitForBackgroundIdle();
  stores::Invariants* invariants = db->invariants();
  if (invariants == nullptr) return;
  // The underflow check always; the other three only without a background error (deletions are
  // suspended after one).
  out->checks["invariant_checks"] += bg.ok() ? 4 : 1;
  for (std::string& breach : invariants->AtRest(when)) {
    run->Report(InvariantViolation(std::move(breach)), nullptr);
  }
}

void CheckWholeDb(stores::Store* db, const model::Checker& checker, engine::SequenceNumber seq,
                  std::string_view kind, model::RunState* run, RunOutcome* out) {
  auto it = db->NewIterator(stores::ReadOptions());
  std::optional<uint64_t> previous;
  std::optional<reports::Violation> v;
  for (it->SeekToFirst(); it->Valid() && !v; it->Next()) {
    uint64_t key;
    if (!checker.codec().parse_key(it->key(), &key)) {
      v = InvariantViolation("a key no writer wrote: " + std::string(it->key()));
      break;
    }
    v = checker.CheckScanStep(seq, false, previous, key, it->value());
    previous = key;
    if (++out->checks["scan_keys_checked"] % kBeatEveryKeys == 0) run->Beat();
  }
  if (!v && !it->status().ok()) {
    v = InvariantViolation("full scan failed: " + it->status().ToString());
  }
  if (!v) v = checker.CheckScanStep(seq, false, previous, std::nullopt, "");
  out->checks["scans_checked"]++;
  if (!v) return;
  v->kind = std::string(kind);
  v->op = fmt::format("full scan // seq={}", seq);
  run->Report(std::move(*v), nullptr);
}

bool CloseChecked(std::unique_ptr<stores::Store>* db, std::string_view when, model::RunState* run) {
  stores::Invariants* invariants = (*db)->invariants();
  const std::vector<std::string> left =
      invariants == nullptr ? std::vector<std::string>() : invariants->LeftAtClose();
  if (left.empty()) {
    db->reset();
    return true;
  }
  run->Report(InvariantViolation(fmt::format(
                  "{}: closing the DB would leave {} Version{} linked ({}): a reference was never "
                  "released; the DB is left open, since closing it would abort",
                  when, left.size(), left.size() == 1 ? "" : "s", fmt::join(left, "; "))),
              nullptr);
  process::LeakOnPurpose(db->release());  // its destructor would abort the process
  run->Stop();
  return false;
}

void CheckRecovery(const DbAtRest& target, const model::Checker& checker,
                   engine::SequenceNumber seq, std::string_view when, model::RunState* run,
                   RunOutcome* out) {
  if (target.before_close) target.before_close(target.db->get());
  if (!CloseChecked(target.db, fmt::format("{}, closing for the reopen", when), run)) return;
  auto reopened = stores::Open(*target.kind, *target.config, target.path);
  out->checks["recovery_checks"]++;
  if (!reopened.ok()) {
    reports::Violation v = InvariantViolation(
        fmt::format("{}: reopening the DB failed: {}", when, reopened.status().ToString()));
    v.kind = "recovery";
    run->Report(std::move(v), nullptr);
    return;
  }
  *target.db = std::move(reopened).value();
  if (target.oracle != nullptr) {
    if (target.kind->failed_writes_indeterminate) {
      AdoptRecoveredFailures(target.db->get(), checker, target.oracle, seq);
    } else {
      (void)target.oracle->TakeFailedWrites();
    }
  }
  CheckWholeDb(target.db->get(), checker, seq, "recovery", run, out);
  CheckQuiescence(target.db->get(), fmt::format("{}, after reopen", when), run, out);
}

reports::QuiescencePoint CheckAtRest(const DbAtRest& target, const model::Checker& checker,
                                     model::ReaderSlot* slot, std::string_view when, bool reopen,
                                     model::RunState* run, RunOutcome* out) {
  reports::QuiescencePoint point;
  point.seconds = run->Seconds();
  point.when = std::string(when);
  const uint64_t violations_before = run->violation_count();
  // Every client is released, so every acknowledged write is recorded.
  const engine::SequenceNumber seq = checker.oracle()->recorded_through();
  slot->Pin(seq);
  stores::Store* db = target.db->get();
  CheckWholeDb(db, checker, seq, "scan", run, out);
  CheckQuiescence(db, when, run, out);
  point.background_error = !db->BackgroundError().ok();
  if (reopen) CheckRecovery(target, checker, seq, when, run, out);
  point.reopened = reopen;
  if (reopen && *target.db) point.wal_batches_replayed = (*target.db)->Stats().wal_batches_replayed;
  slot->Unpin();
  point.sequence = seq;
  point.violations = run->violation_count() - violations_before;
  point.duration_seconds = run->Seconds() - point.seconds;
  return point;
}

}  // namespace harness::drivers
