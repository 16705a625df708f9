#include "harness/drivers/kill_driver.h"

#include <fmt/format.h>
#include <signal.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/clients/ack_log.h"
#include "harness/drivers/driver_core.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/process/process_signals.h"
#include "reports/run_files.h"
#include "workloads/random.h"

namespace harness::drivers {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Do not change: the kill moments and the children's seeds of existing runs depend on it.
constexpr uint64_t kKillStream = 0x4b111;

// `name="value"` inside a Prometheus label set.
std::string LabelValue(std::string_view labels, std::string_view name) {
  const std::string key = std::string(name) + "=\"";
  const size_t at = labels.find(key);
  if (at == std::string_view::npos) return "";
  const size_t start = at + key.size();
  const size_t end = labels.find('"', start);
  return end == std::string_view::npos ? "" : std::string(labels.substr(start, end - start));
}

// A child's ops, reads checked and faults, from the metrics textfile it rewrote every sample
// (what it did after its last sample is lost with it).
struct ChildCounters {
  std::map<std::string, uint64_t> ops;
  std::map<std::string, uint64_t> checks;
  std::map<std::pair<std::string, std::string>, uint64_t> faults;  // (point, action)
  std::map<std::string, uint64_t> engine;  // vstress_engine_*_total counters, by name
};

void AddChildCounters(const std::string& textfile, ChildCounters* out) {
  std::string text;
  if (!reports::ReadFile(textfile, &text).ok()) return;
  static const std::map<std::string, std::string> kChecks = {
      {"point_read", "reads_checked"},
      {"scan", "scans_checked"},
      {"scan_key", "scan_keys_checked"},
      {"snapshot_read", "snapshot_reads_checked"}};
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.starts_with("vstress_engine_") && line.find('{') == std::string_view::npos) {
      const size_t space = line.find(' ');
      if (space == std::string_view::npos) continue;
      const double value = std::atof(std::string(line.substr(space + 1)).c_str());
      out->engine[std::string(line.substr(0, space))] +=
          static_cast<uint64_t>(std::max(0.0, value));
      continue;
    }
    const size_t brace = line.find('{');
    const size_t close = line.rfind('}');
    if (brace == std::string_view::npos || close == std::string_view::npos || close < brace) {
      continue;
    }
    const std::string_view name = line.substr(0, brace);
    const std::string_view labels = line.substr(brace, close - brace);
    const double value = std::atof(std::string(line.substr(close + 1)).c_str());
    const auto count = static_cast<uint64_t>(std::max(0.0, value));
    if (name == "vstress_ops_total") {
      std::string op = LabelValue(labels, "op");
      if (op == "scan_step") op = "scan_steps";
      out->ops[op] += count;
    } else if (name == "vstress_reads_checked_total") {
      auto it = kChecks.find(LabelValue(labels, "kind"));
      if (it != kChecks.end()) out->checks[it->second] += count;
    } else if (name == "vstress_faults_injected_total") {
      out->faults[{LabelValue(labels, "point"), LabelValue(labels, "action")}] += count;
    }
  }
}

// The first violation a child reported, as this run's.
reports::Violation ChildViolation(const std::string& child_dir, uint64_t cycle,
                                  const process::ChildExit& exit) {
  reports::Violation v;
  v.kind = "invariant";
  v.message = fmt::format("kill cycle {}: the workload ended by itself ({}) before the kill", cycle,
                          exit.ToString());
  std::string text;
  if (reports::ReadFile(child_dir + "/violations.json", &text).ok()) {
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_object() && doc.contains("violations") && doc["violations"].is_array() &&
        !doc["violations"].empty() && doc["violations"][0].is_object()) {
      const json& first = doc["violations"][0];
      v.kind = first.value("kind", v.kind);
      v.message = fmt::format("kill cycle {}: {}", cycle, first.value("message", ""));
      v.key = first.value("key", "");
      v.expected = first.value("expected", "");
      v.observed = first.value("observed", "");
      v.op = first.value("op", "");
      v.thread = first.value("thread", "");
      v.read_sequence = first.value("read_sequence", uint64_t{0});
      v.key_history = first.value("key_history", "");
    }
  }
  v.message += fmt::format(" (its run directory: {})", child_dir);
  return v;
}

