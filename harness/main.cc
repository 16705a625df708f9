// vstress: the command line. The only place that parses arguments; each subcommand hands a typed
// options struct to the module that does the work.
//
// Exit codes (shared/DESIGN.md): 0 pass, 1 correctness violation or corrupt DB, 2 bad usage or
// config, 3 liveness, 4 unexpected failure.
#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/exit_codes.h"
#include "harness/inspect_command.h"
#include "harness/list_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"vstress: stress testing and fault injection for an LSM engine"};
  app.require_subcommand(1);
  std::string inspect_dir;
  auto* inspect = app.add_subcommand(
      "inspect",
      "print a DB's CURRENT, MANIFEST edits, tables per level and WALs; verify every "
      "needed file exists and every checksum holds");
  inspect->add_option("DIR", inspect_dir, "DB directory")->required();
  bool inspect_verbose = false;
  inspect->add_flag("--edits", inspect_verbose, "also print every MANIFEST edit");

  auto* list_faults = app.add_subcommand("faults", "list every fault point, action and trigger");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? harness::kExitPass : harness::kExitUsage;
  }
  if (*inspect) return harness::RunInspect(inspect_dir, inspect_verbose, std::cout, std::cerr);
  if (*list_faults) return harness::RunListFaults(std::cout);
  return harness::kExitUsage;
}
