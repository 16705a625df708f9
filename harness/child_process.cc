#include "harness/child_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

extern char** environ;

namespace harness {
namespace {

ChildExit Decode(int status) {
  ChildExit e;
  if (WIFEXITED(status)) {
    e.exited = true;
    e.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  }
  return e;
}

// Polling interval while a child runs (waitpid has no timeout).
constexpr auto kPollInterval = std::chrono::milliseconds(20);

// `seconds` from now; none for a limit <= 0.
std::optional<std::chrono::steady_clock::time_point> DeadlineAfter(double seconds) {
  if (seconds <= 0) return std::nullopt;
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(seconds));
}

}  // namespace

std::string ChildExit::ToString() const {
  if (!start_error.empty()) return "not started: " + start_error;
  if (exited) return fmt::format("exit {}", code);
  return fmt::format("signal {}{}", signal, timed_out ? " (time limit)" : "");
}

engine::Result<ChildProcess> ChildProcess::Start(const std::vector<std::string>& argv,
                                                 const std::string& log_path) {
  if (argv.empty()) return engine::Status::InvalidArgument("no program to start");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!log_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return engine::Status::FromErrno(rc, "starting " + argv[0]);
  return ChildProcess(pid);
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    this->~ChildProcess();
    pid_ = other.pid_;
    exit_ = other.exit_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_) {
    Signal(SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void ChildProcess::Signal(int signal) {
  if (pid_ > 0 && !exit_) kill(-pid_, signal);
}

std::optional<ChildExit> ChildProcess::Poll(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (exit_) return exit_;
  int status = 0;
  pid_t done = 0;
  do {
    done = waitpid(pid_, &status, WNOHANG);
  } while (done < 0 && errno == EINTR);
  if (done < 0) {
    exit_ = ChildExit{};  // not our child any more: nothing to report
    return exit_;
  }
  if (done == pid_) {
    exit_ = Decode(status);
    // Whatever the child left running in its group goes with it.
    kill(-pid_, SIGKILL);
    return exit_;
  }
  if (deadline && std::chrono::steady_clock::now() >= *deadline) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    exit_ = Decode(status);
    exit_->timed_out = true;
    return exit_;
  }
  return std::nullopt;
}

ChildExit ChildProcess::Wait(double limit_seconds) {
  const auto deadline = DeadlineAfter(limit_seconds);
  while (true) {
    if (std::optional<ChildExit> e = Poll(deadline)) return *e;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string SelfExecutable() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::canonical("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

void RunChildren(const std::vector<ChildJob>& jobs, int parallel, double limit_seconds,
                 const std::function<void(size_t, const ChildExit&)>& done) {
  struct Running {
    size_t index;
    ChildProcess child;
    std::optional<std::chrono::steady_clock::time_point> deadline;
  };
  std::vector<Running> running;
  size_t next = 0;
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && running.size() < static_cast<size_t>(std::max(parallel, 1))) {
      const size_t index = next++;
      auto child = ChildProcess::Start(jobs[index].argv, jobs[index].log_path);
      if (!child.ok()) {
        ChildExit failed;
        failed.start_error = child.status().ToString();
        done(index, failed);
        continue;
      }
      running.push_back({index, std::move(child).value(), DeadlineAfter(limit_seconds)});
    }
    bool any_ended = false;
    for (size_t i = 0; i < running.size();) {
      if (std::optional<ChildExit> e = running[i].child.Poll(running[i].deadline)) {
        const size_t index = running[i].index;
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        done(index, *e);
        any_ended = true;
      } else {
        i++;
      }
    }
    if (!any_ended && !running.empty()) std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace harness