// Longest a child that is writing its crash report (stacks.txt exists) is given past its kill
// moment: the report's gdb takes seconds, and a kill in the middle of it loses the stacks.
constexpr double kDyingGraceSeconds = 60;

// Waits until the kill moment and kills the child's group (timed_out), or until the child ends by
// itself. The moment is `delay` seconds after the child's workload began — its acknowledgement
// logs exist — not after its start, so a slow start (a sanitizer build, a loaded machine) does not
// eat the cycle. A child caught writing its crash report gets kDyingGraceSeconds more. A stop
// signal stops it (process_signals.h).
process::ChildExit WaitForKillMoment(process::ChildProcess* child, double delay,
                                     const std::string& child_dir, DriverCore* core,
                                     int* stopped_by) {
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  std::optional<Clock::time_point> kill_at;
  bool killed = false;
  process::ChildExit exit = process::WaitStoppable(child, 0, stopped_by, [&] {
    core->run.Beat();
    const auto now = Clock::now();
    std::error_code ec;
    if (!kill_at && !fs::is_empty(child_dir + "/acks", ec) && !ec) kill_at = now + seconds(delay);
    if (killed || !kill_at || now < *kill_at) return;
    const bool dying = fs::exists(child_dir + "/" + reports::kStacksFile, ec);
    if (dying && now < *kill_at + seconds(kDyingGraceSeconds)) return;
    killed = true;
    child->Signal(SIGKILL);
  });
  exit.timed_out = killed;
  return exit;
}

// A child that died of a signal (an abort inside the engine) or that its own watchdog found stuck
// (exit 3) before the kill: the run's result is a crash or a liveness failure, with the child's
// postmortem (its crash report or liveness summary, and its stacks).
void RecordChildEnd(const std::string& child_dir, uint64_t cycle, const process::ChildExit& exit,
                    RunOutcome* out) {
  std::string text;
  json doc;
  if (reports::ReadFile(child_dir + "/summary.json", &text).ok()) {
    doc = json::parse(text, nullptr, false);
  }
  // Its crash report says which signal, when the crash report's exit 4 (or the kill) hid it.
  std::string stacks;
  reports::ReadFile(child_dir + "/" + reports::kStacksFile, &stacks);
  int signal = exit.exited || exit.timed_out ? 0 : exit.signal;  // a timed-out child's is ours
  if (doc.is_object() && doc.value("result", "") == "crash") {
    signal = doc.value("postmortem", json::object()).value("signal", signal);
  } else if (const size_t at = stacks.find("died of SIG"); at != std::string::npos && signal == 0) {
    const std::string name = stacks.substr(at + 11, stacks.find(';', at) - at - 11);
    for (int s = 1; s < 32; s++) {
      if (sigabbrev_np(s) != nullptr && name == sigabbrev_np(s)) signal = s;
    }
  }
  const bool dead = signal != 0 || (exit.exited && exit.code == model::kExitFailure);
  out->result = dead ? "crash" : "liveness";
  out->exit_code = dead ? model::kExitFailure : model::kExitLiveness;
  out->postmortem.emplace();
  out->postmortem->signal = signal;
  std::string child_error;
  if (doc.is_object()) {
    child_error = doc.value("error", "");
    if (doc.is_object() && doc.contains("postmortem") && doc["postmortem"].is_object()) {
      const json& p = doc["postmortem"];
      out->postmortem->last_progress = p.value("last_progress", "");
      out->postmortem->stacks_source = p.value("stacks_source", "");
      out->postmortem->seconds_without_progress = p.value("seconds_without_progress", 0.0);
      if (p.contains("in_flight") && p["in_flight"].is_array()) {
        for (const json& op : p["in_flight"]) {
          if (op.is_string()) out->postmortem->in_flight.push_back(op.get<std::string>());
        }
      }
    }
  }
  out->error =
      fmt::format("kill cycle {}: the workload {} before the kill{} (its run directory: {})", cycle,
                  !dead         ? std::string("stopped making progress")
                  : signal != 0 ? fmt::format("died of SIG{}", sigabbrev_np(signal))
                                : exit.ToString(),
                  child_error.empty() ? "" : ": " + child_error, child_dir);
  if (out->postmortem->stacks_source.empty() && !stacks.empty()) {
    out->postmortem->stacks_source = "backtrace";
  }
  out->postmortem->stacks = std::move(stacks);
}

}  // namespace

