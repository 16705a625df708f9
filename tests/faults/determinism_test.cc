// Fault determinism of `vstress run`, end to end: the same seed and the same schedule fire the same
// faults at the same hits, another seed fires others, and summary.json counts what faults.log
// lists.
//
// Which runs can be compared how. The fault controller decides each hit from (seed, point, rule,
// hit number) alone, so a run whose every hit happens in one deterministic order fires exactly the
// same sequence of faults. One writer is not enough for that in the threaded runner: flushes and
// compactions run on the engine's background thread, so how many of them run (and retry after an
// injected failure) before the run ends depends on timing, and two runs with the same seed differ
// even per point (measured: fs/table/sync fired 2 times in one run and 6 in the next). With
// `engine.background = "manual"` the writer runs every flush and compaction inline, so the whole
// sequence, op indexes included, must repeat. For the threaded runner what must still hold is
// that a hit number both runs reached was decided the same way in both.
//
// The WAL rule `engine/wal/append:error:p=0.05` gets the window `@after_ops=2900`: a failed WAL
// append puts the DB into a background error, after which every write fails and the writer sleeps
// 20 ms per op, so without the window a 3000-op run fires at op ~5 and then takes a minute.
// The manual runs also lower level0_stop_trigger to 4 so that compactions run (inline, at the stop
// trigger) and engine/compaction/write_output fires.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/engine/db_test_util.h"
#include "tests/lib/text.h"

namespace {

using vstress_test::JsonNumber;
using vstress_test::ReadText;

namespace fs = std::filesystem;

constexpr int kOps = 3000;
// Longest the runs below may take together (each takes 2-4 s in a debug build).
constexpr std::chrono::seconds kRunTimeoutSeconds{60};
constexpr std::chrono::milliseconds kWaitPollInterval{20};

// One line of faults.log: `<seconds> op=<op index> point=<name> hit=<n> action=<action>`.
struct Fire {
  uint64_t op = 0;
  std::string point;
  uint64_t hit = 0;
  std::string action;

  bool operator==(const Fire&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Fire& f) {
  return out << "op=" << f.op << " point=" << f.point << " hit=" << f.hit << " action=" << f.action;
}

// Starts `argv` with stdout and stderr going to `output_path`; returns its pid (-1: fork failed).
pid_t Start(const std::vector<std::string>& argv, const std::string& output_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  execv(args[0], args.data());
  _exit(127);
}

// Waits for `pid` until `deadline`; returns its exit status, or nullopt (after killing it) if it
// ran past the deadline or did not exit normally.
std::optional<int> Wait(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  if (pid < 0) return std::nullopt;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(kWaitPollInterval);
  }
  if (!WIFEXITED(status)) return std::nullopt;
  return WEXITSTATUS(status);
}

// Parses faults.log; a line that does not parse fails the test.
std::vector<Fire> ReadFaultsLog(const std::string& path) {
  std::vector<Fire> fires;
  std::istringstream lines(ReadText(path));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string seconds, op, point, hit, action;
    words >> seconds >> op >> point >> hit >> action;
    const bool shaped = op.starts_with("op=") && point.starts_with("point=") &&
                        hit.starts_with("hit=") && action.starts_with("action=");
    EXPECT_TRUE(shaped) << path << ": malformed line '" << line << "'";
    if (!shaped) continue;
    fires.push_back(
        {std::stoull(op.substr(3)), point.substr(6), std::stoull(hit.substr(4)), action.substr(7)});
  }
  return fires;
}

std::map<std::string, uint64_t> CountByPoint(const std::vector<Fire>& fires) {
  std::map<std::string, uint64_t> counts;
  for (const Fire& f : fires) counts[f.point]++;
  return counts;
}

// The members of the object `"by_point": {...}`: point -> count.
std::map<std::string, uint64_t> JsonByPoint(const std::string& json) {
  std::map<std::string, uint64_t> out;
  const size_t begin = json.find("\"by_point\": {");
  if (begin == std::string::npos) return out;
  const size_t end = json.find('}', begin);
  std::istringstream lines(json.substr(begin, end - begin));
  std::string line;
  std::getline(lines, line);  // the key itself
  while (std::getline(lines, line)) {
    const size_t open = line.find('"');
    const size_t close = line.find("\": ", open + 1);
    if (open == std::string::npos || close == std::string::npos) continue;
    out[line.substr(open + 1, close - open - 1)] = std::stoull(line.substr(close + 3));
  }
  return out;
}

// The fired hits of each point and what each did, for comparing runs whose hits interleave
// differently.
using HitActions = std::map<uint64_t, std::string>;
std::map<std::string, HitActions> FiredHitsByPoint(const std::vector<Fire>& fires) {
  std::map<std::string, HitActions> out;
  for (const Fire& f : fires) out[f.point][f.hit] = f.action;
  return out;
}

struct RunResult {
  std::optional<int> exit_code;
  std::string dir;
  std::vector<Fire> fires;
  std::string summary;
};

