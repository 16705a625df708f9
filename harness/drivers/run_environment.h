// RunEnvironment: what a run needs around its driver, wired the same way for every command — its
// clock, its file system (FaultFS over the real one, or over an in-memory one for a simulated run)
// and its fault controller (seeded by the run's rules, or following a replay's script).
//
//   real       the threaded driver: real clock, FaultFS over the POSIX file system
//   real in memory  the same over an in-memory file system (`vstress crash --fs memory`)
//   simulated  the simulator: a ManualClock, FaultFS over an in-memory file system, hits counted
//              per step
//   replay     the same, with a scripted controller (the fires come from the history)
//
// Thread contract: thread-compatible (one run at a time uses an environment).
#pragma once

#include <memory>
#include <string>

#include "engine/clock.h"
#include "engine/file_system.h"
#include "faults/fault_controller.h"
#include "faults/fault_fs.h"
#include "harness/drivers/threaded_driver.h"
#include "workloads/workload_spec.h"

namespace harness::drivers {

// kSimulatedOnDisk: the simulator's clock and per-step fault counting over the real file system,
// for a store that cannot run on the run's own (it does its background work on its own threads).
enum class EnvironmentKind { kReal, kRealInMemory, kSimulated, kSimulatedOnDisk, kReplay };

struct RunEnvironment {
  EnvironmentKind kind = EnvironmentKind::kReal;
  std::shared_ptr<engine::Clock> clock;
  std::shared_ptr<engine::FileSystem> base;  // what FaultFS wraps
  std::shared_ptr<faults::FaultFS> fs;
  std::unique_ptr<faults::FaultController> faults;
  std::string db_path;

  // The DB lives in memory (written out to db/ at the end).
  bool InMemory() const {
    return kind == EnvironmentKind::kRealInMemory || kind == EnvironmentKind::kSimulated ||
           kind == EnvironmentKind::kReplay;
  }

  // A RunConfig for `spec` on this environment (progress, samples and checks left to the caller).
  RunConfig Config(const workloads::WorkloadSpec& spec) const;
};

// Builds and installs the environment. `db_path` is where the DB lives (a simulated run's lives in
// memory: "/db"); `faults_log_path` receives faults.log (empty: none). IOError if libfiu cannot be
// initialised.
engine::Result<std::unique_ptr<RunEnvironment>> MakeEnvironment(const workloads::WorkloadSpec& spec,
                                                                EnvironmentKind kind,
                                                                const std::string& db_path,
                                                                const std::string& faults_log_path);

// Copies every file of directory `from` on `source` to directory `to` on the real file system (a
// simulated run's DB is written out this way for `vstress inspect`).
engine::Status CopyDirectoryToDisk(engine::FileSystem* source, const std::string& from,
                                   const std::string& to);

}  // namespace harness::drivers
