#include "harness/process/process_signals.h"

#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace harness::process {
namespace {

std::atomic<int> stop_signal{0};

void OnStopSignal(int signal) {
  int none = 0;
  stop_signal.compare_exchange_strong(none, signal);
}

// ---- the crash report: everything the handler needs, prepared before it can run ----------------

constexpr size_t kPathBytesMax = 4096;
constexpr size_t kIdentityBytesMax = 8192;
constexpr size_t kProgressBytesMax = 1024;
// Characters of a progress line kept: escaped, each takes at most 6 bytes of the buffer.
constexpr size_t kProgressCharsMax = 160;
static_assert(kProgressCharsMax * 6 < kProgressBytesMax);
// How long the handler gives gdb to print every thread's stack.
constexpr int kGdbSecondsMax = 30;

char summary_path[kPathBytesMax];
char stacks_path[kPathBytesMax];
char gdb_path[kPathBytesMax];  // empty: no gdb on PATH
char identity_json[kIdentityBytesMax];
// Two buffers for the last progress line: SetLastProgress fills the one not shown, then flips.
char progress[2][kProgressBytesMax];
std::atomic<int> progress_shown{0};
std::atomic<bool> crashing{false};

bool CopyInto(char* out, size_t size, std::string_view text) {
  if (text.size() + 1 > size) return false;
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return true;
}

// write(2) all of `text` (async-signal-safe).
void WriteAll(int fd, const char* text, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, text, size);
    if (n <= 0) return;
    text += n;
    size -= static_cast<size_t>(n);
  }
}
void WriteText(int fd, const char* text) { WriteAll(fd, text, strlen(text)); }

void WriteNumber(int fd, long value) {
  char digits[24];
  size_t i = sizeof(digits);
  const bool negative = value < 0;
  unsigned long v =
      negative ? static_cast<unsigned long>(-value) : static_cast<unsigned long>(value);
  do {
    digits[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative) digits[--i] = '-';
  WriteAll(fd, digits + i, sizeof(digits) - i);
}

// Every thread's stack from gdb, appended to `fd`; true when gdb ran to the end.
bool AppendGdbStacks(int fd) {
  if (gdb_path[0] == '\0') return false;
  char pid_text[24];
  snprintf(pid_text, sizeof(pid_text), "%d", getpid());
  const pid_t child = _Fork();
  if (child == 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    char arg_nx[] = "-nx", arg_batch[] = "-batch", arg_p[] = "-p", arg_ex[] = "-ex",
         arg_ex2[] = "-ex", pagination[] = "set pagination off", bt[] = "thread apply all bt";
    char* argv[] = {gdb_path, arg_nx,     arg_batch, arg_p, pid_text,
                    arg_ex,   pagination, arg_ex2,   bt,    nullptr};
    execve(gdb_path, argv, environ);
    _exit(127);
  }
  if (child < 0) return false;
  const timespec tick = {0, 50'000'000};
  for (int waited = 0; waited < kGdbSecondsMax * 20; waited++) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) {
      return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    nanosleep(&tick, nullptr);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return false;
}

void OnFatalSignal(int signal) {
  if (crashing.exchange(true)) _exit(4);  // a second fault inside the handler
  const char* name = sigabbrev_np(signal);
  const int stacks = open(stacks_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  bool from_gdb = false;
  if (stacks >= 0) {
    WriteText(stacks, "vstress died of SIG");
    WriteText(stacks, name != nullptr ? name : "?");
    WriteText(stacks, "; the dying thread's frames:\n");
    void* frames[64];
    backtrace_symbols_fd(frames, backtrace(frames, 64), stacks);
    WriteText(stacks, "\nevery thread (gdb):\n");
    from_gdb = AppendGdbStacks(stacks);
    close(stacks);
  }
  const int summary = open(summary_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (summary >= 0) {
    WriteText(
        summary,
        "{\n  \"result\": \"crash\",\n  \"exit_code\": 4,\n  \"error\": \"the process died of SIG");
    WriteText(summary, name != nullptr ? name : "?");
    WriteText(summary, "\",\n  ");
    WriteText(summary, identity_json);
    WriteText(summary, ",\n  \"postmortem\": {\"signal\": ");
    WriteNumber(summary, signal);
    WriteText(summary, ", \"signal_name\": \"SIG");
    WriteText(summary, name != nullptr ? name : "?");
    WriteText(summary, "\", \"last_progress\": \"");
    WriteText(summary, progress[progress_shown.load() & 1]);
    WriteText(summary, "\", \"stacks\": \"stacks.txt\", \"stacks_source\": \"");
    WriteText(summary, from_gdb ? "gdb" : "backtrace");
    WriteText(summary, "\"}\n}\n");
    close(summary);
  }
  _exit(4);
}

// The absolute path of gdb on PATH ("" when there is none).
std::string FindGdb() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/gdb";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// `text` as the inside of a JSON string.
std::string JsonEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void InstallStopSignalHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaction(signal, &action, nullptr);
}

int StopSignal() { return stop_signal.load(); }

int ExitCodeForSignal(int signal) { return 128 + signal; }

void InstallCrashReport(const std::string& run_dir, const std::string& identity) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string dir = fs::absolute(run_dir, ec).string();
  if (!CopyInto(summary_path, sizeof(summary_path), dir + "/summary.json") ||
      !CopyInto(stacks_path, sizeof(stacks_path), dir + "/stacks.txt") ||
      !CopyInto(gdb_path, sizeof(gdb_path), FindGdb()) ||
      !CopyInto(identity_json, sizeof(identity_json), identity)) {
    return;  // too long to keep: no crash report (the parent records the crash)
  }
  // backtrace() loads libgcc on its first call, which is not safe inside a handler: now instead.
  void* frames[4];
  backtrace(frames, 4);
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  struct sigaction action = {};
  action.sa_handler = OnFatalSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reports a bad access itself, with more than a backtrace: its handler stays.
  for (int signal : {SIGABRT, SIGFPE, SIGILL}) sigaction(signal, &action, nullptr);
#else
  for (int signal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) sigaction(signal, &action, nullptr);
#endif
}

void SetLastProgress(std::string_view line) {
  const int next = (progress_shown.load() + 1) & 1;
  const std::string escaped = JsonEscaped(line.substr(0, kProgressCharsMax));
  CopyInto(progress[next], sizeof(progress[next]), escaped);
  progress_shown.store(next);
}

}  // namespace harness::process