// The runs the tests compare: seed 7 twice and seed 8 with background work inline (a
// deterministic schedule), and seed 7 twice in the threaded runner.
struct RunSpec {
  int seed = 0;
  bool manual = false;
};
const std::map<std::string, RunSpec>& RunSpecs() {
  static const std::map<std::string, RunSpec> specs = {
      {"manual-7a", {7, true}},    {"manual-7b", {7, true}},    {"manual-8", {8, true}},
      {"threaded-7a", {7, false}}, {"threaded-7b", {7, false}},
  };
  return specs;
}

// Each run is made on first use and kept for the rest of the suite: run alone, a test makes only
// the runs it needs (CTest runs each test in its own process).
class DeterminismTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_ = new vstress_test::TempDir();
    runs_ = new std::map<std::string, RunResult>();
  }
  static void TearDownTestSuite() {
    delete runs_;
    runs_ = nullptr;
    delete temp_;
    temp_ = nullptr;
  }

  // Makes the runs named in `names` that do not exist yet, side by side (most of each one's time
  // is its writer sleeping after the injected WAL failure, and concurrency cannot change a manual
  // run's schedule), and checks that each ended and wrote a summary.
  static void MakeRuns(const std::vector<std::string>& names) {
    // The vstress binary of this build (tests/CMakeLists.txt makes this binary depend on it).
    const std::string vstress = VSTRESS_BINARY;
    ASSERT_TRUE(fs::exists(vstress)) << vstress << " is missing (build the `vstress` target)";
    std::vector<std::pair<RunResult*, pid_t>> started;
    for (const std::string& name : names) {
      if (runs_->count(name) != 0) continue;
      RunResult* r = &(*runs_)[name];
      started.emplace_back(r, StartRun(vstress, name, RunSpecs().at(name), r));
    }
    const auto deadline = std::chrono::steady_clock::now() + kRunTimeoutSeconds;
    for (const auto& [r, pid] : started) {
      r->exit_code = Wait(pid, deadline);
      r->fires = ReadFaultsLog(r->dir + "/faults.log");
      r->summary = ReadText(r->dir + "/summary.json");
    }
    for (const std::string& name : names) {
      const RunResult& r = runs_->at(name);
      ASSERT_TRUE(r.exit_code.has_value()) << name << ": vstress did not exit in time; output:\n"
                                           << ReadText(r.dir + "/output.txt");
      ASSERT_FALSE(r.summary.empty()) << name << ": no summary.json; output:\n"
                                      << ReadText(r.dir + "/output.txt");
    }
  }

  static const RunResult& Run(const std::string& name) { return runs_->at(name); }

 private:
  // Starts one `vstress run` writing to a run directory named `name`.
  static pid_t StartRun(const std::string& vstress, const std::string& name, RunSpec spec,
                        RunResult* r) {
    r->dir = fs::path(temp_->path()).parent_path() / name;
    fs::create_directories(r->dir);
    // clang-format off
    std::vector<std::string> argv = {
        vstress, "run", "--preset", "smoke", "--ops", std::to_string(kOps), "--writers", "1",
        "--readers", "0", "--scanners", "0", "--snapshot-readers", "0",
        "--seed", std::to_string(spec.seed),
        "--fault", "engine/wal/append:error:p=0.05@after_ops=2900",
        "--fault", "fs/table/sync:error:every=3",
        "--fault", "engine/compaction/write_output:error:nth=2",
        "--progress", "off", "--out", r->dir};
    // clang-format on
    // The fault rules above are tuned to these table sizes (every third table sync failing must
    // not fail every compaction), so the preset's own sizes may change without breaking the test.
    for (const char* set : {"engine.table_target_bytes=32768", "engine.level_base_bytes=262144",
                            "engine.level_size_multiplier=10"}) {
      argv.insert(argv.end(), {"--set", set});
    }
    if (spec.manual) {
      for (const char* set : {"engine.background=manual", "engine.level0_stop_trigger=4",
                              "engine.level0_slowdown_trigger=4"}) {
        argv.insert(argv.end(), {"--set", set});
      }
    }
    return Start(argv, r->dir + "/output.txt");
  }

  static vstress_test::TempDir* temp_;
  static std::map<std::string, RunResult>* runs_;
};

vstress_test::TempDir* DeterminismTest::temp_ = nullptr;
std::map<std::string, RunResult>* DeterminismTest::runs_ = nullptr;

// Proves two runs with one seed and a deterministic schedule (one writer, background work inline)
// fire the same faults at the same hits, in the same order and at the same op indexes, and that
// each of the three command-line rules fired.
TEST_F(DeterminismTest, SameSeedAndScheduleFireTheSameFaultsInOrder) {
  ASSERT_NO_FATAL_FAILURE(MakeRuns({"manual-7a", "manual-7b"}));
  const std::vector<Fire>& a = Run("manual-7a").fires;
  const std::vector<Fire>& b = Run("manual-7b").fires;
  ASSERT_FALSE(a.empty()) << "no fault fired";
  EXPECT_EQ(a, b) << "runs " << Run("manual-7a").dir << " and " << Run("manual-7b").dir
                  << " fired differently";
  const std::map<std::string, uint64_t> counts = CountByPoint(a);
  for (const char* point :
       {"engine/wal/append", "fs/table/sync", "engine/compaction/write_output"}) {
    EXPECT_GT(counts.count(point), 0u) << point << " never fired";
  }
  // Each rule's trigger shows in its hits: every=3 and nth=2 fire at exactly those hits, the WAL
  // rule only inside its op window.
  for (const Fire& f : a) {
    if (f.point == "fs/table/sync") {
      EXPECT_EQ(f.hit % 3, 0u) << f;
    } else if (f.point == "engine/compaction/write_output") {
      EXPECT_EQ(f.hit, 2u) << f;
    } else if (f.point == "engine/wal/append") {
      EXPECT_GE(f.op, 2900u) << f;
    }
  }
}

