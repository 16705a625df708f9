// `vstress inspect` and engine::InspectDB: the offline report of a DB directory.
//
// The CLI tests run the real binary (VSTRESS_BINARY) the way an operator would and check its exit
// code (0 consistent, 1 inconsistent or corrupt, 2 unreadable directory or bad usage) and that
// every problem on stderr names the damaged file.
#include "engine/inspect.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/db.h"
#include "engine/testing.h"
#include "tests/engine/db_test_util.h"

namespace vstress_test {
namespace {

using engine::DB;
using engine::Options;
using engine::WriteOptions;

// Table numbers per level, only for levels that hold tables.
using TablesPerLevel = std::map<int, std::vector<uint64_t>>;

// Whether `needle` occurs anywhere in `haystack`.
bool Mentions(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

struct InspectRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `vstress inspect ARGS`, capturing stdout and stderr in files under `scratch_dir`.
InspectRun RunInspect(const std::string& args, const std::string& scratch_dir) {
  const std::string out_path = scratch_dir + "/inspect.stdout";
  const std::string err_path = scratch_dir + "/inspect.stderr";
  const std::string command = std::string("'") + VSTRESS_BINARY + "' inspect " + args + " >'" +
                              out_path + "' 2>'" + err_path + "'";
  const int rc = std::system(command.c_str());
  InspectRun run;
  run.exit_code = (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
  run.out = ReadFile(out_path);
  run.err = ReadFile(err_path);
  return run;
}

InspectRun InspectDir(const std::string& db_dir) {
  return RunInspect("'" + db_dir + "'", std::filesystem::path(db_dir).parent_path().string());
}

std::string Describe(const InspectRun& run) {
  return "exit " + std::to_string(run.exit_code) + "\n--- stdout\n" + run.out + "--- stderr\n" +
         run.err;
}

// Parses the "L<n>:" headers and the "  NNNNNN.sst ..." lines under them.
TablesPerLevel TablesFromInspectOutput(const std::string& out) {
  TablesPerLevel tables;
  std::istringstream lines(out);
  std::string line;
  int level = -1;
  while (std::getline(lines, line)) {
    if (line.size() >= 3 && line[0] == 'L' && line.back() == ':') {
      level = std::stoi(line.substr(1, line.size() - 2));
    } else if (level >= 0 && line.starts_with("  ") && Mentions(line, ".sst")) {
      tables[level].push_back(std::stoull(line.substr(2, line.find(".sst") - 2)));
    }
  }
  return tables;
}

TablesPerLevel CurrentTables(DB* db) {
  const auto versions = engine::testing::LiveVersions(db);
  TablesPerLevel tables;
  if (versions.empty()) return tables;
  const auto& current = versions.back();
  for (size_t level = 0; level < current.files_per_level.size(); level++) {
    if (!current.files_per_level[level].empty()) {
      tables[static_cast<int>(level)] = current.files_per_level[level];
    }
  }
  return tables;
}

// A closed DB with tables in several levels and a few writes left in its WAL. Returns the
// tables of its current Version.
TablesPerLevel BuildHealthyDb(const std::string& path, int wal_writes) {
  auto db = OpenOrDie(SmallOptions(), path);
  if (db == nullptr) return {};
  for (int i = 0; i < 3000; i++) {
    EXPECT_TRUE(db->Put(WriteOptions(), Key((i * 13) % 900), "v" + std::to_string(i)).ok());
  }
  EXPECT_TRUE(db->CompactRange("", "").ok());
  for (int i = 0; i < 200; i++) EXPECT_TRUE(db->Put(WriteOptions(), Key(i), "level0").ok());
  EXPECT_TRUE(db->Flush().ok());
  EXPECT_TRUE(db->WaitForBackgroundIdle().ok());
  for (int i = 0; i < wal_writes; i++) {
    EXPECT_TRUE(db->Put(WriteOptions(), "wal" + std::to_string(i), "x").ok());
  }
  TablesPerLevel tables = CurrentTables(db.get());
  EXPECT_TRUE(db->Close().ok());
  return tables;
}

// Two level-0 tables written by a manual-mode DB, then closed. Returns the tables on disk.
std::vector<std::string> BuildTwoTableDb(const std::string& path) {
  auto db = OpenOrDie(ManualOptions(), path);
  if (db == nullptr) return {};
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 300; i++) {
      EXPECT_TRUE(db->Put(WriteOptions(), Key(i), "r" + std::to_string(round)).ok());
    }
    EXPECT_TRUE(db->Flush().ok());
  }
  EXPECT_TRUE(db->Close().ok());
  return ListTables(path);
}

// A closed manual-mode DB whose ten writes live only in its WAL.
void BuildWalOnlyDb(const std::string& path) {
  auto db = OpenOrDie(ManualOptions(), path);
  ASSERT_NE(nullptr, db);
  for (int i = 0; i < 10; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "v").ok());
  ASSERT_TRUE(db->Close().ok());
}

// A healthy DB: exit 0, "consistent", CURRENT's MANIFEST and the tables of each level.
TEST(InspectTest, HealthyDbIsConsistentAndListsTablesPerLevel) {
  TempDir dir;
  const TablesPerLevel expected = BuildHealthyDb(dir.path(), 5);
  ASSERT_GE(expected.size(), 2u) << "the DB should hold tables in more than one level";
  const InspectRun run = InspectDir(dir.path());
  EXPECT_EQ(0, run.exit_code) << Describe(run);
  EXPECT_TRUE(Mentions(run.out, "\nconsistent\n")) << Describe(run);
  EXPECT_TRUE(Mentions(run.out, "CURRENT -> " + CurrentManifest(dir.path()) + "\n"))
      << Describe(run);
  EXPECT_EQ(expected, TablesFromInspectOutput(run.out)) << Describe(run);
  EXPECT_TRUE(Mentions(run.out, "WAL " + NewestWithSuffix(dir.path(), ".log") + ": 5 records"))
      << Describe(run);
  EXPECT_TRUE(run.err.empty()) << Describe(run);
}

// A flipped bit in one table's data block: exit 1, and stderr names that table (only).
TEST(InspectTest, FlippedBitInTableIsReportedNamingIt) {
  TempDir dir;
  const auto tables = BuildTwoTableDb(dir.path());
  ASSERT_EQ(2u, tables.size());
  FlipBit(dir.path() + "/" + tables[0], 7, 2);
  const InspectRun run = InspectDir(dir.path());
  EXPECT_EQ(1, run.exit_code) << Describe(run);
  EXPECT_TRUE(Mentions(run.err, tables[0])) << Describe(run);
  EXPECT_FALSE(Mentions(run.err, tables[1])) << Describe(run);
  EXPECT_TRUE(Mentions(run.err, "inconsistent")) << Describe(run);
  EXPECT_FALSE(Mentions(run.out, "\nconsistent\n")) << Describe(run);
}

// A table the MANIFEST lists but the directory lacks: exit 1, stderr names it as missing.
TEST(InspectTest, MissingTableIsReportedNamingIt) {
  TempDir dir;
  const auto tables = BuildTwoTableDb(dir.path());
  ASSERT_EQ(2u, tables.size());
  std::filesystem::remove(dir.path() + "/" + tables[1]);
  const InspectRun run = InspectDir(dir.path());
  EXPECT_EQ(1, run.exit_code) << Describe(run);
  EXPECT_TRUE(Mentions(run.err, tables[1] + ": missing")) << Describe(run);
}

// A directory that does not exist: exit 2, and stderr names it.
TEST(InspectTest, NonexistentDirIsExitTwo) {
  TempDir dir;  // dir.path() itself is never created
  const InspectRun run = InspectDir(dir.path());
  EXPECT_EQ(2, run.exit_code) << Describe(run);
  EXPECT_TRUE(Mentions(run.err, dir.path())) << Describe(run);
}

// No directory argument is bad usage: exit 2.
TEST(InspectTest, MissingArgumentIsExitTwo) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  const InspectRun run = RunInspect("", dir.path());
  EXPECT_EQ(2, run.exit_code) << Describe(run);
}

