#include "harness/sweep/executors.h"

#include <fmt/format.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <thread>

#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/process/process_signals.h"
#include "reports/run_files.h"

namespace harness::sweep {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// "1h02m", "3m05s", "12s".
std::string FormatSeconds(double seconds) {
  const auto s = static_cast<uint64_t>(std::max(0.0, seconds));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

// The sweep's progress: done / failed / running and an ETA from the pace so far. On a terminal
// one line rewritten in place; otherwise (a CI log, "plain") a line per finished shard.
class Progress {
 public:
  Progress(uint64_t total, int jobs, const std::string& mode, std::ostream& out)
      : total_(total), jobs_(jobs), out_(out), start_(Clock::now()) {
    enabled_ = mode != "off";
    in_place_ = mode == "on" || (mode == "auto" && isatty(STDOUT_FILENO));
  }

  // A shard ended with `code` (`what`: its one-line description).
  void Ended(int code, const std::string& what) {
    done_++;
    if (code != model::kExitPass) failed_++;
    if (!enabled_) return;
    const std::string line = Line();
    if (in_place_) {
      out_ << "\r\033[K" << line << std::flush;
      if (done_ == total_) out_ << "\n";
    } else {
      out_ << what << "  [" << line << "]\n" << std::flush;
    }
  }

 private:
  std::string Line() const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const uint64_t left = total_ - done_;
    const uint64_t running = std::min<uint64_t>(left, static_cast<uint64_t>(jobs_));
    const std::string eta =
        done_ == 0 ? "?" : FormatSeconds(elapsed / static_cast<double>(done_) * left);
    return fmt::format("sweep: {}/{} done, {} failed, {} running, {} elapsed, ETA {}", done_,
                       total_, failed_, running, FormatSeconds(elapsed), eta);
  }

  const uint64_t total_;
  const int jobs_;
  std::ostream& out_;
  const Clock::time_point start_;
  bool enabled_ = true;
  bool in_place_ = false;
  uint64_t done_ = 0;
  uint64_t failed_ = 0;
};

std::string Quoted(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& a : argv) line += (line.empty() ? "" : " ") + reports::ShellQuote(a);
  return line;
}

// Runs a job engine's command line (sbatch, parallel) to the end; its output goes to `log`.
ExecutorResult RunTool(const std::vector<std::string>& argv, const std::string& log,
                       std::string* output) {
  ExecutorResult r;
  auto child = process::ChildProcess::Start(argv, log);
  if (!child.ok()) {
    r.error = fmt::format(
        "cannot run {}: {} (is it installed? scripts/install-deps.sh installs "
        "it)",
        argv[0], child.status().message());
    return r;
  }
  const process::ChildExit e = process::WaitStoppable(&child.value(), 0, &r.stopped_by);
  reports::ReadFile(log, output);
  if (r.stopped_by != 0) return r;
  if (!e.exited || e.code != 0) {
    r.error = fmt::format("`{}` failed ({}): {}", Quoted(argv), e.ToString(), *output);
    r.merge_exit = e.exited ? e.code : -1;
    return r;
  }
  r.ran = true;
  return r;
}

// sbatch --parsable prints "JOBID" or "JOBID;CLUSTER".
std::string JobIdOf(const std::string& output) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string id = line.substr(0, line.find(';'));
    if (!id.empty() && id.find_first_not_of("0123456789") == std::string::npos) return id;
  }
  return {};
}

engine::Status WriteScript(const std::string& path, const std::string& body) {
  if (engine::Status s = reports::WriteFileAtomically(path, body); !s.ok()) return s;
  std::error_code ec;
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);
  return engine::Status::Ok();
}

// One finished job of GNU parallel's joblog: a tab-separated line after the header (Seq, Host,
// Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command).
struct JoblogRow {
  std::string host;
  std::string exit_value;
  std::string command;
};

std::vector<JoblogRow> ReadJoblog(const std::string& path) {
  std::vector<JoblogRow> rows;
  std::string text;
  if (!reports::ReadFile(path, &text).ok()) return rows;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.size() < 9) continue;  // a line parallel is still writing
    rows.push_back({fields[1], fields[6], fields[8]});
  }
  return rows;
}

