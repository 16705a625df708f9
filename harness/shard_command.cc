#include "harness/shard_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/child_process.h"
#include "harness/exit_codes.h"
#include "harness/sweep_plan.h"
#include "reports/run_files.h"

namespace harness {
namespace {

namespace fs = std::filesystem;

// The signal a job engine sent to cancel the shard (0: none); set by the handler only.
std::atomic<int> stop_signal{0};

void OnStopSignal(int signal) { stop_signal.store(signal); }

std::string UtcNow() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

// Waits for the run, passing a cancelling signal on to its process group once.
ChildExit WaitForwardingSignals(ChildProcess* child) {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  bool forwarded = false;
  while (true) {
    if (std::optional<ChildExit> e = child->Poll(std::nullopt)) return *e;
    if (const int signal = stop_signal.load(); signal != 0 && !forwarded) {
      child->Signal(signal);
      forwarded = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int ExitCodeOf(const ChildExit& e) {
  if (!e.exited) return kExitFailure;
  return e.code;
}

const char* ResultName(int code) {
  switch (code) {
    case kExitPass:
      return "pass";
    case kExitViolation:
      return "violation";
    case kExitLiveness:
      return "liveness";
    case kExitUsage:
      return "bad usage";
    default:
      return "error";
  }
}

}  // namespace

int RunShardCommand(const ShardOptions& o, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  const std::string dir = fs::absolute(o.dir, ec).lexically_normal().string();
  auto plan = ReadPlan(dir);
  if (!plan.ok()) {
    err << "vstress shard: " << plan.status().message() << "\n";
    return kExitUsage;
  }
  if (o.index >= plan.value().size()) {
    err << fmt::format("vstress shard: INDEX {} is not in the plan (shards 0-{}): {}\n", o.index,
                       plan.value().size() - 1, PlanPath(dir));
    return kExitUsage;
  }
  const ShardPlan& shard = plan.value()[o.index];
  const std::string shard_dir = ShardDir(dir, o.index);
  fs::remove_all(shard_dir, ec);
  fs::create_directories(shard_dir, ec);
  if (ec) {
    err << "vstress shard: cannot create " << shard_dir << ": " << ec.message() << "\n";
    return kExitFailure;
  }
  std::vector<std::string> argv = {SelfExecutable()};
  argv.insert(argv.end(), shard.argv.begin(), shard.argv.end());
  const std::string started = UtcNow();
  const auto start = std::chrono::steady_clock::now();
  auto child = ChildProcess::Start(argv, shard_dir + "/vstress.log");
  ChildExit exit;
  if (child.ok()) {
    exit = WaitForwardingSignals(&child.value());
  } else {
    exit.start_error = child.status().ToString();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int code = ExitCodeOf(exit);
  nlohmann::ordered_json record;
  record["index"] = shard.index;
  record["seed"] = shard.seed;
  record["exit_code"] = code;
  record["exit"] = exit.ToString();
  record["seconds"] = seconds;
  record["host"] = HostName();
  record["started"] = started;
  record["finished"] = UtcNow();
  if (engine::Status s =
          reports::WriteFileAtomically(shard_dir + "/shard.json", record.dump(2) + "\n");
      !s.ok()) {
    err << "vstress shard: " << s.ToString() << "\n";
    return kExitFailure;
  }
  out << fmt::format("shard {} ({} seed {}): {} ({}) in {:.1f}s: {}\n", shard.index, shard.workload,
                     shard.seed, ResultName(code), exit.ToString(), seconds, shard_dir);
  return code;
}

}  // namespace harness
