#include "reports/junit.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

#include "reports/junit_merge.h"

namespace reports {
namespace {

struct Family {
  const char* name;                   // the testcase name
  std::set<std::string> kinds;        // the violation kinds it owns
  std::vector<const char*> counters;  // checks that say it ran (any non-zero)
};

const std::vector<Family>& Families() {
  static const std::vector<Family> kFamilies = {
      {"point reads", {"point_read"}, {"reads_checked"}},
      {"scans", {"scan"}, {"scans_checked"}},
      {"snapshot reads", {"snapshot_read"}, {"snapshot_reads_checked"}},
      {"recovery", {"recovery"}, {"recovery_checks"}},
      // Everything else the checker can find: the Version/file invariants and unexpected errors.
      {"invariants", {}, {"invariant_checks"}},
  };
  return kFamilies;
}

bool Owns(const Family& f, const std::string& kind) {
  if (!f.kinds.empty()) return f.kinds.count(kind) != 0;
  for (const Family& other : Families()) {
    if (&other != &f && other.kinds.count(kind) != 0) return false;
  }
  return true;
}

uint64_t Checks(const RunOutcome& outcome, const Family& f) {
  uint64_t n = 0;
  for (const char* c : f.counters) {
    if (auto it = outcome.checks.find(c); it != outcome.checks.end()) n += it->second;
  }
  return n;
}

std::string ViolationText(const Violation& v) {
  std::string text = fmt::format("{}\nkind: {}\n", v.message, v.kind);
  if (!v.op.empty()) text += fmt::format("op: {}\n", v.op);
  if (!v.thread.empty()) text += fmt::format("thread: {} at {:.3f}s\n", v.thread, v.seconds);
  if (!v.key.empty()) text += fmt::format("key: {}\n", v.key);
  text += fmt::format("expected: {}\nobserved: {}\nread sequence: {}", v.expected, v.observed,
                      v.read_sequence);
  if (v.lower_bound != 0 || v.upper_bound != 0) {
    text += fmt::format(" (bounds [{}, {}])", v.lower_bound, v.upper_bound);
  }
  text += "\n";
  if (!v.key_history.empty()) text += "oracle history of the key:\n" + v.key_history;
  if (!v.thread_recent_ops.empty()) {
    text += "the thread's last ops:\n";
    for (const auto& op : v.thread_recent_ops) text += "  " + op + "\n";
  }
  return text;
}

// The crash families a run's cycles belong to, in kCrashFamilyNames order; a run that meant to
// crash (a crash mode) but had no cycle still has its mode's family, so "no crash happened" shows.
std::vector<CrashFamily> CrashFamilies(const RunOutcome& outcome) {
  std::set<CrashFamily> families;
  for (const CrashCycle& c : outcome.crash_cycles) families.insert(CrashFamilyOf(c.mode));
  if (families.empty() && !outcome.crash_mode.empty()) {
    families.insert(CrashFamilyOf(outcome.crash_mode));
  }
  return {families.begin(), families.end()};
}

std::string CrashCycleText(const CrashCycle& c) {
  std::string text = fmt::format(
      "cycle {} at {:.3f}s ({}): recovered through sequence {} (floor {}, the DB's last {}), {} "
      "acknowledged writes lost, {} unsynced writes dropped, recovery took {:.1f} ms\n",
      c.cycle, c.seconds, c.mode, c.recovered, c.floor, c.last_sequence, c.lost_writes,
      c.dropped_writes, c.recovery_seconds * 1000);
  if (!c.kept_db.empty()) text += fmt::format("the DB as the crash left it: {}\n", c.kept_db);
  return text;
}

// One testcase "crash.FAMILY" per crash family: its time is the family's recovery time, and a
// cycle whose recovery failed makes it a <failure> naming every failed cycle. `failures` and
// `skipped` count the testcases that are so.
std::string CrashTestcases(const std::string& classname, const RunOutcome& outcome, int* tests,
                           int* failures, int* skipped) {
  std::string cases;
  for (CrashFamily family : CrashFamilies(outcome)) {
    (*tests)++;
    double seconds = 0;
    uint64_t cycles = 0;
    std::vector<const CrashCycle*> failed;
    for (const CrashCycle& c : outcome.crash_cycles) {
      if (CrashFamilyOf(c.mode) != family) continue;
      cycles++;
      seconds += c.recovery_seconds;
      if (!c.ok) failed.push_back(&c);
    }
    const std::string name(kCrashFamilyNames[static_cast<size_t>(family)]);
    std::string body;
    if (!failed.empty()) {
      (*failures)++;
      // A failed recovery stops the run, so there is usually one; a keep-going run names the first
      // few.
      constexpr size_t kFailedCyclesNamedMax = 10;
      std::string numbers;
      std::string text;
      for (size_t i = 0; i < std::min(failed.size(), kFailedCyclesNamedMax); i++) {
        numbers += fmt::format("{}{}", i == 0 ? "" : ", ", failed[i]->cycle);
        text += CrashCycleText(*failed[i]);
      }
      if (failed.size() > kFailedCyclesNamedMax) {
        numbers += fmt::format(" and {} more", failed.size() - kFailedCyclesNamedMax);
      }
      body = fmt::format(
          "      <failure message=\"{} of {} {} cycles failed to recover: cycle {}\" "
          "type=\"crash\">{}</failure>\n",
          failed.size(), cycles, name, numbers, EscapeXmlText(text));
    } else if (cycles == 0) {
      (*skipped)++;
      body = "      <skipped message=\"no crash cycle ran\"/>\n";
    }
    cases +=
        fmt::format("    <testcase classname=\"{}\" name=\"crash.{}\" time=\"{:.3f}\"{}", classname,
                    name, seconds, body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n");
  }
  return cases;
}

// The suite's properties: the run's, and each crash family's number of cycles.
std::vector<std::pair<std::string, std::string>> Properties(const RunInfo& info,
                                                            const RunOutcome& outcome) {
  std::vector<std::pair<std::string, std::string>> properties = {
      {"seed", std::to_string(info.seed)},
      {"preset", info.preset},
      {"store", info.store},
      {"store_version", info.store_version},
      {"mutant", info.mutant},
      {"result", outcome.result},
      {"repro", info.repro},
      {"run_dir", info.run_dir}};
  for (CrashFamily family : CrashFamilies(outcome)) {
    uint64_t cycles = 0;
    for (const CrashCycle& c : outcome.crash_cycles) cycles += CrashFamilyOf(c.mode) == family;
    properties.emplace_back(
        fmt::format("crash.{}.cycles", kCrashFamilyNames[static_cast<size_t>(family)]),
        std::to_string(cycles));
  }
  return properties;
}

}  // namespace

std::string JunitXml(const RunInfo& info, const RunOutcome& outcome) {
  const std::string classname =
      fmt::format("vstress.{}", info.preset.empty() ? "run" : info.preset);
  const double time = outcome.duration_seconds;
  std::string cases;
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  for (const Family& f : Families()) {
    tests++;
    std::string body;
    int found = 0;
    for (const Violation& v : outcome.violations) {
      if (!Owns(f, v.kind)) continue;
      found++;
      body += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                          EscapeXmlText(v.message), EscapeXmlText(v.kind),
                          EscapeXmlText(ViolationText(v)));
    }
    if (found > 0) {
      failures++;
    } else if (Checks(outcome, f) == 0) {
      skipped++;
      body = fmt::format(
          "      <skipped message=\"nothing of this kind was checked in this run\"/>\n");
    }
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"{}", classname,
                         f.name, time, body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n");
  }
  // More violations than violations.json keeps: say so rather than under-report.
  if (outcome.violation_count > outcome.violations.size()) {
    cases += fmt::format(
        "    <testcase classname=\"{}\" name=\"violations beyond the first {}\" time=\"0\">\n"
        "      <failure message=\"{} more violations were counted but not kept\"/>\n"
        "    </testcase>\n",
        classname, outcome.violations.size(), outcome.violation_count - outcome.violations.size());
    tests++;
    failures++;
  }
  cases += CrashTestcases(classname, outcome, &tests, &failures, &skipped);
  tests++;
  if (outcome.result == "error" || outcome.result == "liveness" || outcome.result == "crash") {
    errors++;
    std::string message = outcome.error;
    if (outcome.postmortem) {
      for (const std::string& op : outcome.postmortem->in_flight) message += "; in flight: " + op;
      if (!outcome.postmortem->stacks.empty()) message += "; every thread's stack in stacks.txt";
    }
    cases += fmt::format(
        "    <testcase classname=\"{}\" name=\"run completes\" time=\"{:.3f}\">\n"
        "      <error message=\"{}\" type=\"{}\"/>\n    </testcase>\n",
        classname, time, EscapeXmlText(message), EscapeXmlText(outcome.result));
  } else {
    cases +=
        fmt::format("    <testcase classname=\"{}\" name=\"run completes\" time=\"{:.3f}\"/>\n",
                    classname, time);
  }
  if (!info.mutant.empty()) {
    tests++;
    const bool caught = outcome.violation_count > 0;
    if (!caught) failures++;
    cases += fmt::format(
        "    <testcase classname=\"{}\" name=\"mutant {} is caught\" time=\"{:.3f}\"{}", classname,
        EscapeXmlText(info.mutant), time,
        caught ? "/>\n"
               : ">\n      <failure message=\"the checker found no violation with this mutant "
                 "switched on\"/>\n    </testcase>\n");
  }
  const std::string name =
      fmt::format("vstress run {}{} seed {}", info.preset,
                  info.mutant.empty() ? "" : " mutant " + info.mutant, info.seed);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format(
      "<testsuites name=\"vstress\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"{:.3f}\">\n",
      tests, failures, errors, skipped, time);
  xml += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"{:.3f}\">\n",
      EscapeXmlText(name), tests, failures, errors, skipped, time);
  xml += "    <properties>\n";
  for (const auto& [key, value] : Properties(info, outcome)) {
    xml += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", key, EscapeXmlText(value));
  }
  xml += "    </properties>\n" + cases + "  </testsuite>\n</testsuites>\n";
  return xml;
}

engine::Status WriteJunitXml(const std::string& path, const RunInfo& info,
                             const RunOutcome& outcome) {
  return WriteFileAtomically(path, JunitXml(info, outcome));
}

}  // namespace reports
