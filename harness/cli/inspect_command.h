// `vstress inspect DIR`: prints what engine::InspectDB found and turns it into an exit code.
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>
#include <string>

namespace harness::cli {

// 0 consistent, 1 inconsistent or corrupt (each problem printed to `err`), 2 unreadable directory.
int RunInspect(const std::string& dir, bool print_edits, std::ostream& out, std::ostream& err);

}  // namespace harness::cli
