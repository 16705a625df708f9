#include "harness/sweep/shard.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/process/process_signals.h"
#include "harness/sweep/plan.h"
#include "reports/run_files.h"
#include "stores/registry.h"

namespace harness::sweep {
namespace {

namespace fs = std::filesystem;

std::string UtcNow() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

// How the shard's run ended, and what the shard had to do about it.
struct ShardEnd {
  process::ChildExit exit;
  bool timed_out = false;  // past the plan's limit: its stacks taken, then killed
  drivers::Stacks stacks;
  int stopped_by = 0;  // a stop signal ended it early
  std::string Describe() const {
    if (stopped_by != 0) return fmt::format("stopped by SIG{}", sigabbrev_np(stopped_by));
    if (timed_out) return "killed at the shard's time limit";
    return exit.ToString();
  }
};

// Waits for the run: past `timeout_seconds` (> 0) its stacks are taken and its process group
// killed; a stop signal is passed on (SIGTERM, SIGKILL after the grace).
ShardEnd WaitForRun(process::ChildProcess* child, double timeout_seconds) {
  ShardEnd end;
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(timeout_seconds > 0 ? timeout_seconds : 1e9));
  end.exit = process::WaitStoppable(child, 0, &end.stopped_by, [&] {
    if (end.timed_out || std::chrono::steady_clock::now() < deadline) return;
    end.timed_out = true;
    end.stacks = drivers::CollectStacks(child->pid());
    child->Signal(SIGKILL);
  });
  return end;
}

// The last line of the run's log that looks like a progress line ("" if none).
std::string LastProgressLine(const std::string& log_path) {
  std::string log;
  reports::ReadFile(log_path, &log);
  std::istringstream lines(log);
  std::string line;
  std::string last;
  while (std::getline(lines, line)) {
    if (line.starts_with("[")) last = line;
  }
  return last;
}

// The run's own summary.json says how it ended, unless it did not get to write one (killed, or
// dead of a signal before its crash report): then the shard writes it — liveness with the stacks
// it took, crash with the signal — so the merge has a row either way. Returns the shard's exit.
int RecordEnd(const ShardPlan& shard, const std::string& shard_dir, const ShardEnd& end,
              double seconds, std::ostream& err) {
  const std::string summary = shard_dir + "/summary.json";
  std::string existing;
  const bool has_summary = reports::ReadFile(summary, &existing).ok();
  reports::RunOutcome outcome;
  outcome.duration_seconds = seconds;
  outcome.postmortem.emplace();
  outcome.postmortem->last_progress = LastProgressLine(shard_dir + "/vstress.log");
  int code = end.exit.exited ? end.exit.code : model::kExitFailure;
  if (end.stopped_by != 0) {
    code = process::ExitCodeForSignal(end.stopped_by);
    outcome.result = "error";
    outcome.error = fmt::format("the sweep was stopped (SIG{}) before the run finished",
                                sigabbrev_np(end.stopped_by));
    outcome.postmortem.reset();
  } else if (end.timed_out) {
    code = model::kExitLiveness;
    outcome.result = "liveness";
    outcome.error = fmt::format(
        "the run passed the shard's time limit of {:.0f}s and was killed (vstress shard)",
        shard.timeout_seconds);
    outcome.postmortem->seconds_without_progress = shard.timeout_seconds;
    outcome.postmortem->stacks = end.stacks.text;
    outcome.postmortem->stacks_source = end.stacks.source;
  } else if (!end.exit.exited && end.exit.start_error.empty()) {
    code = model::kExitFailure;
    if (has_summary && existing.find("\"crash\"") != std::string::npos) return code;
    outcome.result = "crash";
    outcome.error = fmt::format("the process died of SIG{} and left no report of its own",
                                sigabbrev_np(end.exit.signal));
    outcome.postmortem->signal = end.exit.signal;
  } else {
    return code;  // it ended by itself and wrote its own summary (or never started)
  }
  if (has_summary && end.stopped_by != 0) return code;
  outcome.exit_code = code;
  reports::RunInfo info;
  info.driver = shard.driver;
  info.seed = shard.seed;
  info.preset = shard.workload;
  info.mutant = shard.mutant;
  info.store = shard.store;
  if (const stores::StoreKind* kind = stores::FindStore(shard.store)) {
    info.store_version = kind->version();
  }
  info.repro = shard.command;
  info.run_dir = shard_dir;
  engine::Status s = reports::WriteSummaryJson(summary, info, outcome);
  if (s.ok() && !end.stacks.text.empty()) {
    s = reports::WriteFileAtomically(shard_dir + "/" + reports::kStacksFile, end.stacks.text);
  }
  if (!s.ok()) err << "vstress shard: " << s.ToString() << "\n";
  return code;
}

const char* ResultName(int code) {
  switch (code) {
    case model::kExitPass:
      return "pass";
    case model::kExitViolation:
      return "violation";
    case model::kExitLiveness:
      return "liveness";
    case model::kExitFailure:
      return "error or crash";
    case model::kExitUsage:
      return "bad usage";
    default:
      return "error";
  }
}

}  // namespace

int RunShardCommand(const ShardOptions& o, std::ostream& out, std::ostream& err) {
  // A job engine that dies (parallel killed, a Slurm step torn down) stops the shard as a
  // cancellation would: its run gets the signal too.
  prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
  process::InstallStopSignalHandlers();
  std::error_code ec;
  const std::string dir = fs::absolute(o.dir, ec).lexically_normal().string();
  auto plan = ReadPlan(dir);
  if (!plan.ok()) {
    err << "vstress shard: " << plan.status().message() << "\n";
    return model::kExitUsage;
  }
  if (o.index >= plan.value().size()) {
    err << fmt::format("vstress shard: INDEX {} is not in the plan (shards 0-{}): {}\n", o.index,
                       plan.value().size() - 1, PlanPath(dir));
    return model::kExitUsage;
  }
  const ShardPlan& shard = plan.value()[o.index];
  const std::string shard_dir = ShardDir(dir, o.index);
  fs::remove_all(shard_dir, ec);
  fs::create_directories(shard_dir, ec);
  if (ec) {
    err << "vstress shard: cannot create " << shard_dir << ": " << ec.message() << "\n";
    return model::kExitFailure;
  }
  std::vector<std::string> argv = {process::SelfExecutable()};
  argv.insert(argv.end(), shard.argv.begin(), shard.argv.end());
  const std::string started = UtcNow();
  const auto start = std::chrono::steady_clock::now();
  auto child = process::ChildProcess::Start(argv, shard_dir + "/vstress.log");
  ShardEnd end;
  if (child.ok()) {
    end = WaitForRun(&child.value(), shard.timeout_seconds);
  } else {
    end.exit.start_error = child.status().ToString();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int code = RecordEnd(shard, shard_dir, end, seconds, err);
  nlohmann::ordered_json record;
  record["index"] = shard.index;
  record["seed"] = shard.seed;
  record["exit_code"] = code;
  record["exit"] = end.Describe();
  record["seconds"] = seconds;
  record["host"] = HostName();
  record["started"] = started;
  record["finished"] = UtcNow();
  if (engine::Status s =
          reports::WriteFileAtomically(shard_dir + "/shard.json", record.dump(2) + "\n");
      !s.ok()) {
    err << "vstress shard: " << s.ToString() << "\n";
    return model::kExitFailure;
  }
  out << fmt::format("shard {} ({} seed {}): {} ({}) in {:.1f}s: {}\n", shard.index, shard.workload,
                     shard.seed, ResultName(code), end.Describe(), seconds, shard_dir);
  return code;
}

}  // namespace harness::sweep
