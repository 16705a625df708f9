// The checks after a crash (the crash model is in doc/design.md): the DB reopened on what a power
// loss or a process kill left must open with no error; its whole state must equal the oracle's at
// one sequence S — a prefix, with no hole — with S at or above the floor (the last write that was
// acknowledged as durable: synced for a power loss, any for a kill); no failed write may be
// visible; the next file number must exceed every number a file in the directory carried after
// the crash (file numbers only grow); and, at rest, the quiescence invariants hold (no table the
// MANIFEST lists is missing, no stray table once the GC has run). The oracle then continues from
// S: the writes above it are gone, and their values may never show up again.
//
// Thread contract: thread-compatible (run while no client steps).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/clients/ack_log.h"
#include "harness/drivers/quiescence.h"
#include "harness/model/checker.h"
#include "harness/model/oracle.h"
#include "harness/model/run_state.h"

namespace harness::drivers {

// The whole DB as the oracle's key space sees it: state[key] is the value found (kUnrecognized for
// bytes no write produced), nullopt for absent. False when the scan fails or meets a key outside
// the key space (CheckWholeDb reports those in full).
bool ReadWholeDb(stores::Store* db, const model::Checker& checker,
                 std::vector<std::optional<model::ValueId>>* state);

// The engine files a crash left in a directory, by name, and the highest number they carry (0:
// none): what recovery must not give out again.
struct FilesOnDisk {
  std::set<std::string> names;
  uint64_t max_number = 0;
};
FilesOnDisk EngineFilesIn(engine::FileSystem* fs, const std::string& dir);

// Reopens the DB `target` names (the crashed instance already gone) and checks it; fills the
// cycle's recovered sequence, dropped writes, recovery time and result. A failed open is a
// `recovery` violation naming `cycle->cycle`; *target.db stays null then. `in_flight`: the entries
// of writes the crash caught between their start and their acknowledgement (a kill): a key may
// show such a write or not, and the oracle goes on with what it shows.
void RecoverAfterCrash(const DbAtRest& target, model::Oracle* oracle, const model::Checker& checker,
                       model::ReaderSlot* slot, const FilesOnDisk& after_crash,
                       const engine::Clock* clock, model::RunState* run, reports::RunOutcome* out,
                       reports::CrashCycle* cycle,
                       const std::vector<clients::AckEntry>& in_flight = {});

}  // namespace harness::drivers