// Reports the joblog's rows after the first `seen` to `progress`; returns how many there are.
size_t ReportJoblog(const std::string& joblog, size_t seen, Progress* progress) {
  const std::vector<JoblogRow> rows = ReadJoblog(joblog);
  for (size_t i = seen; i < rows.size(); i++) {
    const JoblogRow& r = rows[i];
    // The command ends with the shard's index.
    const std::string index = r.command.substr(r.command.find_last_of(' ') + 1);
    progress->Ended(r.exit_value == "0" ? model::kExitPass : model::kExitFailure,
                    fmt::format("shard {}: exit {} on {}", index, r.exit_value,
                                r.host == ":" ? "this machine" : r.host));
  }
  return std::max(seen, rows.size());
}

// The executor's own limit for one shard: the shard's, plus a margin for the shard to take its
// run's stacks and record it (0: none).
double BackstopSeconds(const ExecutorOptions& o) {
  return o.shard_timeout_max > 0 ? o.shard_timeout_max + kExecutorMarginSeconds : 0;
}

// Runs a job engine's command line that waits (sbatch --wait, parallel), calling `on_poll` while
// it runs; a stop signal reaches its process group (parallel passes SIGTERM on to its jobs).
process::ChildExit WaitForTool(process::ChildProcess* child, int* stopped_by,
                               const std::function<void()>& on_poll) {
  return process::WaitStoppable(child, 0, stopped_by, on_poll);
}

}  // namespace

ExecutorResult RunLocal(const ExecutorOptions& o, std::ostream& out) {
  std::vector<process::ChildJob> jobs;
  for (uint64_t i = 0; i < o.shards; i++) {
    // The shard's own one-line result goes to a log beside the sweep's files.
    jobs.push_back({{o.vstress, "shard", o.dir, std::to_string(i)},
                    fmt::format("{}/local/shard-{}.log", o.dir, i)});
  }
  std::error_code ec;
  fs::create_directories(o.dir + "/local", ec);
  Progress progress(o.shards, o.jobs, o.progress, out);
  ExecutorResult r;
  r.stopped_by = process::RunChildren(
      jobs, o.jobs, BackstopSeconds(o), [&](size_t index, const process::ChildExit& e) {
        std::string line;
        reports::ReadFile(jobs[index].log_path, &line);
        if (!line.empty() && line.back() == '\n') line.pop_back();
        if (line.empty()) line = fmt::format("shard {}: {}", index, e.ToString());
        progress.Ended(e.exited ? e.code : model::kExitFailure, line);
      });
  r.ran = r.stopped_by == 0;
  return r;
}

ExecutorResult RunSlurm(const ExecutorOptions& o, std::ostream& out) {
  const std::string slurm = o.dir + "/slurm";
  std::error_code ec;
  fs::create_directories(slurm, ec);
  const std::string shard_script = slurm + "/shard.sh";
  const std::string merge_script = slurm + "/merge.sh";
  engine::Status s = WriteScript(
      shard_script, fmt::format("#!/bin/sh\n# One shard of a vstress sweep per array task.\n"
                                "exec {} shard {} \"$SLURM_ARRAY_TASK_ID\"\n",
                                reports::ShellQuote(o.vstress), reports::ShellQuote(o.dir)));
  if (s.ok()) {
    s = WriteScript(merge_script,
                    fmt::format("#!/bin/sh\n# The sweep's merge, after every shard has ended.\n"
                                "exec {} {}\n",
                                reports::ShellQuote(o.vstress), Quoted(o.merge_args)));
  }
  if (!s.ok()) return {false, s.ToString(), -1};
  std::vector<std::string> array = {"sbatch",     "--parsable",
                                    "--job-name", "vstress-sweep",
                                    "--array",    fmt::format("0-{}%{}", o.shards - 1, o.jobs),
                                    "--output",   slurm + "/shard-%a.out"};
  if (const double limit = BackstopSeconds(o); limit > 0) {
    // Slurm counts whole minutes: the backstop, rounded up.
    array.insert(array.end(), {"--time", std::to_string(static_cast<int>(std::ceil(limit / 60)))});
  }
  array.insert(array.end(), o.slurm_args.begin(), o.slurm_args.end());
  array.push_back(shard_script);
  std::string output;
  ExecutorResult r = RunTool(array, slurm + "/sbatch-array.log", &output);
  if (!r.ran) return r;
  const std::string array_id = JobIdOf(output);
  if (array_id.empty()) return {false, "sbatch printed no job id: " + output, -1};
  std::vector<std::string> merge = {"sbatch",        "--parsable",        "--job-name",
                                    "vstress-merge", "--dependency",      "afterany:" + array_id,
                                    "--output",      slurm + "/merge.out"};
  merge.insert(merge.end(), o.slurm_args.begin(), o.slurm_args.end());
  if (o.wait) merge.push_back("--wait");
  merge.push_back(merge_script);
  out << fmt::format("slurm: job array {} ({} shards, {} at a time), merge job after it{}\n",
                     array_id, o.shards, o.jobs, o.wait ? "; waiting for it" : "")
      << std::flush;
  r = RunTool(merge, slurm + "/sbatch-merge.log", &output);
  if (r.stopped_by != 0) {
    // Stopped while waiting: the jobs go too (Slurm sends their shards SIGTERM, then SIGKILL).
    std::vector<std::string> cancel = {"scancel", array_id};
    if (const std::string merge_id = JobIdOf(output); !merge_id.empty()) cancel.push_back(merge_id);
    // Not through RunTool: the stop signal would stop scancel too.
    if (auto scancel = process::ChildProcess::Start(cancel, slurm + "/scancel.log"); scancel.ok()) {
      scancel.value().Wait(process::kStopGraceSeconds);
    }
    out << fmt::format("slurm: stopped by SIG{}: cancelled job {}\n", sigabbrev_np(r.stopped_by),
                       array_id);
    return r;
  }
  // With --wait sbatch exits with the merge job's code once it has printed the job's id: a
  // failing sweep is not an sbatch error.
  const bool submitted = !JobIdOf(output).empty();
  if (!r.ran && !(o.wait && submitted && r.merge_exit > 0)) return r;
  if (o.wait) r.merge_exit = r.ran ? 0 : r.merge_exit;
  r.ran = true;
  r.error.clear();
  out << fmt::format("slurm: merge job {}; {}/nightly.html when it ends\n", JobIdOf(output), o.dir);
  return r;
}

