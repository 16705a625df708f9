#include "harness/cli/enumerate_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fnmatch.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "faults/fault_rule.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/process/process_signals.h"
#include "reports/enumerate_matrix.h"
#include "reports/run_files.h"

namespace harness::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using reports::CellOutcome;
using reports::MatrixCell;

// A cell's run is a few thousand simulated ops: seconds at most, unless it hangs.
constexpr double kCellLimitSeconds = 120;

const std::vector<std::string> kAllModes = {"once", "persistent", "crash"};

// The flags every child run shares: the workload, the seed, the mutant, the --set overrides.
std::vector<std::string> WorkloadArgs(const EnumerateOptions& o) {
  std::vector<std::string> args;
  if (!o.config_path.empty()) {
    args.insert(args.end(), {"--config", o.config_path});
  } else {
    args.insert(args.end(), {"--preset", o.preset.empty() ? "enumerate" : o.preset});
  }
  if (o.seed) args.insert(args.end(), {"--seed", std::to_string(*o.seed)});
  if (o.ops) args.insert(args.end(), {"--ops", std::to_string(*o.ops)});
  if (!o.mutant.empty()) args.insert(args.end(), {"--mutant", o.mutant});
  if (!o.store.empty()) args.insert(args.end(), {"--store", o.store});
  for (const std::string& set : o.sets) args.insert(args.end(), {"--set", set});
  return args;
}

// A child `vstress sim` with `extra` flags, its output in `dir`.
process::ChildJob SimJob(const EnumerateOptions& o, const std::string& dir,
                         const std::vector<std::string>& extra) {
  process::ChildJob job;
  job.argv = {process::SelfExecutable(), "sim"};
  const std::vector<std::string> workload = WorkloadArgs(o);
  job.argv.insert(job.argv.end(), workload.begin(), workload.end());
  job.argv.insert(job.argv.end(), extra.begin(), extra.end());
  job.argv.insert(job.argv.end(), {"--out", dir, "--progress", "off"});
  job.log_path = dir + "/vstress.log";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  return job;
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string line = "vstress";
  for (size_t i = 1; i < argv.size(); i++) line += " " + reports::ShellQuote(argv[i]);
  return line;
}

