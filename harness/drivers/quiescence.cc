#include "harness/drivers/quiescence.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>

#include "engine/file_system.h"
#include "engine/testing.h"
#include "harness/process/leak_on_purpose.h"

namespace harness::drivers {
namespace {

// A full scan tells the run's watchdog it is moving every this many keys.
constexpr uint64_t kBeatEveryKeys = 4096;

}  // namespace

reports::Violation InvariantViolation(std::string message) {
  reports::Violation v;
  v.kind = "invariant";
  v.message = std::move(message);
  return v;
}

void CheckQuiescence(engine::DB* db, engine::FileSystem* fs, const std::string& path,
                     std::string_view when, model::RunState* run, RunOutcome* out) {
  engine::Status bg = db->BackgroundErrorStatus();
  if (bg.ok()) bg = db->WaitForBackgroundIdle();
  out->checks["invariant_checks"] += 1;
  if (const uint64_t n = engine::testing::RefcountUnderflows(db); n != 0) {
    run->Report(InvariantViolation(fmt::format("{}: a Version was released {} time(s) more "
                                               "often than it was referenced",
                                               when, n)),
                nullptr);
  }
  if (!bg.ok()) return;
  const engine::StatsSnapshot stats = db->GetStats();
  out->checks["invariant_checks"] += 3;
  if (stats.live_versions != 1) {
    run->Report(InvariantViolation(fmt::format("{}: {} live Versions at quiescence, expected 1",
                                               when, stats.live_versions)),
                nullptr);
  }
  if (stats.deferred_deletions != 0) {
    run->Report(InvariantViolation(fmt::format("{}: {} deferred deletions at quiescence", when,
                                               stats.deferred_deletions)),
                nullptr);
  }
  std::vector<std::string> expected = engine::testing::ExpectedFiles(db);
  std::vector<std::string> present;
  fs->GetChildren(path, &present);
  std::sort(expected.begin(), expected.end());
  std::sort(present.begin(), present.end());
  if (expected != present) {
    std::vector<std::string> differ;
    std::set_symmetric_difference(present.begin(), present.end(), expected.begin(), expected.end(),
                                  std::back_inserter(differ));
    run->Report(
        InvariantViolation(fmt::format("{}: the directory differs from the files the DB needs: {}",
                                       when, fmt::join(differ, ", "))),
        nullptr);
  }
}

void CheckWholeDb(engine::DB* db, const model::Checker& checker, engine::SequenceNumber seq,
                  std::string_view kind, model::RunState* run, RunOutcome* out) {
  auto it = db->NewIterator(engine::ReadOptions());
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

bool CloseChecked(std::unique_ptr<engine::DB>* db, std::string_view when, model::RunState* run) {
  const std::vector<engine::testing::LiveVersion> left =
      engine::testing::VersionsLeftAtClose(db->get());
  if (left.empty()) {
    db->reset();
    return true;
  }
  std::vector<std::string> named;
  for (const auto& v : left) {
    named.push_back(fmt::format("Version {}{} with {} reference{}", v.id,
                                v.is_current ? " (current)" : "", v.refs, v.refs == 1 ? "" : "s"));
  }
  run->Report(InvariantViolation(fmt::format(
                  "{}: closing the DB would leave {} Version{} linked ({}): a reference was never "
                  "released; the DB is left open, since closing it would abort",
                  when, left.size(), left.size() == 1 ? "" : "s", fmt::join(named, "; "))),
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
  auto reopened = engine::DB::Open(*target.options, target.path);
  out->checks["recovery_checks"]++;
  if (!reopened.ok()) {
    reports::Violation v = InvariantViolation(
        fmt::format("{}: reopening the DB failed: {}", when, reopened.status().ToString()));
    v.kind = "recovery";
    run->Report(std::move(v), nullptr);
    return;
  }
  *target.db = std::move(reopened).value();
  CheckWholeDb(target.db->get(), checker, seq, "recovery", run, out);
  CheckQuiescence(target.db->get(), target.options->file_system.get(), target.path,
                  fmt::format("{}, after reopen", when), run, out);
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
  engine::DB* db = target.db->get();
  CheckWholeDb(db, checker, seq, "scan", run, out);
  CheckQuiescence(db, target.options->file_system.get(), target.path, when, run, out);
  point.background_error = !db->BackgroundErrorStatus().ok();
  if (reopen) CheckRecovery(target, checker, seq, when, run, out);
  point.reopened = reopen;
  if (reopen && *target.db)
    point.wal_batches_replayed = (*target.db)->GetStats().wal_batches_replayed;
  slot->Unpin();
  point.sequence = seq;
  point.violations = run->violation_count() - violations_before;
  point.duration_seconds = run->Seconds() - point.seconds;
  return point;
}

}  // namespace harness::drivers
