// The fault-coverage tables of report.html's fault section: what the engine did about the faults
// (summary.json's coverage.reactions: errors returned, retries, background errors, reopens, crashes
// recovered) and each (point, action) pair the workload expects to fire with its fires, a pair that
// never fired marked as failing the run (kind coverage).
//
// Thread contract: immutable (the function keeps no state).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace reports {

// The tables, or "" when there is nothing to show (an older summary.json). Strings are escaped.
std::string RenderCoverageTables(const std::map<std::string, uint64_t>& reactions,
                                 const std::vector<std::pair<std::string, uint64_t>>& expected);

}  // namespace reports
