#include "harness/cli/list_commands.h"

#include <fmt/format.h>

#include <algorithm>

#include "faults/fault_rule.h"
#include "harness/drivers/mutants.h"
#include "harness/model/exit_codes.h"
#include "workloads/presets.h"

namespace harness::cli {

int RunListFaults(std::ostream& out) {
  out << "# points (rule syntax: POINT:ACTION[:TRIGGER][@WINDOW]; POINT may end in '*')\n";
  for (const auto& point : faults::AllFaultPoints()) {
    out << fmt::format("{:<32}  {}\n", point, faults::DescribePoint(point));
  }
  out << "# actions\n";
  for (auto action : {faults::Action::kError, faults::Action::kNoSpace, faults::Action::kDelay,
                      faults::Action::kTorn, faults::Action::kCrash, faults::Action::kHang,
                      faults::Action::kAbort}) {
    const std::string name =
        action == faults::Action::kDelay ? "delay=DURATION" : faults::ActionName(action);
    out << fmt::format("{:<32}  {}\n", name, faults::DescribeAction(action));
  }
  out << "# triggers\n";
  out << fmt::format("{:<32}  {}\n", "p=P", "each hit fires with probability P (seeded)");
  out << fmt::format("{:<32}  {}\n", "nth=N", "the N-th hit of the point fires");
  out << fmt::format("{:<32}  {}\n", "every=K", "every K-th hit fires");
  out << fmt::format("{:<32}  {}\n", "from=N", "the N-th hit and every later one fire");
  out << fmt::format("{:<32}  {}\n", "once", "the first hit inside the window fires (default)");
  out << "# windows (after '@', comma-separated)\n";
  out << fmt::format("{:<32}  {}\n", "after_ops=N before_ops=N", "op-index window");
  out << fmt::format("{:<32}  {}\n", "after=2s before=10s", "run-time window");
  return model::kExitPass;
}

int RunListPresets(std::ostream& out) {
  for (const auto& p : workloads::ListPresets()) {
    out << fmt::format("{:<24}  {}\n", p.name, p.description);
  }
  return model::kExitPass;
}

int RunListMutants(std::ostream& out) {
  size_t width = 0;
  for (const auto& m : drivers::Mutants()) width = std::max(width, m.name.size());
  for (const auto& m : drivers::Mutants()) {
    // "engine": inside vstress's own engine; "store": around any store (add --store S).
    out << fmt::format("{:<{}}  preset {:<22} {:<6} imitates {}: {}; caught by: {}{}\n", m.name,
                       width, m.preset, m.planted_in_store ? "store" : "engine", m.imitates,
                       m.description, m.Command(),
                       m.expected == "liveness" ? " (exit 3: liveness)" : "");
  }
  return model::kExitPass;
}

}  // namespace harness::cli
