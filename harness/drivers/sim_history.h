// A simulated run's history: every step as one line of replayable text, in execution order.
//
//   #884 writer-0 put k00000042 v0.12/40 sync // ok seq=5531 [fault engine/wal/sync error #1]
//   #885 bg step // flush (in #884 get:after-pin)
//   #886 scanner-1 step // k00000017=v1.4/20 seq=5531
//   #887 run quiesce // ok
//
// A step is a client's op (client_op.h), one unit of background work ("bg step"), or the run's own
// "quiesce" (a quiescence point: clients release, at-rest checks, reopen), "crash" (a power loss,
// unless a fault's crash fire just made one, then recovery, its checks, and the run goes on) or
// "end" (the end-of-run checks). After "//" comes what it observed, the faults that fired during it
// (each the n-th hit of its point within the step), and, for a step the simulator ran inside
// another at an engine yield point, "(in #OUTER SITE)". history.log starts with '#'-comment header
// lines; a complete history (every step from the first) is replayed exactly by `vstress repro` and
// reduced by `vstress shrink`.
//
// Thread contract: immutable (values and pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "faults/fault_controller.h"
#include "harness/model/client_op.h"
#include "stores/store.h"

namespace harness::drivers {

struct SimStep {
  enum class Actor : uint8_t { kClient, kBackground, kRun };
  enum class RunOp : uint8_t { kQuiesce, kEnd, kCrash };
  Actor actor = Actor::kClient;
  uint32_t client = 0;  // kClient: the client's index (MakeClients order)
  model::ClientOp op;   // kClient
  RunOp run_op = RunOp::kQuiesce;
  // The faults that fired during the step; a replay makes exactly these fire.
  std::vector<faults::ScriptedFire> fires;
  // A step run inside another at a yield point: the outer step's index and the site (0: none).
  uint64_t inside = 0;
  stores::YieldSite site = stores::YieldSite::kGetAfterPin;

  bool operator==(const SimStep&) const = default;
};

// A step as it ran: its index (#N, from 1), what it was, and what it observed.
struct StepRecord {
  uint64_t index = 0;
  SimStep step;
  std::string observed;  // the text after "//", without the fault and nesting annotations
};

// One line (no newline). `client_names[i]` names client i.
std::string FormatStep(const StepRecord& record, const std::vector<std::string>& client_names);
// The inverse of FormatStep; InvalidArgument names the line and what is wrong with it.
engine::Result<StepRecord> ParseStep(std::string_view line,
                                     const std::vector<std::string>& client_names,
                                     const std::vector<model::ClientRole>& client_roles);

// history.log's header: what the run was and which steps follow.
struct HistoryHeader {
  uint64_t seed = 0;
  std::string preset;
  std::string schedule;
  uint64_t first_step = 1;   // the first step written
  uint64_t steps_total = 0;  // every step the run took
  bool complete() const { return first_step == 1; }
};

std::string FormatHistory(const HistoryHeader& header, const std::vector<std::string>& lines);
// Parses a history file: the header and the step lines. A file that is not a history, or whose
// steps do not parse, is InvalidArgument naming the line.
struct ParsedHistory {
  HistoryHeader header;
  std::vector<StepRecord> steps;
};
engine::Result<ParsedHistory> ParseHistory(std::string_view text,
                                           const std::vector<std::string>& client_names,
                                           const std::vector<model::ClientRole>& client_roles);

}  // namespace harness::drivers
