// Recovery: what DB::Open makes of the files a previous process (or a crash) left behind.
//
// These tests damage the DB directory the way a crash or a careless operator would — a torn WAL
// or MANIFEST tail, a damaged edit, a bad CURRENT, a missing table, stray files — and check that
// Open either recovers every acknowledged write or refuses with a Status that names the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/db.h"
#include "tests/engine/db_test_util.h"

namespace vstress_test {
namespace {

using engine::DB;
using engine::Options;
using engine::ReadOptions;
using engine::WriteOptions;

// Replaces the contents of the file at `path` with `data`.
void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << path;
}

// A closed DB whose MANIFEST holds three records — the open-time snapshot and two flush edits —
// and whose live WAL holds more writes. `retired_wal` receives the name and bytes of the WAL the
// second flush retired (deleted).
struct ThreeEditDb {
  Model model;
  std::string retired_wal_name;
  std::string retired_wal_contents;
};

ThreeEditDb BuildThreeEditDb(const std::string& path) {
  ThreeEditDb out;
  auto db = OpenOrDie(ManualOptions(), path);
  if (db == nullptr) return out;
  PutRange(db.get(), 0, 200, "one", &out.model);
  EXPECT_TRUE(db->Flush().ok());
  PutRange(db.get(), 100, 200, "two", &out.model);
  out.retired_wal_name = NewestWithSuffix(path, ".log");
  out.retired_wal_contents = ReadFile(path + "/" + out.retired_wal_name);
  EXPECT_TRUE(db->Flush().ok());
  EXPECT_FALSE(std::filesystem::exists(path + "/" + out.retired_wal_name))
      << "the second flush should retire the WAL it made redundant";
  PutRange(db.get(), 250, 50, "three", &out.model);
  EXPECT_TRUE(db->Close().ok());
  return out;
}

// Close and reopen keep every write and deletion, and sequence numbers continue where they ended.
TEST(RecoveryTest, ReopenKeepsDataAndContinuesSequences) {
  TempDir dir;
  Model model;
  engine::SequenceNumber last = 0;
  {
    auto db = OpenOrDie(SmallOptions(), dir.path());
    for (int i = 0; i < 3000; i++) {
      const std::string k = Key((i * 31) % 800);
      auto seq = (i % 7 == 3) ? db->Delete(WriteOptions(), k)
                              : db->Put(WriteOptions(), k, "v" + std::to_string(i));
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      ASSERT_EQ(last + 1, seq.value());
      last = seq.value();
      if (i % 7 == 3) {
        model.erase(k);
      } else {
        model[k] = "v" + std::to_string(i);
      }
    }
    ASSERT_GT(db->GetStats().flushes, 0u) << "the test needs data in tables as well as the WAL";
    ASSERT_TRUE(db->Close().ok());
  }
  for (int round = 0; round < 2; round++) {
    SCOPED_TRACE("reopen #" + std::to_string(round + 1));
    auto db = OpenOrDie(SmallOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    EXPECT_EQ(last, db->GetStats().last_sequence);
    EXPECT_EQ(model, ReadAll(db.get()));
    std::string value;
    engine::SequenceNumber observed = 0;
    ASSERT_TRUE(db->Get(ReadOptions(), model.begin()->first, &value, &observed).ok());
    EXPECT_EQ(last, observed);
    auto seq = db->Put(WriteOptions(), "after-reopen", std::to_string(round));
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(last + 1, seq.value());
    last = seq.value();
    model["after-reopen"] = std::to_string(round);
    ASSERT_TRUE(db->Close().ok());
  }
}

// A WAL cut anywhere in its last records reopens with exactly the records still whole.
TEST(RecoveryTest, TornWalTailKeepsEveryWholeRecord) {
  TempDir base;
  const Options o = ManualOptions();
  std::vector<std::pair<std::string, std::string>> writes;
  {
    auto db = OpenOrDie(o, base.path());
    ASSERT_NE(nullptr, db);
    WriteOptions sync;
    sync.sync = WriteOptions::Sync::kYes;
    for (int i = 0; i < 12; i++) {
      writes.emplace_back(Key(i),
                          std::string(static_cast<size_t>(3 + 5 * i), static_cast<char>('a' + i)));
      auto seq = db->Put(sync, writes.back().first, writes.back().second);
      ASSERT_TRUE(seq.ok());
      ASSERT_EQ(static_cast<uint64_t>(i + 1), seq.value());
    }
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string wal = NewestWithSuffix(base.path(), ".log");
  ASSERT_FALSE(wal.empty());
  const std::string contents = ReadFile(base.path() + "/" + wal);
  const auto records = LogRecords(contents);
  ASSERT_EQ(writes.size(), records.size()) << "one record per write, all in the newest WAL";
  ASSERT_EQ(contents.size(), records.back().offset + records.back().bytes);

  // Every cut inside the last record, then a few inside the one before it.
  const uint64_t last_bytes = records.back().bytes;
  const uint64_t second_bytes = records[records.size() - 2].bytes;
  std::vector<uint64_t> cuts;
  for (uint64_t cut = 1; cut <= last_bytes; cut++) cuts.push_back(cut);
  for (uint64_t extra : {uint64_t{1}, kLogHeaderBytes - 1, kLogHeaderBytes, kLogHeaderBytes + 1,
                         second_bytes / 2, second_bytes}) {
    cuts.push_back(last_bytes + extra);
  }
  for (uint64_t cut : cuts) {
    SCOPED_TRACE("cut " + std::to_string(cut) + " bytes off " + wal);
    TempDir dir;
    CopyDir(base.path(), dir.path());
    const uint64_t size = contents.size() - cut;
    std::filesystem::resize_file(dir.path() + "/" + wal, size);
    size_t whole = 0;
    while (whole < records.size() && records[whole].offset + records[whole].bytes <= size) whole++;
    Model expected;
    for (size_t i = 0; i < whole; i++) expected[writes[i].first] = writes[i].second;

    auto db = OpenOrDie(o, dir.path());
    ASSERT_NE(nullptr, db);
    EXPECT_EQ(expected, ReadAll(db.get()));
    auto seq = db->Put(WriteOptions(), "next", "x");
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(whole + 1, seq.value()) << "sequence numbers continue after the last whole record";
  }
}

// A MANIFEST ending in part of a record opens and loses nothing (leveldb #160).
TEST(RecoveryTest, PartialRecordAtManifestTailIsIgnored) {
  TempDir base;
  const ThreeEditDb built = BuildThreeEditDb(base.path());
  ASSERT_FALSE(built.model.empty());
  const std::string manifest = CurrentManifest(base.path());
  const std::string contents = ReadFile(base.path() + "/" + manifest);
  const auto records = LogRecords(contents);
  ASSERT_EQ(3u, records.size());
  ASSERT_EQ(contents.size(), records.back().offset + records.back().bytes);
  // Prefixes of a real record (so the header checks out but the payload is short), and a header
  // of zeros (space the file system allocated but never filled).
  const std::string last = contents.substr(records.back().offset);
  const std::vector<std::string> tails = {
      last.substr(0, 1),
      last.substr(0, kLogHeaderBytes - 1),
      last.substr(0, kLogHeaderBytes),
      last.substr(0, kLogHeaderBytes + (last.size() - kLogHeaderBytes) / 2),
      last.substr(0, last.size() - 1),
      std::string(kLogHeaderBytes, '\0'),
  };
  for (size_t i = 0; i < tails.size(); i++) {
    SCOPED_TRACE("tail #" + std::to_string(i) + " of " + std::to_string(tails[i].size()) +
                 " bytes appended to " + manifest);
    TempDir dir;
    CopyDir(base.path(), dir.path());
    WriteFile(dir.path() + "/" + manifest, contents + tails[i]);
    {
      auto db = OpenOrDie(ManualOptions(), dir.path());
      ASSERT_NE(nullptr, db);
      EXPECT_EQ(built.model, ReadAll(db.get()));
      EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
      ASSERT_TRUE(db->Close().ok());
    }
    // The MANIFEST written at that open is clean: a second open needs no forgiveness.
    auto db = OpenOrDie(ManualOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    EXPECT_EQ(built.model, ReadAll(db.get()));
  }
}

// Losing the last flush edit replays the WAL it would have retired and drops its table.
TEST(RecoveryTest, CutLastManifestRecordReplaysTheWalItWouldHaveRetired) {
  TempDir base;
  const ThreeEditDb built = BuildThreeEditDb(base.path());
  ASSERT_FALSE(built.retired_wal_name.empty());
  const std::string orphan = NewestWithSuffix(base.path(), ".sst");  // the second flush's table
  const std::string manifest = CurrentManifest(base.path());
  const std::string contents = ReadFile(base.path() + "/" + manifest);
  const auto records = LogRecords(contents);
  ASSERT_EQ(3u, records.size());
  const LogRecord last = records.back();
  for (uint64_t keep : {uint64_t{0}, uint64_t{1}, kLogHeaderBytes - 1, kLogHeaderBytes,
                        kLogHeaderBytes + (last.bytes - kLogHeaderBytes) / 2, last.bytes - 1}) {
    SCOPED_TRACE("kept " + std::to_string(keep) + " of the last record's " +
                 std::to_string(last.bytes) + " bytes");
    TempDir dir;
    CopyDir(base.path(), dir.path());
    std::filesystem::resize_file(dir.path() + "/" + manifest, last.offset + keep);
    WriteFile(dir.path() + "/" + built.retired_wal_name, built.retired_wal_contents);
    auto db = OpenOrDie(ManualOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    EXPECT_EQ(built.model, ReadAll(db.get()));
    const auto names = ListDir(dir.path());
    EXPECT_FALSE(Contains(names, orphan)) << "no MANIFEST record names " << orphan;
    EXPECT_EQ(SortedExpectedFiles(db.get()), names);
  }
}

// A zeroed middle MANIFEST record is Corruption naming file and offset; nothing changes.
TEST(RecoveryTest, ZeroedMiddleManifestRecordIsCorruption) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  ASSERT_FALSE(built.model.empty());
  const std::string manifest = CurrentManifest(dir.path());
  std::string contents = ReadFile(dir.path() + "/" + manifest);
  const auto records = LogRecords(contents);
  ASSERT_EQ(3u, records.size());
  std::fill_n(contents.begin() + static_cast<std::ptrdiff_t>(records[1].offset), records[1].bytes,
              '\0');
  WriteFile(dir.path() + "/" + manifest, contents);
  const auto names_before = ListDir(dir.path());

  ExpectOpenIsCorruption(ManualOptions(), dir.path(),
                         {manifest, "offset " + std::to_string(records[1].offset)});
  EXPECT_EQ(names_before, ListDir(dir.path()));
  EXPECT_EQ(contents, ReadFile(dir.path() + "/" + manifest));
}

// A checksummed MANIFEST record that is no VersionEdit is Corruption naming file and offset.
TEST(RecoveryTest, UndecodableManifestRecordIsCorruption) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  ASSERT_FALSE(built.model.empty());
  const std::string manifest = CurrentManifest(dir.path());
  const std::string contents = ReadFile(dir.path() + "/" + manifest);
  const auto records = LogRecords(contents);
  ASSERT_EQ(3u, records.size());
  // The retired WAL's first record is a well-formed log record holding a write batch.
  const auto wal_records = LogRecords(built.retired_wal_contents);
  ASSERT_FALSE(wal_records.empty());
  const std::string foreign = built.retired_wal_contents.substr(0, wal_records[0].bytes);
  WriteFile(dir.path() + "/" + manifest,
            contents.substr(0, records[1].offset) + foreign + contents.substr(records[2].offset));

  ExpectOpenIsCorruption(ManualOptions(), dir.path(),
                         {manifest, "offset " + std::to_string(records[1].offset)});
}

// Opens `path` with CURRENT replaced by `current`, expects a refusal naming CURRENT (and
// `also_named`), then puts CURRENT back and expects every write to be intact.
void ExpectBadCurrentRefused(const std::string& path, const Model& model,
                             const std::string& current, const std::string& also_named) {
  const std::string good = ReadFile(path + "/CURRENT");
  WriteFile(path + "/CURRENT", current);
  {
    auto db = DB::Open(ManualOptions(), path);
    ASSERT_FALSE(db.ok()) << "CURRENT held '" << current << "'";
    EXPECT_NE(std::string::npos, db.status().message().find("CURRENT")) << db.status().ToString();
    EXPECT_NE(std::string::npos, db.status().message().find(also_named)) << db.status().ToString();
  }
  WriteFile(path + "/CURRENT", good);
  auto db = OpenOrDie(ManualOptions(), path);
  ASSERT_NE(nullptr, db);
  EXPECT_EQ(model, ReadAll(db.get())) << "a refused open must not change the DB";
}

// CURRENT naming a MANIFEST that does not exist is refused, naming CURRENT and that MANIFEST.
TEST(RecoveryTest, CurrentNamingMissingManifestIsRefused) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  ExpectBadCurrentRefused(dir.path(), built.model, "MANIFEST-999999\n", "MANIFEST-999999");
}

// An empty CURRENT is refused with a Status naming CURRENT.
TEST(RecoveryTest, EmptyCurrentIsRefused) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  ExpectBadCurrentRefused(dir.path(), built.model, "", "CURRENT");
}

// CURRENT holding garbage, a name without its newline, or a non-MANIFEST name is refused.
TEST(RecoveryTest, GarbageCurrentIsRefused) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  const std::string manifest = CurrentManifest(dir.path());
  for (const std::string& current : {std::string("\x01\x02 not a manifest\n"), manifest,
                                     std::string("000005.sst\n"), std::string(300, 'M') + "\n"}) {
    SCOPED_TRACE("CURRENT = '" + current.substr(0, 40) + "'");
    ExpectBadCurrentRefused(dir.path(), built.model, current, "CURRENT");
  }
}

