// junit.xml: a run as a JUnit test report, for Jenkins, GitLab and GitHub test reporters.
//
// One <testsuite> per run and one <testcase> per check family — point reads, scans, snapshot reads,
// invariants, recovery — plus "run completes" (an <error> when the run ended in a harness error or
// the watchdog fired), in a crash run one "crash.power-loss" or "crash.kill" per crash family (a
// <failure> naming every cycle whose recovery failed; the suite's properties count each family's
// cycles) and, in a mutant run, "mutant NAME is caught". A family's violations are its
// <failure>s, with the whole violation as text; a family that checked nothing is <skipped>. The
// report says what the checker found, so a mutant run shows the failures that caught the mutant and
// a passing "is caught" case.
//
// Thread contract: thread-compatible.
#pragma once

#include <string>

#include "engine/status.h"
#include "reports/run_files.h"
#include "reports/run_record.h"

namespace reports {

std::string JunitXml(const RunInfo& info, const RunOutcome& outcome);
engine::Status WriteJunitXml(const std::string& path, const RunInfo& info,
                             const RunOutcome& outcome);

}  // namespace reports
