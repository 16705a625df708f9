// `vstress report RUN_DIR`: rebuilds RUN_DIR/report.html from the run's files through
// reports::WriteHtmlReport, the same call the end of `vstress run` makes, and prints its path.
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>
#include <string>

namespace harness::cli {

// 0 written; 2 when RUN_DIR or its summary.json is missing or a file in it is unreadable or
// malformed (the message on `err` names the file, and the line where there is one); 4 when
// report.html cannot be written.
int RunReportCommand(const std::string& run_dir, std::ostream& out, std::ostream& err);

}  // namespace harness::cli
