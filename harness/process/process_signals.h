// How a vstress process meets signals.
//
// Stop signals (SIGTERM, SIGINT, SIGHUP), in a process that starts children (a sweep, a shard, the
// kill driver, enumerate, measure): the handler only records the signal; the loop that waits for
// the children sees it (StopSignal), terminates their process groups, waits a short grace
// (kStopGraceSeconds), kills what is left, writes what finished, and the process exits with the
// signal's code (128 + signal), as a shell would report it. A CI job that times out leaves no
// workload behind.
//
// A parent that dies without that chance (SIGKILL) still takes its children along: every process
// ChildProcess starts dies with its parent (PR_SET_PDEATHSIG, child_process.h).
//
// Fatal signals (SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL) in a process running a workload: the
// handler writes the run's last words with async-signal-safe calls only — stacks.txt (this
// thread's backtrace, then every thread's from gdb when it can attach) and a summary.json with
// result "crash", the signal, the last progress line and the exit code 4 — and exits 4. Its
// parent (a shard, the kill driver) reads that, or records the crash itself when the process left
// nothing.
//
// Thread contract: thread-safe (the Install* calls once, from main's thread, before other threads
// start; the rest from any thread).
#pragma once

#include <string>
#include <string_view>

namespace harness::process {

// Seconds between the polite stop (SIGTERM to a child's group) and SIGKILL.
inline constexpr double kStopGraceSeconds = 10;

void InstallStopSignalHandlers();
// The first stop signal received (0: none).
int StopSignal();
// The exit code of a process ended by `signal`: 128 + signal.
int ExitCodeForSignal(int signal);

// Makes a fatal signal write `run_dir`'s crash report (the file comment). `identity` holds the
// summary's fixed members as JSON text without braces (`"seed": 1, "preset": "smoke", ...`).
void InstallCrashReport(const std::string& run_dir, const std::string& identity);
// The line a crash report quotes as the last progress (kept for the handler, already escaped).
void SetLastProgress(std::string_view line);

}  // namespace harness::process
