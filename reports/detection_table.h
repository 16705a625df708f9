// The detection-power table: for each planted bug (mutant), on how many seeds its command caught
// it, how fast (median and max time to the first violation), and which violation kinds it showed.
// This is what a team tracks night to night to know its workloads still bite; `vstress mutants
// --measure` fills it and writes it as JSON and as a small HTML page.
//
// Thread contract: immutable (plain values; the functions keep no state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"

namespace reports {

// One run of one mutant on one seed.
struct MutantRun {
  uint64_t seed = 0;
  std::string run_dir;
  bool caught = false;                   // exited 1 with a violation recorded
  std::optional<double> detect_seconds;  // run time at the first violation (when caught)
  std::string first_kind;                // the first violation's kind
  std::string outcome;                   // "caught", "missed (pass)", "error: exit 4", ...
};

struct MutantRow {
  std::string name;
  std::string imitates;
  std::string command;  // the command that catches it (without --seed/--duration/--out)
  std::vector<MutantRun> runs;
  std::map<std::string, uint64_t> kinds;  // first violation kind -> runs

  uint64_t caught() const;
  // Over the caught runs; nullopt when none was caught.
  std::optional<double> MedianSeconds() const;
  std::optional<double> MaxSeconds() const;
};

struct DetectionTable {
  uint64_t seed_first = 0;
  uint64_t seed_last = 0;
  double budget_seconds = 0;
  std::vector<MutantRow> rows;

  bool AllCaught() const;
};

// A fixed-width text table, one mutant a line, with a header.
std::string DetectionText(const DetectionTable& table);
std::string DetectionJson(const DetectionTable& table);
// A self-contained page (html_page.h): the table, missed mutants marked, each run linked.
std::string DetectionHtml(const DetectionTable& table, const std::string& command);

}  // namespace reports
