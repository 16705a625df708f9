// The fault matrix of `vstress enumerate`: for every fault point it covered, every hit index n and
// every fault mode (once, persistent, crash; with --during-recovery also a fault at every file
// call of the recovery after each crash), what one short deterministic run made of it — the
// engine went on as if nothing happened (ok), it reported the fault (error surfaced: a write
// failed, a background error, a reopen that failed and was retried), the checker found a
// violation, or the run never reached that hit. Written as summary.json, junit.xml (one testcase
// per cell that is not ok) and report.html (a grid per mode).
//
// Thread contract: immutable (plain values; the functions keep no state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace reports {

enum class CellOutcome { kOk, kErrorSurfaced, kViolation, kNotReached };
// "ok", "error", "violation", "not-reached".
const char* CellOutcomeName(CellOutcome outcome);

struct MatrixCell {
  std::string point;
  uint64_t hit = 0;  // the point's hit that failed (persistent: the first that failed)
  std::string mode;  // once | persistent | crash
  // --during-recovery: the file call of the recovery after the crash that failed too (0: none)
  // and how ("error" or "crash").
  uint64_t recovery_hit = 0;
  std::string recovery_action;
  std::string rule;             // the fault rule the run had
  uint64_t recovery_calls = 0;  // crash: the file calls the recovery after the crash made
  CellOutcome outcome = CellOutcome::kOk;
  std::string detail;   // what surfaced, or the first violation
  std::string run_dir;  // kept for cells that are not ok
  std::string repro;    // the command that reruns the cell

  // "engine/manifest/sync hit 2 crash" (+ " + recovery call 3 crash").
  std::string Name() const;
};

struct FaultMatrix {
  uint64_t seed = 0;
  std::string preset;
  std::string mutant;     // empty: the correct engine
  uint64_t max_hits = 0;  // 0: every hit the workload reaches
  bool during_recovery = false;
  std::vector<std::string> modes;
  // Every point the patterns named, with the hits the fault-free run made of it (0: the workload
  // never reaches it).
  std::map<std::string, uint64_t> point_hits;
  std::vector<MatrixCell> cells;
  double seconds = 0;  // wall time of the whole enumeration

  std::map<std::string, uint64_t> Counts() const;  // outcome name -> cells
  bool AnyViolation() const;
};

// A fixed-width grid per mode, one point a line, one character per hit: '.' ok, 'e' error
// surfaced, 'X' violation, '-' not reached; then the cells that are violations, in full.
std::string MatrixText(const FaultMatrix& m);
std::string MatrixJson(const FaultMatrix& m, const std::string& command);
// A JUnit testsuite: one testcase per cell that is not ok (a violation is a <failure>, a hit never
// reached is <skipped/>, an error surfaced passes with what surfaced as its output), and one
// testcase for the whole matrix.
std::string MatrixJunit(const FaultMatrix& m);
// A self-contained page (html_page.h): the counts, a grid per mode (rows points, columns hits,
// each cell coloured by outcome and linked to its run directory when kept), the violations.
std::string MatrixHtml(const FaultMatrix& m, const std::string& command);

}  // namespace reports
