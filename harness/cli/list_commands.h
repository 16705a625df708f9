// The listing subcommands: `vstress faults` (every fault point, action and trigger), `vstress
// presets` and `vstress mutants` (each planted bug, the reported bug it imitates, its preset). Each
// prints one item per
// line with a description, in a stable order a script can parse (name, two spaces, description).
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>

namespace harness::cli {

int RunListFaults(std::ostream& out);
int RunListPresets(std::ostream& out);
int RunListMutants(std::ostream& out);

}  // namespace harness::cli
