// The kill driver (`vstress crash --mode kill`): the workload runs in a child vstress on a real
// directory while this process waits; at a seeded random moment it SIGKILLs the child, reads the
// writers' acknowledgement logs (ack_log.h), reopens the DB, verifies the recovery against them
// (crash_recovery.h: every acknowledged write survives a kill, since the kernel keeps what the
// process wrote; a write caught in flight may or may not), closes the DB and starts the next child
// on it. Each child starts its own oracle from the DB this process verified, writes values with
// writer ids no earlier child used, and checks every read it makes as any run does; a violation a
// child finds ends the run with that violation.
//
// Thread contract: thread-compatible.
#pragma once

#include <string>

#include "harness/drivers/threaded_driver.h"

namespace harness::drivers {

struct KillPlan {
  std::string vstress;      // the executable children run
  std::string config_path;  // the run's config.toml (faults and mutants included)
  std::string run_dir;      // children's directories go under RUN_DIR/kill/
  uint64_t cycles = 0;      // stop after this many kills (0: at the duration)
};

// `config` is the run's, with no clients of its own and no faults (those are the children's).
RunOutcome RunKillCycles(const RunConfig& config, const KillPlan& plan);

}  // namespace harness::drivers