json ReadJson(const std::string& path) {
  std::string text;
  if (!reports::ReadFile(path, &text).ok()) return json();
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// The points `patterns` name (each a glob over `vstress faults`' list), in that list's order.
std::vector<std::string> ExpandPoints(const std::vector<std::string>& patterns,
                                      std::string* unmatched) {
  std::vector<std::string> points;
  for (const std::string& pattern : patterns) {
    bool any = false;
    for (const std::string& point : faults::AllFaultPoints()) {
      if (fnmatch(pattern.c_str(), point.c_str(), 0) != 0) continue;
      any = true;
      if (std::find(points.begin(), points.end(), point) == points.end()) points.push_back(point);
    }
    if (!any && unmatched->empty()) *unmatched = pattern;
  }
  return points;
}

std::string RuleFor(const std::string& point, uint64_t hit, const std::string& mode) {
  if (mode == "once") return fmt::format("{}:error:nth={}", point, hit);
  if (mode == "persistent") return fmt::format("{}:error:from={}", point, hit);
  return fmt::format("{}:crash:nth={}", point, hit);
}

uint64_t FiresAt(const json& summary, const std::string& point) {
  const json& faults = summary.value("faults", json::object());
  const json& by_point = faults.value("by_point", json::object());
  return by_point.value(point, uint64_t{0});
}

// What a finished cell run made of its fault.
void Classify(const std::string& dir, const process::ChildExit& exit, MatrixCell* cell) {
  const json summary = ReadJson(dir + "/summary.json");
  if (!summary.is_object() || !exit.exited ||
      (exit.code != model::kExitPass && exit.code != model::kExitViolation)) {
    std::string why = exit.ToString();
    if (summary.is_object() && summary.contains("error")) {
      why += ": " + summary.value("error", std::string());
    }
    cell->outcome = CellOutcome::kViolation;
    cell->detail = "the run did not finish cleanly (" + why + ")";
    return;
  }
  if (exit.code == model::kExitViolation) {
    cell->outcome = CellOutcome::kViolation;
    const json violations = ReadJson(dir + "/violations.json");
    if (violations.is_object() && violations.contains("violations") &&
        violations["violations"].is_array() && !violations["violations"].empty()) {
      const json& first = violations["violations"][0];
      cell->detail = fmt::format("[{}] {}", first.value("kind", std::string()),
                                 first.value("message", std::string()));
    } else {
      cell->detail = "a violation (see the run directory)";
    }
    return;
  }
  const json crash = summary.value("crash", json::object());
  const json cycles = crash.value("list", json::array());
  if (cell->recovery_hit != 0) {
    std::string fired;
    for (const json& c : cycles) {
      if (!c.value("recovery_fault", std::string()).empty()) {
        fired = c.value("recovery_fault", std::string());
        break;
      }
    }
    if (fired.empty()) {
      cell->outcome = CellOutcome::kNotReached;
      cell->detail = "the recovery made fewer file calls";
    } else {
      cell->outcome = CellOutcome::kErrorSurfaced;
      cell->detail = fired + "; the reopen after it recovered";
    }
    return;
  }
  if (FiresAt(summary, cell->point) == 0) {
    cell->outcome = CellOutcome::kNotReached;
    cell->detail = "the run never reached this hit";
    return;
  }
  std::vector<std::string> surfaced;
  const json& ops = summary.value("ops", json::object());
  if (const uint64_t n = ops.value("errors_injected", uint64_t{0}); n > 0) {
    surfaced.push_back(fmt::format("{} op{} failed", n, n == 1 ? "" : "s"));
  }
  const json& checks = summary.value("checks", json::object());
  if (checks.value("initial_open_failures", uint64_t{0}) > 0) {
    surfaced.push_back("the first open failed, the next one opened");
  }
  const json& engine = summary.value("engine", json::object());
  if (engine.value("background_errors", uint64_t{0}) > 0) surfaced.push_back("background error");
  if (const uint64_t n = crash.value("reopens_after_background_error", uint64_t{0}); n > 0) {
    surfaced.push_back(fmt::format("{} reopen{}", n, n == 1 ? "" : "s"));
  }
  if (!cycles.empty()) {
    cell->recovery_calls = cycles[0].value("recovery_io_hits", uint64_t{0});
    cell->detail =
        fmt::format("crash recovered at sequence {}", cycles[0].value("recovered", uint64_t{0}));
  }
  if (surfaced.empty()) {
    cell->outcome = CellOutcome::kOk;
    if (cell->detail.empty()) cell->detail = "absorbed (retried or not needed)";
    return;
  }
  cell->outcome = CellOutcome::kErrorSurfaced;
  std::string text;
  for (const std::string& s : surfaced) text += (text.empty() ? "" : ", ") + s;
  cell->detail = cell->detail.empty() ? text : cell->detail + "; " + text;
}

std::string CellDirName(const MatrixCell& c) {
  std::string point = c.point;
  std::replace(point.begin(), point.end(), '/', '_');
  std::string name = fmt::format("cells/{}/{}-{}", point, c.mode, c.hit);
  if (c.recovery_hit != 0)
    name += fmt::format("-recovery-{}-{}", c.recovery_action, c.recovery_hit);
  return name;
}

// Runs `cells` (each a child sim with its rule), classifies them and keeps the directories of
// the cells that are not ok. Prints a dot per finished cell.
void RunCells(const EnumerateOptions& o, const std::string& out_dir, int jobs,
              std::vector<MatrixCell>* cells, std::ostream& out) {
  std::vector<process::ChildJob> children;
  for (MatrixCell& c : *cells) {
    std::vector<std::string> extra = {"--fault", c.rule};
    if (c.recovery_hit != 0) {
      extra.insert(extra.end(), {"--set", fmt::format("recovery_fault={}:{}", c.recovery_hit,
                                                      c.recovery_action)});
    }
    c.run_dir = CellDirName(c);
    children.push_back(SimJob(o, out_dir + "/" + c.run_dir, extra));
    c.repro = CommandLine(children.back().argv);
  }
  size_t done = 0;
  process::RunChildren(children, jobs, kCellLimitSeconds,
                       [&](size_t index, const process::ChildExit& exit) {
                         MatrixCell& c = (*cells)[index];
                         Classify(out_dir + "/" + c.run_dir, exit, &c);
                         if (c.outcome == CellOutcome::kOk) {
                           std::error_code ec;
                           fs::remove_all(out_dir + "/" + c.run_dir, ec);
                           c.run_dir.clear();
                         }
                         out << (c.outcome == CellOutcome::kViolation ? "X" : ".");
                         if (++done % 100 == 0 || done == children.size())
                           out << fmt::format(" {}\n", done);
                         out << std::flush;
                       });
}

std::string CommandText(const EnumerateOptions& o) {
  std::string text = "vstress enumerate";
  for (const std::string& p : o.points) text += " --point " + reports::ShellQuote(p);
  text += fmt::format(" --max-hits {}", o.max_hits);
  for (const std::string& m : o.modes) text += " --fault-mode " + m;
  if (o.during_recovery) text += " --during-recovery";
  const std::vector<std::string> workload = WorkloadArgs(o);
  for (const std::string& a : workload) text += " " + reports::ShellQuote(a);
  return text;
}

}  // namespace

