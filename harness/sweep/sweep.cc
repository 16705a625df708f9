#include "harness/sweep/sweep.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "faults/fault_rule.h"
#include "harness/drivers/run_outputs.h"
#include "harness/drivers/watchdog.h"
#include "harness/model/exit_codes.h"
#include "harness/process/child_process.h"
#include "harness/process/process_signals.h"
#include "harness/sweep/executors.h"
#include "harness/sweep/merge.h"
#include "harness/sweep/plan.h"
#include "harness/sweep/seed_range.h"
#include "reports/run_files.h"
#include "workloads/randomizer.h"

namespace harness::sweep {
namespace {

namespace fs = std::filesystem;

// Where a shard's workload comes from: a preset, or a TOML file.
struct WorkloadSource {
  std::string preset;
  std::string config;  // absolute path
  std::string Name() const { return preset.empty() ? config : "--preset " + preset; }
};

std::string UtcNow(const char* format) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format(fmt::runtime(format), now);
}

drivers::Driver DriverOf(const std::string& name) {
  if (name == "crash") return drivers::Driver::kCrash;
  if (name == "sim") return drivers::Driver::kSimulated;
  return drivers::Driver::kThreaded;
}

// The sweep's flags that only make sense together; empty when they do.
std::string CheckFlags(const SweepOptions& o) {
  if (o.retry_failed) {
    if (o.runs || !o.seeds.empty() || !o.presets.empty() || !o.configs.empty() || o.randomize) {
      return "--retry-failed reruns the plan in --out DIR: give no seeds, workloads or "
             "--randomize";
    }
    if (o.out_dir.empty()) return "--retry-failed needs --out DIR, the sweep to retry";
  } else if (o.runs.has_value() == !o.seeds.empty()) {
    return "give exactly one of --runs N and --seeds A-B";
  }
  if (o.first_seed && !o.runs) return "--seed (the first seed) goes with --runs";
  if (o.executor != "slurm" && (o.wait || !o.slurm_args.empty())) {
    return "--wait and --slurm-args need --executor slurm";
  }
  if (o.executor != "parallel" && (o.retry_failed || !o.sshloginfile.empty())) {
    return "--retry-failed and --sshloginfile need --executor parallel";
  }
  if (!o.run.metrics_textfile.empty()) {
    return "--metrics-textfile: every shard would write the same file; the merge writes "
           "DIR/metrics.prom";
  }
  return {};
}

std::vector<WorkloadSource> Sources(const SweepOptions& o) {
  std::vector<WorkloadSource> sources;
  for (const std::string& p : o.presets) sources.push_back({p, ""});
  std::error_code ec;
  for (const std::string& c : o.configs) sources.push_back({"", fs::absolute(c, ec).string()});
  if (sources.empty()) sources.push_back({"default", ""});
  return sources;
}

}  // namespace

double DefaultShardTimeoutSeconds(const workloads::WorkloadSpec& spec, drivers::Driver driver,
                                  uint64_t cycles) {
  constexpr double kOpsRunSeconds = 600;
  constexpr double kMarginSeconds = 120;
  double work = spec.ops != 0 ? kOpsRunSeconds : spec.duration_seconds;
  if (driver == drivers::Driver::kCrash && cycles != 0) {
    work = std::max(work, static_cast<double>(cycles) * 1.5 * spec.crash_every_seconds);
  }
  return drivers::kWallSecondsPerWorkSecond * work +
         2 * drivers::StallBoundSeconds(spec.watchdog_seconds) + kMarginSeconds;
}

