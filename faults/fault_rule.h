// Fault rules: declarative descriptions of which fault point fails, how, and when.
//
// The fault model (what can fail, how, and what must still hold):
//   - Engine points (engine::FaultPointCatalogue, libfiu names "engine/...") interrupt one step of
//     background or per-write work. File-system points ("fs/<kind>/<op>", kind in wal, table,
//     manifest, current, other; op in append, sync, rename, delete) interrupt one FaultFS call.
//   - Actions: `error` fails with EIO, `nospace` with ENOSPC, `delay` sleeps (widening a race
//     window) and lets the step go on, `torn` makes the next append of that step write only part
//     of its data and fail, `crash` simulates power loss (the file system freezes; unsynced data
//     and unsynced directory changes are dropped when the DB is reopened). For testing vstress
//     itself: `hang` blocks the calling thread for ever (a deadlock the watchdogs must end),
//     `abort` aborts the process (an assertion failure the crash report must catch).
//   - Triggers: `p=0.05` (probability per hit, decided from the run's seed and the hit number, so a
//     run replays exactly), `nth=3` (the third hit only), `every=10` (every tenth hit), `from=3`
//     (the third hit and every later one: a persistent failure), `once` (the
//     first hit inside the window).
//   - Windows restrict a rule to hits at or after `after_ops=N` / before `before_ops=N` ops, or
//     between `after=2s` / `before=10s` of run time. For fs/ points, `path=GLOB` restricts it to
//     files whose path or base name matches (e.g. `path=*.sst`, `path=MANIFEST-*`); hits are still
//     counted per point.
//   - What must still hold under every fault: no acknowledged write is lost (after power loss: no
//     synced acknowledged write), no failed write becomes visible, no table a live Version lists is
//     deleted, reads keep working after a background error, and reopening recovers.
//
// Text form (command line, one rule): POINT:ACTION[:TRIGGER][@WINDOW[,WINDOW]]
//   engine/manifest/sync:error:p=0.2
//   engine/compaction/*:delay=5ms:every=3
//   fs/wal/append:torn:nth=100@after_ops=1000
//   fs/table/sync:error:every=5@path=*000012.sst
// POINT is an exact name or a prefix ending in '*'. The trigger defaults to `once`.
//
// Thread contract: immutable (values and pure functions).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace faults {

// kHang and kAbort are for testing vstress itself (its watchdogs and its crash reports), never
// part of a real workload: the calling thread blocks for ever, or the process aborts.
enum class Action : uint8_t { kError, kNoSpace, kDelay, kTorn, kCrash, kHang, kAbort };
// How many Actions there are (for arrays indexed by Action).
inline constexpr size_t kActionCount = static_cast<size_t>(Action::kAbort) + 1;

struct Trigger {
  enum class Kind : uint8_t { kProbability, kNth, kEvery, kOnce, kFrom };
  Kind kind = Kind::kOnce;
  double probability = 0;  // kProbability, in [0, 1]
  uint64_t n = 0;          // kNth and kFrom (1-based hit number), kEvery (period >= 1)
};

struct Window {
  std::optional<uint64_t> after_ops;
  std::optional<uint64_t> before_ops;
  std::optional<double> after_seconds;
  std::optional<double> before_seconds;
};

struct Rule {
  std::string pattern;  // exact point name, or a prefix followed by '*'
  Action action = Action::kError;
  std::chrono::microseconds delay{0};  // Action::kDelay
  Trigger trigger;
  Window window;
  // fs/ points only: the rule applies just to files whose path (or base name) matches this glob.
  std::string path_glob;

  bool Matches(std::string_view point) const;
  // True if the rule applies to `path` (always, without a path glob).
  bool MatchesPath(std::string_view path) const;
  // The rule's canonical text form; ParseRule(ToString()) gives the rule back.
  std::string ToString() const;
};

// Longest a `delay` action may sleep (bounded, so a rule cannot stall a run).
inline constexpr std::chrono::microseconds kDelayMax = std::chrono::seconds(10);

const char* ActionName(Action action);
// The action named `name` ("error", "nospace", "delay", "torn", "crash"); false for any other.
bool ParseActionName(std::string_view name, Action* out);
// Whether `point` is one AllFaultPoints() lists.
bool IsFaultPoint(std::string_view point);
// Every point a rule may name: the engine's points and the FaultFS points, in a stable order.
const std::vector<std::string>& AllFaultPoints();
// One line on what `point` interrupts.
std::string DescribePoint(std::string_view point);
// One line on what `action` does.
const char* DescribeAction(Action action);

// Parses a duration: a non-negative number with a unit, us, ms, s, m or h ("5ms", "1.5s", "2m"),
// at most a century (so it always fits in microseconds).
// Used for fault delays and windows and for the command line's --duration.
bool ParseDuration(std::string_view text, std::chrono::microseconds* out);

// Parses one rule's text form. InvalidArgument names the rule and what is wrong with it.
engine::Result<Rule> ParseRule(std::string_view text);
// Checks a parsed rule: known action for its point (torn only where something is appended), a
// pattern that matches at least one point, a sane window.
engine::Status ValidateRule(const Rule& rule);

}  // namespace faults