ExecutorResult RunParallel(const ExecutorOptions& o, std::ostream& out) {
  const std::string dir = o.dir + "/parallel";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string joblog = dir + "/joblog";
  std::vector<std::string> argv = {"parallel", "--will-cite", "--joblog",
                                   joblog,     "--jobs",      std::to_string(o.jobs)};
  if (o.retry_failed) {
    // The commands come from the joblog itself.
    argv.push_back("--retry-failed");
  } else {
    std::string indexes;
    for (uint64_t i = 0; i < o.shards; i++) indexes += std::to_string(i) + "\n";
    if (engine::Status s = reports::WriteFileAtomically(dir + "/shards.txt", indexes); !s.ok()) {
      return {false, s.ToString(), -1};
    }
    fs::remove(joblog, ec);
    if (!o.sshloginfile.empty()) {
      argv.insert(argv.end(), {"--sshloginfile", fs::absolute(o.sshloginfile, ec).string()});
    }
    if (const double limit = BackstopSeconds(o); limit > 0) {
      argv.insert(argv.end(), {"--timeout", fmt::format("{:.0f}", limit)});
    }
    // -q: the command's words reach the shell quoted (a DIR with spaces stays one word).
    argv.insert(argv.end(), {"--halt", "never", "-q", "-a", dir + "/shards.txt", o.vstress, "shard",
                             o.dir, "{}"});
  }
  // A retry appends to the joblog: the rows before it are the first run's.
  const std::vector<JoblogRow> before =
      o.retry_failed ? ReadJoblog(joblog) : std::vector<JoblogRow>();
  const uint64_t total = o.retry_failed
                             ? std::count_if(before.begin(), before.end(),
                                             [](const JoblogRow& r) { return r.exit_value != "0"; })
                             : o.shards;
  out << fmt::format("parallel: {}\n", Quoted(argv)) << std::flush;
  auto child = process::ChildProcess::Start(argv, dir + "/parallel.log");
  if (!child.ok()) {
    return {false,
            fmt::format("cannot run GNU parallel: {} (scripts/install-deps.sh installs it)",
                        child.status().message()),
            -1};
  }
  Progress progress(total, o.jobs, o.progress, out);
  size_t seen = before.size();
  int stopped_by = 0;
  const process::ChildExit done = WaitForTool(
      &child.value(), &stopped_by, [&] { seen = ReportJoblog(joblog, seen, &progress); });
  const std::optional<process::ChildExit> e = done;
  ReportJoblog(joblog, seen, &progress);
  if (stopped_by != 0) return {false, "", -1, stopped_by};
  // parallel exits with the number of failed jobs (up to 100), 101+ for its own errors.
  if (!e->exited || e->code > 100) {
    std::string log;
    reports::ReadFile(dir + "/parallel.log", &log);
    return {false, fmt::format("GNU parallel failed ({}): {}", e->ToString(), log), -1};
  }
  return {true, "", -1};
}

}  // namespace harness::sweep
