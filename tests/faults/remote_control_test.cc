// Switching a fault on in a running soak from outside, with libfiu's own `fiu-ctrl`: a `vstress run
// --fiu-control PREFIX` child opens the fifo PREFIX-<pid> and prints its pid; the real fiu-ctrl
// (Debian's fiu-utils) enables engine/wal/append through that fifo; the run must notice (writes
// fail as injected, the DB enters a background error), still end on time, and pass: an injected
// failure is not a correctness violation.
//
// The run lasts 8 s rather than a soak's minutes, which is ample for the switch to land (the
// writers write thousands of ops a second) and keeps this test binary under a minute.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/engine/db_test_util.h"
#include "tests/lib/text.h"

namespace {

using vstress_test::JsonNumber;
using vstress_test::ReadText;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kRunDuration[] = "8s";
// How long vstress may take to print its fiu-control line, and to finish after starting.
constexpr std::chrono::seconds kControlLineTimeout{15};
constexpr std::chrono::seconds kRunTimeout{30};
// How long one fiu-ctrl command may take (it blocks on the fifo until vstress answers).
constexpr std::chrono::seconds kFiuCtrlTimeout{10};
constexpr std::chrono::milliseconds kPollInterval{20};
constexpr char kControlPrefix[] = "fiu-control: ";

// The fiu-ctrl on $PATH (Debian's fiu-utils installs /usr/bin/fiu-ctrl). Empty if none.
std::string FiuCtrlPath() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir) / "fiu-ctrl";
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  return args;
}

// A child process in its own process group, killed with its whole group (fiu-ctrl is a shell
// script whose `cat` of the reply fifo would otherwise outlive it) unless it was waited for.
class Child {
 public:
  // Starts `argv` in directory `cwd`. stdout goes to a pipe when `pipe_stdout`, else to
  // `output_path`; stderr always goes to `output_path`.
  Child(const std::vector<std::string>& argv, const std::string& output_path, bool pipe_stdout,
        const std::string& cwd) {
    int fds[2] = {-1, -1};
    if (pipe_stdout && pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<char*> args = Argv(argv);
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      const int out = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (pipe_stdout) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
      } else {
        dup2(out, STDOUT_FILENO);
      }
      dup2(out, STDERR_FILENO);
      if (chdir(cwd.c_str()) != 0) _exit(126);
      execv(args[0], args.data());
      _exit(127);
    }
    if (pid_ > 0) setpgid(pid_, pid_);  // either side may win the race; both ask the same
    if (pipe_stdout) {
      close(fds[1]);
      stdout_fd_ = fds[0];
      fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
    }
  }
  ~Child() {
    if (pid_ > 0 && !exit_code_ && !waited_) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& stdout_text() const { return stdout_; }

  // Reads stdout until a whole line starting with `prefix` arrives (returned without its
  // newline), the pipe closes, or `deadline` passes (both: nullopt).
  std::optional<std::string> ReadLineStartingWith(const std::string& prefix,
                                                  Clock::time_point deadline) {
    while (true) {
      size_t start = 0;
      for (size_t end; (end = stdout_.find('\n', start)) != std::string::npos; start = end + 1) {
        if (stdout_.compare(start, prefix.size(), prefix) == 0) {
          return stdout_.substr(start, end - start);
        }
      }
      if (!ReadSomeStdout(deadline)) return std::nullopt;
    }
  }

  // Waits for the child to exit, reading its stdout meanwhile; nullopt (and the child killed) if
  // it has not exited by `deadline` or did not exit normally.
  std::optional<int> Wait(Clock::time_point deadline) {
    while (stdout_fd_ >= 0 && ReadSomeStdout(deadline)) {
    }
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(-pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        waited_ = true;
        return std::nullopt;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    waited_ = true;
    if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    return exit_code_;
  }

 private:
  // Appends what stdout has to offer; false once it is closed or `deadline` has passed.
  bool ReadSomeStdout(Clock::time_point deadline) {
    if (stdout_fd_ < 0) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100))) <= 0) return true;
    char buffer[4096];
    const ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n > 0) {
      stdout_.append(buffer, static_cast<size_t>(n));
      return true;
    }
    if (n < 0 && errno == EAGAIN) return true;
    close(stdout_fd_);
    stdout_fd_ = -1;
    return false;
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stdout_;
  std::optional<int> exit_code_;
  bool waited_ = false;
};

