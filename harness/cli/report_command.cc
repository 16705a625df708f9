#include "harness/cli/report_command.h"

#include <filesystem>

#include "harness/model/exit_codes.h"
#include "reports/html_report.h"

namespace harness::cli {

int RunReportCommand(const std::string& run_dir, std::ostream& out, std::ostream& err) {
  const engine::Status s = reports::WriteHtmlReport(run_dir);
  if (!s.ok()) {
    err << "vstress report: " << s.ToString() << "\n";
    // Loading fails with NotFound or InvalidArgument: the run directory is not what the command
    // was promised. Anything else is the write of report.html failing.
    return s.IsNotFound() || s.IsInvalidArgument() ? model::kExitUsage : model::kExitFailure;
  }
  out << (std::filesystem::path(run_dir) / "report.html").string() << "\n";
  return model::kExitPass;
}

}  // namespace harness::cli
