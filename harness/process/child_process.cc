#include "harness/process/child_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "harness/process/process_signals.h"

extern char** environ;

namespace harness::process {
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

// argv[0] as execve needs it: a path, or the first match on PATH ("" when there is none).
std::string ResolveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate =
        (end == start ? std::string(".") : dirs.substr(start, end - start)) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

engine::Result<ChildProcess> ChildProcess::Start(const std::vector<std::string>& argv,
                                                 const std::string& log_path) {
  if (argv.empty()) return engine::Status::InvalidArgument("no program to start");
  const std::string program = ResolveProgram(argv[0]);
  if (program.empty()) {
    return engine::Status::FromErrno(ENOENT, "starting " + argv[0] + ": not found on PATH");
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The child reports a failed exec through this pipe (closed on a successful exec).
  int exec_error[2];
  if (pipe2(exec_error, O_CLOEXEC) != 0) return engine::Status::FromErrno(errno, "pipe");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int e = errno;
    close(exec_error[0]);
    close(exec_error[1]);
    return engine::Status::FromErrno(e, "starting " + argv[0]);
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here to execve: the parent may have other threads.
    setpgid(0, 0);
    // The child dies with its parent, whatever kills the parent (process_signals.h).
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent) _exit(127);
    const int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, STDIN_FILENO);
    if (!log_path.empty()) {
      const int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
      }
    }
    execve(program.c_str(), args.data(), environ);
    const int e = errno;
    (void)!write(exec_error[1], &e, sizeof(e));
    _exit(127);
  }
  close(exec_error[1]);
  int child_errno = 0;
  const ssize_t n = read(exec_error[0], &child_errno, sizeof(child_errno));
  close(exec_error[0]);
  if (n == sizeof(child_errno)) {
    waitpid(pid, nullptr, 0);
    return engine::Status::FromErrno(child_errno, "starting " + argv[0]);
  }
  // Also from here: the child may not have reached setpgid yet when the caller signals it.
  setpgid(pid, pid);
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

ForkedEnd RunForked(double limit_seconds, const std::function<int64_t()>& call, int64_t* answer) {
  int result[2];
  if (pipe2(result, O_CLOEXEC) != 0) return ForkedEnd::kDied;
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t child = fork();
  if (child < 0) {
    close(result[0]);
    close(result[1]);
    return ForkedEnd::kDied;
  }
  if (child == 0) {
    close(result[0]);
    const int64_t value = call();
    (void)!write(result[1], &value, sizeof(value));
    _exit(0);
  }
  close(result[1]);
  pollfd ready = {result[0], POLLIN, 0};
  int waited;
  do {
    waited = poll(&ready, 1, static_cast<int>(limit_seconds * 1000));
  } while (waited < 0 && errno == EINTR);
  const bool answered = waited > 0 && read(result[0], answer, sizeof(*answer)) == sizeof(*answer);
  close(result[0]);
  if (!answered) kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  if (answered) return ForkedEnd::kAnswered;
  return waited == 0 ? ForkedEnd::kTimedOut : ForkedEnd::kDied;
}

std::string SelfExecutable() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::canonical("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

// A stop signal's way with running children: SIGTERM to each group at once, SIGKILL to what
// is left after the grace.
class StopEscalation {
 public:
  // True while children should still be waited for; sends the signals as time goes on.
  template <typename Each>
  void Apply(int signal, Each each_child) {
    if (signal == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (!term_sent_) {
      term_sent_ = true;
      kill_at_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(kStopGraceSeconds));
      each_child([](ChildProcess& c) { c.Signal(SIGTERM); });
    } else if (!kill_sent_ && now >= kill_at_) {
      kill_sent_ = true;
      each_child([](ChildProcess& c) { c.Signal(SIGKILL); });
    }
  }

 private:
  bool term_sent_ = false;
  bool kill_sent_ = false;
  std::chrono::steady_clock::time_point kill_at_;
};

ChildExit WaitStoppable(ChildProcess* child, double limit_seconds, int* stopped_by,
                        const std::function<void()>& on_poll) {
  const auto deadline = DeadlineAfter(limit_seconds);
  StopEscalation stop;
  while (true) {
    if (std::optional<ChildExit> e = child->Poll(deadline)) return *e;
    if (const int signal = StopSignal(); signal != 0) {
      *stopped_by = signal;
      stop.Apply(signal, [child](auto send) { send(*child); });
    }
    if (on_poll) on_poll();
    std::this_thread::sleep_for(kPollInterval);
  }
}

int RunChildren(const std::vector<ChildJob>& jobs, int parallel, double limit_seconds,
                const std::function<void(size_t, const ChildExit&)>& done) {
  struct Running {
    size_t index;
    ChildProcess child;
    std::optional<std::chrono::steady_clock::time_point> deadline;
  };
  std::vector<Running> running;
  size_t next = 0;
  StopEscalation stop;
  int stopped_by = 0;
  while ((next < jobs.size() && stopped_by == 0) || !running.empty()) {
    stopped_by = StopSignal();
    while (stopped_by == 0 && next < jobs.size() &&
           running.size() < static_cast<size_t>(std::max(parallel, 1))) {
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
    stop.Apply(stopped_by, [&running](auto send) {
      for (Running& r : running) send(r.child);
    });
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
  return stopped_by;
}

}  // namespace harness::process