namespace {

// The run options of one shard: the sweep's driver flags, its workload and seed.
drivers::RunCommandOptions ShardRunOptions(const SweepOptions& o, const WorkloadSource& source,
                                           uint64_t seed) {
  drivers::RunCommandOptions r = o.run;
  r.driver = DriverOf(o.driver);
  r.preset = source.preset;
  r.config_path = source.config;
  r.seed = seed;
  return r;
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream words(text);
  std::vector<std::string> out;
  for (std::string w; words >> w;) out.push_back(w);
  return out;
}

// With --randomize: the source's own spec (no flags) drawn from `seed`, written to
// DIR/inputs/<index>.toml, which then becomes the shard's workload.
engine::Status DrawInput(const WorkloadSource& source, const std::string& dir, ShardPlan* shard,
                         WorkloadSource* drawn_source) {
  drivers::RunCommandOptions plain;
  plain.preset = source.preset;
  plain.config_path = source.config;
  auto base = drivers::ResolveWorkload(plain);
  if (!base.ok()) return base.status();
  std::vector<workloads::DrawnValue> drawn;
  auto spec = workloads::Randomize(base.value(), shard->seed, &drawn);
  if (!spec.ok()) return spec.status();
  const std::string path = fmt::format("{}/inputs/{}.toml", dir, shard->index);
  if (engine::Status s = reports::WriteFileAtomically(path, workloads::ToToml(spec.value()));
      !s.ok()) {
    return s;
  }
  shard->randomized.assign(drawn.begin(), drawn.end());
  *drawn_source = {"", path};
  return engine::Status::Ok();
}

// Plans every shard: its seed, workload, drawn config and argv. InvalidArgument names the
// workload and the bad flag or key.
engine::Result<std::vector<ShardPlan>> PlanShards(const SweepOptions& o,
                                                  const std::vector<uint64_t>& seeds,
                                                  const std::string& dir,
                                                  const std::string& vstress) {
  std::optional<double> shard_timeout;
  if (!o.shard_timeout.empty()) {
    std::chrono::microseconds limit;
    if (!faults::ParseDuration(o.shard_timeout, &limit) || limit.count() <= 0) {
      return engine::Status::InvalidArgument("--shard-timeout: '" + o.shard_timeout +
                                             "' is not a duration like 30s, 2m or 500ms");
    }
    shard_timeout = static_cast<double>(limit.count()) / 1e6;
  }
  const std::vector<WorkloadSource> sources = Sources(o);
  std::vector<ShardPlan> shards;
  for (size_t i = 0; i < seeds.size(); i++) {
    const WorkloadSource& given = sources[i % sources.size()];
    WorkloadSource source = given;
    ShardPlan shard;
    shard.index = i;
    shard.seed = seeds[i];
    shard.driver = o.driver;
    if (o.randomize) {
      if (engine::Status s = DrawInput(given, dir, &shard, &source); !s.ok()) {
        return s.WithContext(given.Name());
      }
    }
    // Every flag against this workload now, so no shard fails later for a bad flag.
    const drivers::RunCommandOptions run = ShardRunOptions(o, source, shard.seed);
    auto spec = drivers::ResolveWorkload(run);
    if (!spec.ok()) return spec.status().WithContext(given.Name());
    shard.workload = spec.value().name;
    shard.mutant = drivers::MutantLabel(spec.value());
    shard.store = spec.value().store.name;
    shard.argv = {o.driver};
    if (!source.preset.empty()) shard.argv.insert(shard.argv.end(), {"--preset", source.preset});
    if (!source.config.empty()) shard.argv.insert(shard.argv.end(), {"--config", source.config});
    shard.argv.insert(shard.argv.end(), {"--seed", std::to_string(shard.seed)});
    const std::vector<std::string> flags = drivers::DriverFlags(run);
    shard.argv.insert(shard.argv.end(), flags.begin(), flags.end());
    shard.argv.insert(shard.argv.end(), {"--out", ShardDir(dir, i), "--progress", "off"});
    shard.timeout_seconds = shard_timeout
                                ? *shard_timeout
                                : DefaultShardTimeoutSeconds(spec.value(), run.driver, run.cycles);
    shard.command = reports::ShellQuote(vstress);
    for (const std::string& a : shard.argv) shard.command += " " + reports::ShellQuote(a);
    shards.push_back(std::move(shard));
  }
  return shards;
}

engine::Result<std::vector<uint64_t>> SeedsOf(const SweepOptions& o) {
  std::vector<uint64_t> seeds;
  if (o.runs) {
    const uint64_t first = o.first_seed.value_or(1);
    for (uint64_t i = 0; i < *o.runs; i++) seeds.push_back(first + i);
    return seeds;
  }
  auto range = ParseSeedRange(o.seeds);
  if (!range.ok()) return range.status().WithContext("--seeds");
  for (uint64_t s = range.value().first; s <= range.value().last; s++) seeds.push_back(s);
  return seeds;
}

// Clears what an earlier sweep into the same DIR left (the merge's record of its pushed groups
// stays: the next merge deletes those groups).
void ClearSweepDir(const std::string& dir) {
  std::error_code ec;
  for (const char* name : {"shards", "inputs", "local", "slurm", "parallel"}) {
    fs::remove_all(dir + "/" + name, ec);
  }
  for (const char* name :
       {"plan.jsonl", "sweep.json", "nightly.html", "junit.xml", "summary.json", "metrics.prom"}) {
    fs::remove(dir + "/" + name, ec);
  }
  fs::create_directories(dir + "/shards", ec);
  fs::create_directories(dir + "/inputs", ec);
}

std::string SweepCommandText(const SweepOptions& o, const std::vector<ShardPlan>& shards) {
  std::string text = "vstress sweep";
  if (o.runs) text += fmt::format(" --runs {}", *o.runs);
  if (o.first_seed) text += fmt::format(" --seed {}", *o.first_seed);
  if (!o.seeds.empty()) text += " --seeds " + o.seeds;
  for (const std::string& p : o.presets) text += " --preset " + reports::ShellQuote(p);
  for (const std::string& c : o.configs) text += " --config " + reports::ShellQuote(c);
  if (o.randomize) text += " --randomize";
  text += " --driver " + o.driver + " --executor " + o.executor;
  if (!shards.empty()) {
    for (const std::string& f : drivers::DriverFlags(ShardRunOptions(o, {}, 0))) {
      text += " " + reports::ShellQuote(f);
    }
  }
  return text;
}

std::vector<std::string> MergeArgs(const SweepOptions& o, const std::string& dir) {
  std::vector<std::string> args = {"merge", dir};
  std::error_code ec;
  if (!o.merge.compare_dir.empty()) {
    args.insert(args.end(), {"--compare", fs::absolute(o.merge.compare_dir, ec).string()});
  }
  if (!o.merge.push_gateway.empty())
    args.insert(args.end(), {"--push-gateway", o.merge.push_gateway});
  return args;
}

}  // namespace