// Proves the seed drives the decisions: seed 8 fires a different sequence than seed 7.
TEST_F(DeterminismTest, AnotherSeedFiresOtherFaults) {
  ASSERT_NO_FATAL_FAILURE(MakeRuns({"manual-7a", "manual-8"}));
  ASSERT_FALSE(Run("manual-8").fires.empty()) << "no fault fired with seed 8";
  EXPECT_NE(Run("manual-7a").fires, Run("manual-8").fires);
}

// Proves that in the threaded runner, where background work interleaves differently run to run,
// every hit number both runs reached at a point was decided the same way: for each point, the two
// runs' fired hits and their actions agree up to the smaller of their largest fired hits.
TEST_F(DeterminismTest, ThreadedRunsDecideEachHitTheSameWay) {
  ASSERT_NO_FATAL_FAILURE(MakeRuns({"threaded-7a", "threaded-7b"}));
  const auto a = FiredHitsByPoint(Run("threaded-7a").fires);
  const auto b = FiredHitsByPoint(Run("threaded-7b").fires);
  ASSERT_FALSE(a.empty()) << "no fault fired";
  size_t points_compared = 0;
  for (const auto& [point, hits_a] : a) {
    auto it = b.find(point);
    if (it == b.end()) continue;
    const uint64_t reached = std::min(hits_a.rbegin()->first, it->second.rbegin()->first);
    const HitActions upto_a(hits_a.begin(), hits_a.upper_bound(reached));
    const HitActions upto_b(it->second.begin(), it->second.upper_bound(reached));
    EXPECT_EQ(upto_a, upto_b) << point << ": fired hits differ up to hit " << reached;
    points_compared++;
  }
  // Both runs reached the WAL rule's window and some background point: there was something to
  // compare.
  EXPECT_GE(points_compared, 2u);
}

// Proves summary.json's per-point counts of the engine's (libfiu) points equal faults.log's.
TEST_F(DeterminismTest, SummaryCountsEachEnginePointLikeTheLog) {
  ASSERT_NO_FATAL_FAILURE(MakeRuns({"manual-7a", "manual-8", "threaded-7a"}));
  size_t engine_points_compared = 0;
  for (const char* name : {"manual-7a", "manual-8", "threaded-7a"}) {
    const RunResult* r = &Run(name);
    const std::map<std::string, uint64_t> logged = CountByPoint(r->fires);
    const std::map<std::string, uint64_t> summary = JsonByPoint(r->summary);
    ASSERT_FALSE(summary.empty()) << r->dir << ": summary.json has no faults.by_point";
    // Both ways: a point the log has and the summary lacks is a difference too. A point the
    // summary lists with no fires counts as absent.
    std::map<std::string, uint64_t> summary_engine;
    for (const auto& [point, count] : summary) {
      if (point.starts_with("engine/") && count != 0) summary_engine[point] = count;
    }
    std::map<std::string, uint64_t> logged_engine;
    for (const auto& [point, count] : logged) {
      if (point.starts_with("engine/")) logged_engine[point] = count;
    }
    EXPECT_EQ(summary_engine, logged_engine) << r->dir;
    engine_points_compared += summary_engine.size();
  }
  // The runs' WAL and compaction rules fired: there were engine points to compare.
  EXPECT_GT(engine_points_compared, 0u);
}

// Proves summary.json's faults.injected_total and every faults.by_point count equal faults.log's,
// and that injected failures alone never make a run fail.
TEST_F(DeterminismTest, SummaryCountsEveryFaultInTheLog) {
  ASSERT_NO_FATAL_FAILURE(MakeRuns({"manual-7a", "manual-8", "threaded-7a"}));
  for (const char* name : {"manual-7a", "manual-8", "threaded-7a"}) {
    const RunResult* r = &Run(name);
    EXPECT_EQ(JsonNumber(r->summary, "injected_total"), r->fires.size()) << r->dir;
    const std::map<std::string, uint64_t> logged = CountByPoint(r->fires);
    for (const auto& [point, count] : JsonByPoint(r->summary)) {
      const uint64_t in_log = logged.count(point) != 0 ? logged.at(point) : 0;
      EXPECT_EQ(count, in_log) << r->dir << ": " << point;
    }
    EXPECT_NE(r->summary.find("\"result\": \"pass\""), std::string::npos)
        << r->dir << ":\n"
        << ReadText(r->dir + "/output.txt");
  }
}

}  // namespace