// A table the MANIFEST lists but the directory lacks fails Open with Corruption naming it.
TEST(RecoveryTest, MissingTableIsCorruptionNamingIt) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  const auto tables = ListTables(dir.path());
  ASSERT_EQ(2u, tables.size());
  const std::string victim = dir.path() + "/" + tables[0];
  const std::string saved = ReadFile(victim);
  std::filesystem::remove(victim);
  ExpectOpenIsCorruption(ManualOptions(), dir.path(), {"missing", tables[0]});
  EXPECT_EQ(tables[1], ListTables(dir.path()).at(0)) << "a refused open must not delete tables";
  WriteFile(victim, saved);
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  EXPECT_EQ(built.model, ReadAll(db.get()));
}

// A table shorter than the MANIFEST says fails Open with Corruption naming it.
TEST(RecoveryTest, TruncatedTableIsCorruptionNamingIt) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  ASSERT_FALSE(built.model.empty());
  const auto tables = ListTables(dir.path());
  ASSERT_FALSE(tables.empty());
  const std::string victim = dir.path() + "/" + tables.back();
  std::filesystem::resize_file(victim, std::filesystem::file_size(victim) - 1);
  ExpectOpenIsCorruption(ManualOptions(), dir.path(), {tables.back()});
}

// Open removes stray tables, old WALs and temp files, keeps foreign files, reuses no number.
TEST(RecoveryTest, OpenRemovesStrayFiles) {
  TempDir dir;
  const ThreeEditDb built = BuildThreeEditDb(dir.path());
  ASSERT_FALSE(built.model.empty());
  const std::string live_wal = NewestWithSuffix(dir.path(), ".log");
  // A table file from a flush whose edit never landed, above every number in use, and one below.
  WriteFile(dir.path() + "/000999.sst", "not a table");
  WriteFile(dir.path() + "/000001.sst", "not a table either");
  // An old WAL (number 1 is below the log number): garbage, so replaying it would fail the open.
  WriteFile(dir.path() + "/000001.log", std::string(100, '\x5a'));
  WriteFile(dir.path() + "/CURRENT.dbtmp", "MANIFEST-000001\n");
  WriteFile(dir.path() + "/000002.dbtmp", "half-written");
  WriteFile(dir.path() + "/notes.txt", "the operator's notes");

  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  EXPECT_EQ(built.model, ReadAll(db.get()));
  const auto names = ListDir(dir.path());
  for (const char* stray :
       {"000999.sst", "000001.sst", "000001.log", "CURRENT.dbtmp", "000002.dbtmp"}) {
    EXPECT_FALSE(Contains(names, stray)) << stray << " should have been removed";
  }
  EXPECT_FALSE(Contains(names, live_wal)) << "the replayed WAL is retired after open";
  EXPECT_TRUE(Contains(names, "notes.txt")) << "Open must not delete files that are not its own";
  auto expected = SortedExpectedFiles(db.get());
  expected.push_back("notes.txt");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(expected, names);
  // Numbers the engine allocates from here on are above the stray table's.
  const std::string wal = NewestWithSuffix(dir.path(), ".log");
  ASSERT_EQ(10u, wal.size());
  EXPECT_GT(std::stoull(wal.substr(0, 6)), 999u) << wal;
}

}  // namespace
}  // namespace vstress_test
