// ChildProcess: runs a program (usually this vstress binary) as a child with its output in a file,
// and waits for it with a time limit. `vstress mutants --measure` runs each mutant this way, so a
// crash, a hang or libfiu's process-wide state in one run cannot touch the next; the crash and
// sweep drivers use it too.
//
// Only the child's own process group is signalled, so a Kill reaches whatever the child started.
// A child dies with its parent (PR_SET_PDEATHSIG): a vstress killed with SIGKILL leaves no child
// behind, nor one a dead vstress never stopped (the grace of process_signals.h aside).
//
// Thread contract: thread-compatible (one owner per ChildProcess).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"

namespace harness::process {

// How a child ended.
struct ChildExit {
  bool exited = false;  // true: `code` is its exit status; false: it died of `signal`
  int code = 0;
  int signal = 0;
  bool timed_out = false;        // killed by Wait because it outlived its time limit
  std::string start_error;       // it never started (RunChildren): why
  std::string ToString() const;  // "exit 1", "signal 9 (time limit)", "not started: ..."
};

class ChildProcess {
 public:
  // Starts argv[0] (a path, or a name looked up in PATH) with `argv`, stdin from /dev/null and
  // stdout and stderr appended to `log_path` (empty: inherited). The child leads a new process
  // group.
  static engine::Result<ChildProcess> Start(const std::vector<std::string>& argv,
                                            const std::string& log_path);

  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills and reaps a child nobody waited for.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Waits until the child ends, or kills its process group with SIGKILL after `limit_seconds`
  // (<= 0: no limit). A child is reaped once; later calls return the first result.
  ChildExit Wait(double limit_seconds);
  // One look without blocking: how the child ended, or nothing while it runs. Past `deadline`
  // (if set) a running child's group is killed with SIGKILL and reaped (timed_out).
  std::optional<ChildExit> Poll(std::optional<std::chrono::steady_clock::time_point> deadline);
  // Sends `signal` to the child's process group.
  void Signal(int signal);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<ChildExit> exit_;
};

// One child for RunChildren: what to start and where its output goes.
struct ChildJob {
  std::vector<std::string> argv;
  std::string log_path;
};

// Runs `jobs`, at most `parallel` at a time, started in order; each gets `limit_seconds` (<= 0: no
// limit). Calls `done(index, exit)` as each ends, so a slot is refilled as soon as any child ends
// (a job that could not start reports its reason in exit.start_error). Once a stop signal arrives
// (process_signals.h) no job starts; the running ones get SIGTERM, and SIGKILL after
// kStopGraceSeconds, each still reported to `done`. Returns that signal (0: none came).
int RunChildren(const std::vector<ChildJob>& jobs, int parallel, double limit_seconds,
                const std::function<void(size_t, const ChildExit&)>& done);

// Waits for `child` like ChildProcess::Wait, but a stop signal (process_signals.h) is passed on
// to its group, with SIGKILL after kStopGraceSeconds; `on_poll` (may be null) runs at every poll
// (a watchdog's beat). Sets *stopped_by to the signal, if one came.
ChildExit WaitStoppable(ChildProcess* child, double limit_seconds, int* stopped_by,
                        const std::function<void()>& on_poll = nullptr);

// How a call run in a forked child ended (RunForked).
enum class ForkedEnd { kAnswered, kTimedOut, kDied };

// Runs `call` in a forked child of this process and returns its answer; past `limit_seconds` the
// child is killed (kTimedOut), and a child that ends without answering — it aborted, say — is
// kDied. For work that may hang or crash while the caller must go on (shrink's candidates): the
// child has only the calling thread and a copy of the memory, so `call` must not need another
// thread or anything a lock held elsewhere guards.
ForkedEnd RunForked(double limit_seconds, const std::function<int64_t()>& call, int64_t* answer);

// This program's own executable (/proc/self/exe), for starting copies of vstress.
std::string SelfExecutable();

}  // namespace harness::process