int RunSweepCommand(const SweepOptions& o, std::ostream& out, std::ostream& err) {
  if (const std::string problem = CheckFlags(o); !problem.empty()) {
    err << "vstress sweep: " << problem << "\n";
    return model::kExitUsage;
  }
  process::InstallStopSignalHandlers();
  std::error_code ec;
  const std::string dir =
      fs::absolute(o.out_dir.empty() ? reports::DefaultRunDir("sweep") : o.out_dir, ec)
          .lexically_normal()
          .string();
  const std::string vstress = process::SelfExecutable();
  ExecutorOptions e;
  e.dir = dir;
  e.jobs =
      o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  e.vstress = vstress;
  e.progress = o.progress;
  e.slurm_args = SplitWords(o.slurm_args);
  e.wait = o.wait;
  e.merge_args = MergeArgs(o, dir);
  e.sshloginfile = o.sshloginfile;
  e.retry_failed = o.retry_failed;
  if (o.retry_failed) {
    auto plan = ReadPlan(dir);
    if (!plan.ok()) {
      err << "vstress sweep --retry-failed: " << plan.status().message() << "\n";
      return model::kExitUsage;
    }
    e.shards = plan.value().size();
    for (const ShardPlan& s : plan.value()) {
      e.shard_timeout_max = std::max(e.shard_timeout_max, s.timeout_seconds);
    }
  } else {
    auto seeds = SeedsOf(o);
    if (!seeds.ok()) {
      err << "vstress sweep: " << seeds.status().message() << "\n";
      return model::kExitUsage;
    }
    ClearSweepDir(dir);
    auto shards = PlanShards(o, seeds.value(), dir, vstress);
    if (!shards.ok()) {
      err << "vstress sweep: " << shards.status().message() << "\n";
      return model::kExitUsage;
    }
    e.shards = shards.value().size();
    for (const ShardPlan& s : shards.value()) {
      e.shard_timeout_max = std::max(e.shard_timeout_max, s.timeout_seconds);
    }
    const SweepInfo info{SweepCommandText(o, shards.value()), o.executor, e.shards,
                         UtcNow("{:%Y-%m-%dT%H:%M:%S}Z"), vstress};
    if (engine::Status s = WritePlan(dir, info, shards.value()); !s.ok()) {
      err << "vstress sweep: " << s.ToString() << "\n";
      return model::kExitFailure;
    }
    out << fmt::format("vstress sweep: {} shards ({} driver{}), executor {}, {} at a time -> {}\n",
                       e.shards, o.driver, o.randomize ? ", randomized" : "", o.executor, e.jobs,
                       dir)
        << std::flush;
  }
  const ExecutorResult r = o.executor == "slurm"      ? RunSlurm(e, out)
                           : o.executor == "parallel" ? RunParallel(e, out)
                                                      : RunLocal(e, out);
  if (!r.ran && r.stopped_by == 0) {
    err << "vstress sweep: " << r.error << "\n";
    return model::kExitFailure;
  }
  if (o.executor == "slurm") {
    if (r.stopped_by != 0) return process::ExitCodeForSignal(r.stopped_by);
    if (!o.wait) return model::kExitPass;
    out << fmt::format("nightly report: {}/nightly.html\n", dir);
    return r.merge_exit;
  }
  MergeOptions merge = o.merge;
  merge.dir = dir;
  const int merged = RunMergeCommand(merge, out, err);
  if (r.stopped_by != 0) {
    err << fmt::format("vstress sweep: stopped by SIG{}; merged the shards that finished\n",
                       sigabbrev_np(r.stopped_by));
    return process::ExitCodeForSignal(r.stopped_by);
  }
  return merged;
}

}  // namespace harness::sweep
