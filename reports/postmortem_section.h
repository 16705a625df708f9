// report.html's postmortem section, for a run that ended stuck (liveness) or dead (crash): where
// it stopped — the step and the ops in flight, the last progress line, the signal — the top
// frames of the thread that was stuck or died, and a link to every thread's stack (stacks.txt).
//
// Thread contract: immutable (the functions keep no state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace reports {

// summary.json's `postmortem`, as report.html reads it back.
struct ReportPostmortem {
  uint64_t step = 0;
  std::vector<std::string> in_flight;
  double seconds_without_progress = 0;
  std::string signal_name;
  std::string last_progress;
  std::string stacks;  // the file beside summary.json ("": none)
  std::string stacks_source;
  std::string top_frames;
};

// The section ("" when `p` says nothing). Strings are escaped.
std::string RenderPostmortem(const ReportPostmortem& p);

}  // namespace reports
