// `vstress run`, `vstress sim` and `vstress crash`: resolves a workload from a preset or config
// file plus command-line overrides (drivers/run_options.h), runs it with its fault rules and an
// optional mutant — on threads, in the deterministic simulator, or crashing it again and again —
// and writes the run directory. A simulated run adds history.log and a `sim` section to
// summary.json, writes its in-memory DB out to db/, and with --check-determinism runs again and
// exits 4 naming the first step where the two runs differ.
//
// Bad input (unknown preset, flag value, config key or fault rule) exits 2 with a message naming
// it, before anything is created. The run directory holds db/, config.toml (the effective config),
// summary.json, violations.json, faults.log and repro.sh.
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>

#include "harness/drivers/run_options.h"

namespace harness::cli {

int RunRunCommand(const drivers::RunCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace harness::cli
