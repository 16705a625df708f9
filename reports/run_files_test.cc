#include "reports/run_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace reports {
namespace {

// What `sh -c 'printf %s WORD'` prints for the quoted word: the round trip through a real shell.
std::string ThroughShell(const std::string& text) {
  const std::string command = "printf %s " + ShellQuote(text);
  std::FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[256];
  size_t n = 0;
  while (pipe != nullptr && (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.append(buffer, n);
  }
  if (pipe != nullptr) pclose(pipe);
  return out;
}

// Proves: plain paths stay as they are, and anything else — spaces, quotes, $, non-ASCII
// letters, the empty string — comes back from a real shell byte for byte.
TEST(ShellQuoteTest, EveryWordSurvivesTheShell) {
  EXPECT_EQ(ShellQuote("/tmp/runs/seed-1/config.toml"), "/tmp/runs/seed-1/config.toml");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote(""), "''");
  for (const std::string word : {"a b", "it's", "$HOME", "ümlaut dir/Ελληνικά", "a\"b`c`\\d",
                                 "semi;colon&&x", "new\nline", "*?[x]"}) {
    EXPECT_EQ(ThroughShell(word), word) << ShellQuote(word);
  }
}

// summary.json written for `outcome` and read back.
nlohmann::json SummaryOf(const RunInfo& info, const RunOutcome& outcome) {
  const std::string path =
      ::testing::TempDir() + "run_files_test-summary-" + std::to_string(getpid()) + ".json";
  const engine::Status s = WriteSummaryJson(path, info, outcome);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::string text;
  EXPECT_TRUE(ReadFile(path, &text).ok());
  std::filesystem::remove(path);
  return nlohmann::json::parse(text);
}

// Proves: a crash run's summary.json lists every cycle with what report.html's recovery table
// shows (time, mode, recovery ms, recovered sequence, dropped and lost writes, result), and a run
// without crashes has no `crash` section.
TEST(SummaryJsonTest, ListsEveryCrashCycleForTheReport) {
  RunInfo info;
  info.driver = "crash";
  RunOutcome outcome;
  outcome.crash_mode = "power-loss";
  CrashCycle ok;
  ok.cycle = 1;
  ok.seconds = 1.5;
  ok.mode = "torn";
  ok.recovered = 90;
  ok.floor = 80;
  ok.dropped_writes = 10;
  ok.recovery_seconds = 0.0125;
  CrashCycle failed = ok;
  failed.cycle = 2;
  failed.mode = "power-loss";
  failed.lost_writes = 3;
  failed.ok = false;
  failed.kept_db = "run/crash-cycle-2";
  outcome.crash_cycles = {ok, failed};
  const nlohmann::json crash = SummaryOf(info, outcome)["crash"];
  EXPECT_EQ(crash["mode"], "power-loss");
  EXPECT_EQ(crash["cycles"], 2);
  EXPECT_EQ(crash["recovered"], 1);
  ASSERT_EQ(crash["list"].size(), 2u);
  const nlohmann::json& first = crash["list"][0];
  EXPECT_EQ(first["cycle"], 1);
  EXPECT_EQ(first["seconds"], 1.5);
  EXPECT_EQ(first["mode"], "torn");
  EXPECT_DOUBLE_EQ(first["recovery_ms"].get<double>(), 12.5);
  EXPECT_EQ(first["recovered"], 90);
  EXPECT_EQ(first["floor"], 80);
  EXPECT_EQ(first["dropped_writes"], 10);
  EXPECT_EQ(first["ok"], true);
  const nlohmann::json& second = crash["list"][1];
  EXPECT_EQ(second["ok"], false);
  EXPECT_EQ(second["lost_writes"], 3);
  EXPECT_EQ(second["kept_db"], "run/crash-cycle-2");

  RunInfo plain;
  EXPECT_FALSE(SummaryOf(plain, RunOutcome()).contains("crash"));
}

}  // namespace
}  // namespace reports