// A WAL whose last record is torn is still consistent (exit 0) and the torn tail is mentioned.
TEST(InspectTest, TornWalTailIsConsistentAndMentioned) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(BuildWalOnlyDb(dir.path()));
  const std::string wal = dir.path() + "/" + NewestWithSuffix(dir.path(), ".log");
  std::filesystem::resize_file(wal, std::filesystem::file_size(wal) - 3);
  const InspectRun run = InspectDir(dir.path());
  EXPECT_EQ(0, run.exit_code) << Describe(run);
  EXPECT_TRUE(Mentions(run.out, "9 records")) << Describe(run);
  EXPECT_TRUE(Mentions(run.out, "torn tail")) << Describe(run);
  EXPECT_TRUE(Mentions(run.out, "\nconsistent\n")) << Describe(run);
}

// A damaged WAL record followed by more records: exit 1, and stderr names the WAL and offset.
TEST(InspectTest, DamagedWalRecordIsReportedNamingIt) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(BuildWalOnlyDb(dir.path()));
  const std::string wal = NewestWithSuffix(dir.path(), ".log");
  FlipBit(dir.path() + "/" + wal, kLogHeaderBytes + 3, 1);  // the first record's payload
  const InspectRun run = InspectDir(dir.path());
  EXPECT_EQ(1, run.exit_code) << Describe(run);
  EXPECT_TRUE(Mentions(run.err, wal + ": corrupt record at offset 0")) << Describe(run);
}

