#include "harness/cli/inspect_command.h"

#include <fmt/format.h>

#include "engine/inspect.h"
#include "harness/model/exit_codes.h"

namespace harness::cli {

int RunInspect(const std::string& dir, bool print_edits, std::ostream& out, std::ostream& err) {
  engine::InspectReport report;
  engine::Status s = engine::InspectDB(engine::Options(), dir, &report);
  if (!s.ok()) {
    err << "vstress inspect: " << dir << ": " << s.ToString() << "\n";
    return model::kExitUsage;
  }
  out << fmt::format("CURRENT -> {}\n", report.current.empty() ? "(unreadable)" : report.current);
  out << fmt::format("MANIFEST: {} edits; log_number {} next_file_number {} last_sequence {}\n",
                     report.edits.size(), report.log_number, report.next_file_number,
                     report.last_sequence);
  if (print_edits) {
    for (const auto& edit : report.edits) out << edit;
  }
  int level = -1;
  for (const auto& t : report.tables) {
    if (t.level != level) {
      level = t.level;
      out << fmt::format("L{}:\n", level);
    }
    out << fmt::format("  {:06d}.sst {:>10} bytes {:>8} entries ['{}' .. '{}']\n", t.number,
                       t.file_bytes, t.entries, t.smallest_user_key, t.largest_user_key);
  }
  for (const auto& w : report.wals) {
    out << fmt::format("WAL {}: {} records, {} entries{}\n", w.name, w.records, w.entries,
                       w.torn_tail ? " (torn tail dropped)" : "");
  }
  for (const auto& name : report.unreferenced_files) {
    out << fmt::format("unreferenced: {}\n", name);
  }
  if (report.consistent()) {
    out << "consistent\n";
    return model::kExitPass;
  }
  for (const auto& p : report.problems) err << "problem: " << p << "\n";
  err << fmt::format("inconsistent: {} problem(s)\n", report.problems.size());
  return model::kExitViolation;
}

}  // namespace harness::cli