RunOutcome RunKillCycles(const RunConfig& config, const KillPlan& plan) {
  DriverCore core(config, StoreConfigFor(config));
  if (!core.opened()) return std::move(core.out);
  const workloads::WorkloadSpec& spec = config.spec;
  workloads::Random random(workloads::DeriveSeed(spec.seed, kKillStream));
  const auto writers = static_cast<uint32_t>(spec.writers.threads);
  const std::string kill_dir = plan.run_dir + "/kill";
  core.TakeSample();
  ChildCounters children;
  std::atomic<uint64_t> current_cycle{0};
  WatchScope watch(config.watchdog, [&](const Watchdog::Stall& stall, std::optional<SimRun>*) {
    RunOutcome o = core.StalledOutcome(
        fmt::format("the kill driver stalled in cycle {}: nothing moved for {:.0f}s",
                    current_cycle.load(), stall.seconds_without_progress));
    return o;
  });
  process::InstallStopSignalHandlers();
  for (uint64_t cycle = 1;; cycle++) {
    current_cycle = cycle;
    if (plan.cycles != 0 ? cycle > plan.cycles : core.run.Seconds() >= spec.duration_seconds) {
      break;
    }
    if (!core.RetireDb(fmt::format("kill cycle {}", cycle))) break;  // the child opens it
    const std::string child_dir = fmt::format("{}/cycle-{}", kill_dir, cycle);
    const std::string acks = child_dir + "/acks";
    const std::string textfile = child_dir + "/metrics.prom";
    std::error_code ec;
    fs::create_directories(child_dir, ec);
    const uint64_t child_seed = random.Next64() % (uint64_t{1} << 53);
    const std::vector<std::string> argv = {plan.vstress,
                                           "run",
                                           "--config",
                                           plan.config_path,
                                           "--seed",
                                           std::to_string(child_seed),
                                           "--duration",
                                           "24h",
                                           "--out",
                                           child_dir,
                                           "--progress",
                                           "off",
                                           "--metrics-textfile",
                                           textfile,
                                           "--kill-child-db",
                                           config.db_path,
                                           "--kill-child-acks",
                                           acks,
                                           "--kill-child-first-sequence",
                                           std::to_string(core.oracle.recorded_through()),
                                           "--kill-child-writer-base",
                                           std::to_string((cycle - 1) * writers)};
    const double delay = spec.crash_every_seconds * (0.5 + random.UniformDouble());
    auto child = process::ChildProcess::Start(argv, child_dir + "/child.log");
    if (!child.ok()) {
      core.out.result = "error";
      core.out.exit_code = model::kExitFailure;
      core.out.error = "starting the workload child: " + child.status().ToString();
      break;
    }
    int stopped_by = 0;
    process::ChildExit exit =
        WaitForKillMoment(&child.value(), delay, child_dir, &core, &stopped_by);
    if (stopped_by != 0) {
      core.out.result = "error";
      core.out.exit_code = process::ExitCodeForSignal(stopped_by);
      core.out.error =
          fmt::format("stopped by SIG{} in kill cycle {}", sigabbrev_np(stopped_by), cycle);
      break;
    }
    reports::CrashCycle record;
    record.cycle = cycle;
    record.seconds = core.run.Seconds();
    record.mode = "kill";
    AddChildCounters(textfile, &children);
    // A child whose crash report began (stacks.txt) was dying when the kill came: a crash too.
    const bool was_dying = exit.timed_out && fs::exists(child_dir + "/" + reports::kStacksFile, ec);
    if (was_dying || (!exit.timed_out && (!exit.exited || exit.code == model::kExitLiveness ||
                                          exit.code == model::kExitFailure))) {
      // The workload died by itself (an abort inside the engine, say) or its watchdog found it
      // stuck: a crash or a liveness failure, with the child's postmortem.
      RecordChildEnd(child_dir, cycle, exit, &core.out);
      core.AddCrashCycle(record);
      break;
    }
    if (!exit.timed_out) {
      core.run.Report(ChildViolation(child_dir, cycle, exit), nullptr);
      // Reopened for the summary's counters; the child's own run directory has the rest.
      core.AddCrashCycle(record);
      break;
    }
    auto logged = clients::ReadAckLogs(acks);
    if (!logged.ok()) {
      reports::Violation v = InvariantViolation(
          fmt::format("kill cycle {}: the writers' logs: {}", cycle, logged.status().ToString()));
      v.kind = "recovery";
      core.run.Report(std::move(v), nullptr);
      break;
    }
    // Every acknowledged write is durable after a kill; those caught in flight may be too.
    engine::SequenceNumber max_acked = core.oracle.recorded_through();
    std::vector<clients::AckEntry> in_flight;
    uint64_t acknowledged = 0;
    for (const clients::LoggedWrite& w : logged.value()) {
      if (w.state == clients::LoggedWrite::State::kAcknowledged) {
        engine::SequenceNumber seq = w.last - w.entries.size() + 1;
        for (const clients::AckEntry& e : w.entries) {
          if (!core.oracle.RecordWrite(e.key, seq, e.value, seq != w.last)) {
            reports::Violation v = InvariantViolation(fmt::format(
                "kill cycle {}: the engine assigned sequence {} to two writes", cycle, seq));
            core.run.Report(std::move(v), nullptr);
          }
          seq++;
        }
        max_acked = std::max(max_acked, w.last);
        acknowledged++;
      } else if (w.state == clients::LoggedWrite::State::kInFlight) {
        in_flight.insert(in_flight.end(), w.entries.begin(), w.entries.end());
      } else if (core.kind->failed_writes_indeterminate) {
        // A failed write may show after the recovery (its log record may have reached the file).
        core.oracle.RecordFailedWrite(w.entries, max_acked);
      } else {
        for (const clients::AckEntry& e : w.entries) {
          if (e.value) core.oracle.RecordFailedWrite(*e.value);
        }
      }
    }
    // In-flight writes that made it hold the sequences the acknowledged ones leave free, and may
    // run past the last acknowledged one.
    core.oracle.TruncateTo(max_acked, max_acked + in_flight.size());
    record.floor = max_acked;
    core.RecoverCycle(record, in_flight);
    const reports::CrashCycle& done = core.out.crash_cycles.back();
    if (config.progress) {
      config.progress(fmt::format(
          "[{:6.1f}s] kill cycle {}: {} writes acknowledged, {} in flight; recovered through seq "
          "{} (floor {}) in {:.0f} ms{}",
          core.run.Seconds(), cycle, acknowledged, in_flight.size(), done.recovered, done.floor,
          done.recovery_seconds * 1000, done.ok ? "" : " — FAILED"));
    }
    core.TakeSample();
    if (!done.ok || !core.db) break;
    fs::remove_all(child_dir, ec);  // verified: its logs are spent
  }
  core.out.duration_seconds = core.run.Seconds();
  if (core.db && core.out.result == "pass" && core.run.violation_count() == 0) {
    core.QuiescencePoint("end of run", /*final=*/true);
  }
  // The children's ops, checks and faults, not this process's (it ran no client), are the run's.
  RunOutcome out = core.Finish();
  for (const auto& [op, n] : children.ops) out.ops[op] += n;
  for (const auto& [check, n] : children.checks) out.checks[check] += n;
  for (const auto& [series, n] : children.faults) out.final_metrics.faults[series] += n;
  const auto engine_total = [&children](const char* name) {
    auto it = children.engine.find(name);
    return it == children.engine.end() ? uint64_t{0} : it->second;
  };
  out.engine.flushes += engine_total("vstress_engine_flushes_total");
  out.engine.compactions += engine_total("vstress_engine_compactions_total");
  out.engine.files_deleted += engine_total("vstress_engine_files_deleted_total");
  out.engine.version_installs += engine_total("vstress_engine_version_installs_total");
  if (out.exit_code == model::kExitPass) {
    std::error_code ec;
    fs::remove_all(kill_dir, ec);
  }
  return out;
}

}  // namespace harness::drivers
