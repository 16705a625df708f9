// The "Crash cycles" section of report.html: how a crash run's recoveries went, as a paragraph (how
// many cycles, how many recovered, how long recovery took) and a table with one row per cycle —
// when it crashed, the crash mode, the recovery time, the sequence it recovered through and the
// floor it had to reach, the writes the crash dropped and those it lost, and the result. A failed
// row names the copy of the DB that was kept. The same cycles are lines on the report's charts.
//
// The table lists at most kReportCrashRowsMax cycles plus every failed one, so a day of cycles
// keeps the page small; the paragraph says when rows are left out.
//
// Thread contract: immutable (the function keeps no state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "reports/run_record.h"

namespace reports {

inline constexpr size_t kReportCrashRowsMax = 200;

// The <section id="crash-cycles">, or "" when the run had no crash cycle. `cycles_total` counts
// every cycle of the run; `cycles` holds those summary.json lists (the first ones, in order).
// Every string reaches the markup escaped.
std::string RenderCrashSection(const std::string& mode, uint64_t cycles_total,
                               const std::vector<CrashCycle>& cycles);

}  // namespace reports