int RunEnumerateCommand(const EnumerateOptions& given, std::ostream& out, std::ostream& err) {
  process::InstallStopSignalHandlers();
  EnumerateOptions o = given;
  if (o.modes.empty()) o.modes = kAllModes;
  std::string unmatched;
  const std::vector<std::string> points = ExpandPoints(o.points, &unmatched);
  if (o.points.empty()) {
    err << "vstress enumerate: --point: name at least one fault point or pattern (see `vstress "
           "faults`)\n";
    return model::kExitUsage;
  }
  if (!unmatched.empty()) {
    err << "vstress enumerate: --point: '" << unmatched
        << "' names no fault point (see `vstress faults`)\n";
    return model::kExitUsage;
  }
  const int jobs =
      o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string out_dir = o.out_dir.empty() ? reports::DefaultRunDir("enumerate") : o.out_dir;
  const auto started = std::chrono::steady_clock::now();

  // 1. A fault-free run that counts the hits of every point (a rule that never fires names it).
  std::vector<std::string> counting;
  for (const std::string& p : points)
    counting.insert(counting.end(), {"--fault", p + ":error:p=0"});
  process::ChildJob discovery = SimJob(o, out_dir + "/fault-free", counting);
  process::ChildExit discovery_exit;
  process::RunChildren({discovery}, 1, kCellLimitSeconds,
                       [&](size_t, const process::ChildExit& e) { discovery_exit = e; });
  if (discovery_exit.exited && discovery_exit.code == model::kExitUsage) {
    // A bad --set, --mutant, --preset or --config: the child said which.
    std::string message;
    reports::ReadFile(discovery.log_path, &message);
    err << "vstress enumerate: " << message;
    return model::kExitUsage;
  }
  const json summary = ReadJson(out_dir + "/fault-free/summary.json");
  if (!discovery_exit.exited || discovery_exit.code != model::kExitPass || !summary.is_object()) {
    err << fmt::format(
        "vstress enumerate: the workload fails without any fault ({}); see {}/fault-free "
        "(rerun: {})\n",
        discovery_exit.ToString(), out_dir, CommandLine(discovery.argv));
    return discovery_exit.exited && discovery_exit.code == model::kExitViolation
               ? model::kExitViolation
               : model::kExitFailure;
  }
  reports::FaultMatrix m;
  m.seed = summary.value("seed", uint64_t{0});
  m.preset = summary.value("preset", std::string());
  m.mutant = o.mutant;
  m.max_hits = o.max_hits;
  m.during_recovery = o.during_recovery;
  m.modes = o.modes;
  const json hits = summary.value("faults", json::object()).value("hits_by_point", json::object());
  for (const std::string& p : points) m.point_hits[p] = hits.value(p, uint64_t{0});

  // 2. Every (point, hit, mode).
  for (const std::string& p : points) {
    const uint64_t reached = m.point_hits[p];
    const uint64_t k = o.max_hits == 0 ? reached : std::min(o.max_hits, reached);
    for (const std::string& mode : o.modes) {
      for (uint64_t n = 1; n <= k; n++) {
        MatrixCell c;
        c.point = p;
        c.hit = n;
        c.mode = mode;
        c.rule = RuleFor(p, n, mode);
        m.cells.push_back(std::move(c));
      }
    }
  }
  out << fmt::format("vstress enumerate: {} points ({} reached), {} cells -> {}\n", points.size(),
                     std::count_if(m.point_hits.begin(), m.point_hits.end(),
                                   [](const auto& ph) { return ph.second > 0; }),
                     m.cells.size(), out_dir);
  RunCells(o, out_dir, jobs, &m.cells, out);

  // 3. --during-recovery: for each crash cell, every file call of its recovery fails or crashes.
  if (o.during_recovery) {
    std::vector<MatrixCell> recovery_cells;
    for (const MatrixCell& c : m.cells) {
      if (c.mode != "crash" || c.outcome == CellOutcome::kNotReached) continue;
      const uint64_t k =
          o.max_hits == 0 ? c.recovery_calls : std::min(o.max_hits, c.recovery_calls);
      for (const std::string action : {"error", "crash"}) {
        for (uint64_t j = 1; j <= k; j++) {
          MatrixCell r = c;
          r.outcome = CellOutcome::kOk;
          r.detail.clear();
          r.recovery_hit = j;
          r.recovery_calls = 0;
          r.recovery_action = action;
          recovery_cells.push_back(std::move(r));
        }
      }
    }
    out << fmt::format("during recovery: {} cells\n", recovery_cells.size());
    RunCells(o, out_dir, jobs, &recovery_cells, out);
    m.cells.insert(m.cells.end(), recovery_cells.begin(), recovery_cells.end());
  }
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const std::string command = CommandText(o);
  out << "\n" << reports::MatrixText(m);
  for (const auto& [name, contents] : {std::pair{"summary.json", reports::MatrixJson(m, command)},
                                       {"junit.xml", reports::MatrixJunit(m)},
                                       {"report.html", reports::MatrixHtml(m, command)}}) {
    if (engine::Status s = reports::WriteFileAtomically(out_dir + "/" + name, contents); !s.ok()) {
      err << "vstress enumerate: " << s.ToString() << "\n";
      return model::kExitFailure;
    }
  }
  out << fmt::format("matrix: {}/report.html ({:.1f}s)\n", out_dir, m.seconds);
  // Stopped: the cells that ran are written; the exit says the matrix is not whole.
  if (const int signal = process::StopSignal(); signal != 0)
    return process::ExitCodeForSignal(signal);
  return m.AnyViolation() ? model::kExitViolation : model::kExitPass;
}

}  // namespace harness::cli
