#include "harness/drivers/watchdog.h"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "harness/drivers/sim_driver.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "reports/run_files.h"

namespace harness::drivers {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// How often the watchdog looks for a beat.
constexpr auto kPollInterval = std::chrono::milliseconds(100);

std::string ReadSmallFile(const std::string& path) {
  std::string text;
  if (!reports::ReadFile(path, &text).ok()) return "?";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

// Each thread's name, state and kernel wait channel, from /proc.
std::string WaitChannels(pid_t pid) {
  std::string text;
  std::error_code ec;
  const fs::path tasks = fmt::format("/proc/{}/task", pid);
  for (const auto& entry : fs::directory_iterator(tasks, ec)) {
    const std::string dir = entry.path().string();
    const std::string stat = ReadSmallFile(dir + "/stat");
    // The state letter follows the ")" that ends the thread's name.
    const size_t close = stat.rfind(')');
    const char state =
        close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : '?';
    text += fmt::format("thread {} ({}): state {}, wchan {}\n", entry.path().filename().string(),
                        ReadSmallFile(dir + "/comm"), state, ReadSmallFile(dir + "/wchan"));
  }
  return text;
}

// gdb's "thread apply all bt" of `pid`, or "" when gdb is missing or cannot attach.
std::string GdbStacks(pid_t pid, double limit_seconds) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string log =
      std::string(tmpdir != nullptr && *tmpdir != 0 ? tmpdir : "/tmp") + "/vstress-stacks-XXXXXX";
  const int fd = mkstemp(log.data());
  if (fd < 0) return "";
  close(fd);
  auto gdb = process::ChildProcess::Start({"gdb", "-nx", "-batch", "-p", std::to_string(pid), "-ex",
                                           "set pagination off", "-ex", "thread apply all bt"},
                                          log);
  std::string text;
  if (gdb.ok()) {
    gdb.value().Wait(limit_seconds);
    reports::ReadFile(log, &text);
  }
  std::error_code ec;
  fs::remove(log, ec);
  // gdb that could not attach prints no "Thread N" header.
  return text.find("\nThread ") == std::string::npos && !text.starts_with("Thread ") ? "" : text;
}

}  // namespace

Stacks CollectStacks(pid_t pid, double gdb_limit_seconds) {
  if (pid == 0) pid = getpid();
  Stacks stacks;
  stacks.text = GdbStacks(pid, gdb_limit_seconds);
  if (!stacks.text.empty()) {
    stacks.source = "gdb";
    return stacks;
  }
  stacks.text = WaitChannels(pid);
  stacks.source = "wchan";
  return stacks;
}

void AllowStackCollection() {
#ifdef PR_SET_PTRACER
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
#endif
}

double StallBoundSeconds(double watchdog_seconds) { return 2 * watchdog_seconds; }

Watchdog::Watchdog(Options options) : options_(std::move(options)) {
  AllowStackCollection();
  thread_ = std::thread([this] { Main(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> guard(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void Watchdog::Watch(Describe describe) {
  std::lock_guard<std::mutex> guard(describe_mu_);
  describe_ = std::move(describe);
  Beat();
}

void Watchdog::Unwatch() {
  std::lock_guard<std::mutex> guard(describe_mu_);
  describe_ = nullptr;
  Beat();
}

void Watchdog::Main() {
  const auto bound = std::chrono::duration<double>(options_.stall_seconds);
  uint64_t last_beats = beats_.load(std::memory_order_acquire);
  auto last_progress = SteadyClock::now();
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, kPollInterval);
    if (stop_) break;
    const uint64_t beats = beats_.load(std::memory_order_acquire);
    const auto now = SteadyClock::now();
    if (beats != last_beats) {
      last_beats = beats;
      last_progress = now;
      continue;
    }
    if (now - last_progress < bound) continue;
    lock.unlock();
    HandleStall(std::chrono::duration<double>(now - last_progress).count());
    return;
  }
}

void Watchdog::HandleStall(double seconds) {
  Stall stall;
  stall.seconds_without_progress = seconds;
  stall.stacks = CollectStacks();
  std::optional<SimRun> sim;
  reports::RunOutcome outcome;
  {
    std::lock_guard<std::mutex> guard(describe_mu_);
    if (describe_) {
      outcome = describe_(stall, &sim);
    } else {
      outcome.error = fmt::format("no progress for {:.0f}s outside any driver", seconds);
    }
  }
  outcome.result = "liveness";
  outcome.exit_code = model::kExitLiveness;
  if (!outcome.postmortem) outcome.postmortem.emplace();
  outcome.postmortem->seconds_without_progress = seconds;
  outcome.postmortem->stacks = std::move(stall.stacks.text);
  outcome.postmortem->stacks_source = stall.stacks.source;
  if (options_.on_stall) options_.on_stall(std::move(outcome), sim ? &*sim : nullptr);
  fired_ = true;
  if (!options_.exit_process) return;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(model::kExitLiveness);
}

}  // namespace harness::drivers