// Runs fiu-ctrl with `command` against `pid`'s fifo under `prefix`; returns its output, with a
// test failure if it did not finish in time, failed, or reported an error.
std::string FiuCtrl(const std::string& fiu_ctrl, const std::string& prefix,
                    const std::string& command, pid_t pid, const std::string& output_path,
                    const std::string& cwd) {
  Child ctrl({fiu_ctrl, "-f", prefix, "-c", command, std::to_string(pid)}, output_path,
             /*pipe_stdout=*/false, cwd);
  const std::optional<int> code = ctrl.Wait(Clock::now() + kFiuCtrlTimeout);
  const std::string output = ReadText(output_path);
  EXPECT_EQ(code, 0) << "fiu-ctrl '" << command << "' did not finish cleanly: " << output;
  // fiu-ctrl exits 0 even when it skips an unknown pid or the process refuses the command.
  EXPECT_EQ(output.find("rror"), std::string::npos) << "fiu-ctrl '" << command << "': " << output;
  return output;
}

// Proves `fiu-ctrl -f PREFIX -c "enable name=engine/wal/append" PID` reaches a running `vstress
// run --fiu-control PREFIX`: writes start failing as injected, the DB enters a background error,
// and the run still ends on time and passes (injected failures are not violations).
TEST(RemoteControlTest, FiuCtrlEnablesAWalFaultInARunningSoak) {
  // The vstress binary of this build (tests/CMakeLists.txt makes this binary depend on it).
  const std::string vstress = VSTRESS_BINARY;
  ASSERT_TRUE(fs::exists(vstress)) << vstress << " is missing (build the `vstress` target)";
  const std::string fiu_ctrl = FiuCtrlPath();
  ASSERT_FALSE(fiu_ctrl.empty()) << "fiu-ctrl is not on $PATH (Debian package fiu-utils; "
                                    "scripts/install-deps.sh installs it)";
  vstress_test::TempDir temp;
  const fs::path dir = fs::path(temp.path()).parent_path();
  // fiu-ctrl, a shell script, leaves the fifo path unquoted, so the prefix must hold no space
  // whatever $TMPDIR holds: it is relative to `dir`, where both processes run.
  const std::string prefix = "fiu";
  const std::string run_dir = (dir / "run").string();
  const auto started = Clock::now();
  Child run({vstress, "run", "--preset", "smoke", "--duration", kRunDuration, "--progress", "off",
             "--fiu-control", prefix, "--out", run_dir},
            (dir / "vstress-stderr.txt").string(), /*pipe_stdout=*/true, dir.string());
  ASSERT_GT(run.pid(), 0) << "fork failed";

  const std::optional<std::string> line =
      run.ReadLineStartingWith(kControlPrefix, started + kControlLineTimeout);
  ASSERT_TRUE(line.has_value()) << "no '" << kControlPrefix << "' line; stdout:\n"
                                << run.stdout_text() << "stderr:\n"
                                << ReadText((dir / "vstress-stderr.txt").string());
  // The line ends with the pid whose fifo fiu-ctrl must write to: the child's own.
  const std::string pid_text = line->substr(line->find_last_of(' ') + 1);
  ASSERT_EQ(pid_text, std::to_string(run.pid())) << *line;
  EXPECT_TRUE(fs::is_fifo(dir / (prefix + "-" + pid_text + ".in")))
      << "no control fifo for " << *line;
  // The printed command is the one to run: it names the fifo prefix.
  EXPECT_NE(std::string::npos, line->find("fiu-ctrl -f " + prefix + " -c")) << *line;

  FiuCtrl(fiu_ctrl, prefix, "enable name=engine/wal/append", run.pid(),
          (dir / "fiu-ctrl.txt").string(), dir.string());

  const std::optional<int> exit_code = run.Wait(started + kRunTimeout);
  ASSERT_TRUE(exit_code.has_value())
      << "the run did not end within " << kRunTimeout.count() << " s; stdout:\n"
      << run.stdout_text();
  const std::string summary = ReadText(run_dir + "/summary.json");
  ASSERT_FALSE(summary.empty()) << "no summary.json; stdout:\n" << run.stdout_text();
  EXPECT_EQ(*exit_code, 0) << run.stdout_text();
  EXPECT_NE(summary.find("\"result\": \"pass\""), std::string::npos) << summary;
  EXPECT_EQ(JsonNumber(summary, "violations"), 0u) << summary;
  // The switched-on point failed writes, and the first failed WAL append stopped further writes
  // with a background error; none of it was unexpected.
  EXPECT_GT(JsonNumber(summary, "errors_injected").value_or(0), 0u) << summary;
  EXPECT_EQ(JsonNumber(summary, "errors_unexpected"), 0u) << summary;
  EXPECT_GE(JsonNumber(summary, "background_errors").value_or(0), 1u) << summary;
  // The controller counts only its own rules' fires, and no rule names the WAL point.
  EXPECT_EQ(summary.find("\"engine/wal/append\""), std::string::npos) << summary;
  EXPECT_EQ(ReadText(run_dir + "/faults.log").find("point=engine/wal/append"), std::string::npos);
}

}  // namespace