// InspectDB on a healthy DB reports CURRENT, each level's tables and the WAL, no problems.
TEST(InspectTest, InspectDbReportsHealthyDb) {
  TempDir dir;
  const TablesPerLevel expected = BuildHealthyDb(dir.path(), 7);
  ASSERT_FALSE(expected.empty());
  engine::InspectReport report;
  ASSERT_TRUE(engine::InspectDB(Options(), dir.path(), &report).ok());
  EXPECT_TRUE(report.consistent()) << report.problems.front();
  EXPECT_EQ(CurrentManifest(dir.path()), report.current);
  EXPECT_FALSE(report.edits.empty());
  TablesPerLevel reported;
  for (const auto& t : report.tables) {
    reported[t.level].push_back(t.number);
    EXPECT_GT(t.entries, 0u) << t.number;
    EXPECT_LE(t.smallest_user_key, t.largest_user_key) << t.number;
  }
  EXPECT_EQ(expected, reported);
  ASSERT_EQ(1u, report.wals.size());
  EXPECT_EQ(NewestWithSuffix(dir.path(), ".log"), report.wals[0].name);
  EXPECT_EQ(7u, report.wals[0].records);
  EXPECT_EQ(7u, report.wals[0].entries);
  EXPECT_FALSE(report.wals[0].torn_tail);
  EXPECT_TRUE(report.unreferenced_files.empty());
}

// InspectDB on a DB with one damaged table reports one problem naming it, and every table.
TEST(InspectTest, InspectDbReportsDamagedTable) {
  TempDir dir;
  const auto tables = BuildTwoTableDb(dir.path());
  ASSERT_EQ(2u, tables.size());
  FlipBit(dir.path() + "/" + tables[1], 3, 6);
  engine::InspectReport report;
  ASSERT_TRUE(engine::InspectDB(Options(), dir.path(), &report).ok());
  EXPECT_FALSE(report.consistent());
  ASSERT_EQ(1u, report.problems.size());
  EXPECT_TRUE(Mentions(report.problems[0], tables[1])) << report.problems[0];
  EXPECT_EQ(2u, report.tables.size());
}

}  // namespace
}  // namespace vstress_test
