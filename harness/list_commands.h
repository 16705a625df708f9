// The listing subcommands: `vstress faults` (every fault point and action). Each prints one item per
// line with a description, in a stable order a script can parse (name, two spaces, description).
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>

namespace harness {

int RunListFaults(std::ostream& out);

}  // namespace harness
