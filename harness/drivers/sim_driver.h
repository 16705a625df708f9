// The deterministic simulator: every client and the background work of a run, stepped from one
// thread in the order a seeded scheduler picks (scheduler.h), on a simulated clock, against a DB on
// the in-memory file system under FaultFS with background work in manual mode. One seed and one
// config fix the whole run: the same ops, the same interleaving, the same fault fires, the same
// results. Every step goes into the run's trace hash and (the last history_ops of them) into
// history.log (sim_history.h).
//
// The same executor replays a recorded history exactly (Replay): steps, interleavings and fault
// fires come from the history instead of the scheduler and the fault rules, so a history that
// `vstress shrink` reduced still runs. A step the reduction left without its context — a scan step
// whose open was removed — is skipped by its client.
//
// What a simulated run may read to decide anything: the seed, the config, the simulated clock. No
// wall clock, address, unordered-container order or uninitialised memory reaches a decision, and
// `vstress sim --check-determinism` (two runs, every step's text compared) proves it per run.
//
// Thread contract: thread-compatible (a run uses its own DB, oracle and clients; libfiu's points
// are process-wide, so one simulated run at a time per process).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/drivers/sim_history.h"
#include "harness/drivers/threaded_driver.h"

namespace harness::drivers {

struct SimOptions {
  uint64_t history_ops = 100000;  // lines kept for history.log (0: every step)
  uint64_t max_steps = 0;         // stop after this many steps (0: by duration or ops only)
  bool capture = false;           // keep every step in SimRun::captured (for shrink)
  bool step_hashes = false;       // keep every step's running trace hash (--check-determinism)
  // Compare every step's running trace hash with these (a first run's step_hashes); the run stops
  // at the first step that differs (SimRun::mismatch_step).
  const std::vector<uint64_t>* expected_hashes = nullptr;
};

struct SimRun {
  // The kind of the run's first violation, "" when it had none.
  std::string FirstViolationKind() const {
    return outcome.violations.empty() ? "" : outcome.violations.front().kind;
  }
  RunOutcome outcome;
  uint64_t steps = 0;
  uint64_t trace_hash = 0;  // over every step's line, in order
  uint64_t first_violation_step = 0;
  std::vector<std::string> client_names;
  std::vector<model::ClientRole> client_roles;
  HistoryHeader header;
  std::vector<std::string> history;  // the last history_ops step lines
  std::vector<SimStep> captured;     // with capture: every step, as replayable values
  // With step_hashes: the trace hash after each step, in the order steps complete.
  std::vector<uint64_t> step_hashes;
  uint64_t mismatch_step = 0;  // with expected_hashes: the first step that differed
  // The store runs its background work on its own threads and the run ended at its wall-clock
  // budget (kWallSecondsPerWorkSecond x duration) before its simulated clock reached the duration.
  bool ended_on_wall_clock = false;
};

// A seeded simulated run. `config.file_system` must be the run's FaultFS over an in-memory file
// system, `config.clock` a ManualClock, and `config.faults` (if any) a controller made with that
// clock and step tracking on.
SimRun RunSimulated(const RunConfig& config, const SimOptions& options);

// Replays `steps` (a complete history) exactly. `config.faults` must be a scripted controller.
SimRun Replay(const RunConfig& config, const std::vector<SimStep>& steps,
              const SimOptions& options);

// The names and roles of the clients `spec` makes, in MakeClients order ("writer-0", ...).
void ClientNames(const workloads::WorkloadSpec& spec, std::vector<std::string>* names,
                 std::vector<model::ClientRole>* roles);

}  // namespace harness::drivers
