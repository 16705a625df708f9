// Corruption: single flipped bits in tables, WALs, the MANIFEST and CURRENT.
//
// A damaged byte must surface as a Status that names the damaged file (and offset, where the
// format knows one) — never as a crash and never as wrong data. A damaged WAL or MANIFEST record
// that is not the last one is Corruption; only a damaged *last* record may be read as a torn tail.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/db.h"
#include "tests/engine/db_test_util.h"

namespace vstress_test {
namespace {

using engine::DB;
using engine::ReadOptions;
using engine::Status;

// table_format.h: the footer is the last 60 bytes and starts with the filter block's handle.
constexpr uint64_t kTableFooterBytes = 60;
// Values long enough that a few hundred keys fill several data blocks.
constexpr int kValuePaddingBytes = 20;

// Where a table's data blocks end: the filter block's offset, the footer's first varint.
uint64_t DataBlocksEnd(const std::string& table_contents) {
  uint64_t value = 0;
  int shift = 0;
  for (size_t i = table_contents.size() - kTableFooterBytes; i < table_contents.size(); i++) {
    const auto byte = static_cast<uint8_t>(table_contents[i]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
    shift += 7;
  }
  return value;
}

bool Names(const Status& s, const std::string& what) {
  return s.message().find(what) != std::string::npos;
}

// Full forward scan: every yielded entry must be the model's (in order, never stale); the scan
// must end with `expect_ok` status (or Corruption naming `table`). Returns entries yielded.
size_t CheckScan(DB* db, const Model& model, bool expect_ok, const std::string& table) {
  auto it = db->NewIterator(ReadOptions());
  auto expected = model.begin();
  size_t yielded = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected, yielded++) {
    if (expected == model.end()) {
      ADD_FAILURE() << "extra key " << it->key();
      break;
    }
    if (expected->first != it->key() || expected->second != it->value()) {
      ADD_FAILURE() << "wrong entry " << it->key() << "=" << it->value() << ", expected "
                    << expected->first << "=" << expected->second
                    << " (iterator status: " << it->status().ToString() << ")";
      break;
    }
  }
  if (expect_ok) {
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_EQ(model.size(), yielded);
  } else {
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
    EXPECT_TRUE(Names(it->status(), table)) << it->status().ToString();
    EXPECT_LT(yielded, model.size());
  }
  return yielded;
}

// Every Get returns the model's value or Corruption naming `table`; returns how many failed.
int CheckGets(DB* db, const Model& model, const std::string& table) {
  int corrupt = 0;
  for (const auto& [k, v] : model) {
    std::string value;
    const Status s = db->Get(ReadOptions(), k, &value);
    if (s.ok()) {
      EXPECT_EQ(v, value) << k;
    } else {
      EXPECT_TRUE(s.IsCorruption()) << k << ": " << s.ToString();
      EXPECT_TRUE(Names(s, table)) << k << ": " << s.ToString();
      corrupt++;
    }
  }
  return corrupt;
}

// Creates a closed DB at `path` from `rounds` rounds of `keys` writes, each flushed to a table of
// its own (round r puts keys r*50 .., overlapping the round before), recording them in `model`.
void BuildFlushedDb(const std::string& path, int rounds, int keys, Model* model) {
  auto db = OpenOrDie(ManualOptions(), path);
  ASSERT_NE(nullptr, db);
  for (int round = 0; round < rounds; round++) {
    PutRange(db.get(), round * 50, keys, "r" + std::to_string(round), model, kValuePaddingBytes);
    ASSERT_TRUE(db->Flush().ok());  // retires (deletes) the WAL that held the round
  }
  ASSERT_TRUE(db->Close().ok());
}

// A flipped data-block bit fails that block's reads naming the table; other reads stay right.
TEST(CorruptionTest, FlippedBitInDataBlockFailsOnlyThatBlocksReads) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 300, "v", &model, kValuePaddingBytes);
  ASSERT_TRUE(db->Flush().ok());
  const auto tables = ListTables(dir.path());
  ASSERT_EQ(1u, tables.size());
  const std::string path = dir.path() + "/" + tables[0];
  const uint64_t data_end = DataBlocksEnd(ReadFile(path));
  ASSERT_GT(data_end, 4u * ManualOptions().block_bytes) << "the table should hold several blocks";
  CheckScan(db.get(), model, true, tables[0]);

  // The DB stays open: data blocks are read from the file on every access.
  int flips = 0;
  for (uint64_t offset = 0; offset < data_end; offset += 41, flips++) {
    SCOPED_TRACE("bit " + std::to_string(flips % 8) + " of byte " + std::to_string(offset));
    FlipBit(path, offset, flips % 8);
    EXPECT_GE(CheckGets(db.get(), model, tables[0]), 1) << "the damaged block holds some key";
    CheckScan(db.get(), model, false, tables[0]);
    FlipBit(path, offset, flips % 8);
    if (HasFailure()) break;  // one damaged offset explains itself; a thousand do not
  }
  EXPECT_EQ(0, CheckGets(db.get(), model, tables[0]));
}

// A flipped bit in a table's filter, index or footer fails every read with Corruption.
TEST(CorruptionTest, FlippedBitInTableMetadataFailsEveryRead) {
  TempDir dir;
  Model model;
  ASSERT_NO_FATAL_FAILURE(BuildFlushedDb(dir.path(), /*rounds=*/1, /*keys=*/300, &model));
  const auto tables = ListTables(dir.path());
  ASSERT_EQ(1u, tables.size());
  const std::string path = dir.path() + "/" + tables[0];
  const std::string contents = ReadFile(path);
  const uint64_t data_end = DataBlocksEnd(contents);
  ASSERT_LT(data_end, contents.size() - kTableFooterBytes);
  int flips = 0;
  for (uint64_t offset = data_end; offset < contents.size(); offset += 7, flips++) {
    SCOPED_TRACE("bit " + std::to_string(flips % 8) + " of byte " + std::to_string(offset));
    FlipBit(path, offset, flips % 8);
    {
      // The MANIFEST checks only sizes at open, so the damage is met by the first read.
      auto db = OpenOrDie(ManualOptions(), dir.path());
      ASSERT_NE(nullptr, db);
      EXPECT_EQ(static_cast<int>(model.size()), CheckGets(db.get(), model, tables[0]));
      CheckScan(db.get(), model, false, tables[0]);
      ASSERT_TRUE(db->Close().ok());
    }
    FlipBit(path, offset, flips % 8);
    if (HasFailure()) break;
  }
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  CheckScan(db.get(), model, true, tables[0]);
}

// Damage to a key's newer table never lets a read return the older table's stale value.
TEST(CorruptionTest, DamagedNewerTableNeverYieldsStaleValue) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(ManualOptions(), dir.path());  // manual: both tables stay in level 0
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 300, "old", &model, kValuePaddingBytes);
  ASSERT_TRUE(db->Flush().ok());
  PutRange(db.get(), 0, 300, "new", &model, kValuePaddingBytes);
  ASSERT_TRUE(db->Flush().ok());
  const auto tables = ListTables(dir.path());
  ASSERT_EQ(2u, tables.size());
  const std::string newer = tables[1];
  FlipBit(dir.path() + "/" + newer, 5, 0);  // the first data block: it holds Key(0)

  std::string value;
  const Status s = db->Get(ReadOptions(), Key(0), &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString() << " value=" << value;
  EXPECT_TRUE(Names(s, newer)) << s.ToString();
  CheckScan(db.get(), model, false, newer);
}

// The byte offsets within a record worth damaging: each header field and the payload.
std::vector<uint64_t> OffsetsToDamage(const LogRecord& r) {
  return {r.offset,
          r.offset + 4,
          r.offset + 8,
          r.offset + 11,
          r.offset + kLogHeaderBytes,
          r.offset + r.bytes / 2,
          r.offset + r.bytes - 1};
}

// For each of `which` records of `file` and each of its OffsetsToDamage, opens a copy of `base`
// with one bit of that byte flipped (bits first_bit, first_bit + 1, ... mod 8) and expects
// Corruption naming `file` and the record's offset; the refused open must leave the file as it was.
void ExpectRecordFlipsRefused(const std::string& base, const std::string& file,
                              const std::vector<size_t>& which, int first_bit) {
  const auto records = LogRecords(ReadFile(base + "/" + file));
  for (size_t record : which) {
    ASSERT_LT(record, records.size());
    int bit = first_bit;
    for (uint64_t offset : OffsetsToDamage(records[record])) {
      SCOPED_TRACE("record " + std::to_string(record) + ", byte " + std::to_string(offset));
      TempDir dir;
      CopyDir(base, dir.path());
      const std::string path = dir.path() + "/" + file;
      FlipBit(path, offset, bit++ % 8);
      const std::string damaged = ReadFile(path);
      ExpectOpenIsCorruption(ManualOptions(), dir.path(),
                             {file, "offset " + std::to_string(records[record].offset)});
      EXPECT_EQ(damaged, ReadFile(path)) << "a refused open must not rewrite " << file;
    }
  }
}

// A flipped bit in a non-last WAL record fails Open with Corruption naming file and offset.
TEST(CorruptionTest, FlippedBitInWalRecordIsCorruptionNamingFileAndOffset) {
  TempDir base;
  {
    auto db = OpenOrDie(ManualOptions(), base.path());
    ASSERT_NE(nullptr, db);
    Model model;
    PutRange(db.get(), 0, 10, "v", &model, kValuePaddingBytes);
    ASSERT_TRUE(db->Close().ok());  // Close does not flush: the writes live only in the WAL
  }
  const std::string wal = NewestWithSuffix(base.path(), ".log");
  const size_t record_count = LogRecords(ReadFile(base.path() + "/" + wal)).size();
  ASSERT_EQ(10u, record_count);
  ExpectRecordFlipsRefused(base.path(), wal, {0, 4, record_count - 2}, /*first_bit=*/0);
}

// A flipped bit in a non-last MANIFEST record fails Open with Corruption naming the file.
TEST(CorruptionTest, FlippedBitInManifestRecordIsCorruptionNamingFile) {
  TempDir base;
  Model model;
  ASSERT_NO_FATAL_FAILURE(BuildFlushedDb(base.path(), /*rounds=*/3, /*keys=*/100, &model));
  const std::string manifest = CurrentManifest(base.path());
  const auto records = LogRecords(ReadFile(base.path() + "/" + manifest));
  ASSERT_EQ(4u, records.size()) << "the open-time snapshot and one edit per flush";
  ExpectRecordFlipsRefused(base.path(), manifest, {0, 1, 2}, /*first_bit=*/3);
}

// A flipped bit in the last whole MANIFEST record is refused, never silently dropped.
TEST(CorruptionTest, FlippedBitInLastManifestRecordNeverLosesWrites) {
  TempDir dir;
  Model model;
  ASSERT_NO_FATAL_FAILURE(BuildFlushedDb(dir.path(), /*rounds=*/2, /*keys=*/100, &model));
  const std::string manifest = CurrentManifest(dir.path());
  const auto records = LogRecords(ReadFile(dir.path() + "/" + manifest));
  ASSERT_EQ(3u, records.size());
  FlipBit(dir.path() + "/" + manifest, records[2].offset + kLogHeaderBytes + 5, 2);
  auto db = DB::Open(ManualOptions(), dir.path());
  if (!db.ok()) {
    EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
    EXPECT_TRUE(Names(db.status(), manifest)) << db.status().ToString();
    return;
  }
  const Model read = ReadAll(db->get());
  EXPECT_EQ(model.size(), read.size());
  EXPECT_EQ(model, read);
}

// Every single-bit flip in CURRENT is refused naming CURRENT, and the DB is intact after.
TEST(CorruptionTest, FlippedBitInCurrentIsRefused) {
  TempDir dir;
  Model model;
  ASSERT_NO_FATAL_FAILURE(BuildFlushedDb(dir.path(), /*rounds=*/1, /*keys=*/100, &model));
  const std::string current_path = dir.path() + "/CURRENT";
  const std::string good = ReadFile(current_path);
  ASSERT_EQ('\n', good.back());
  const auto names_before = ListDir(dir.path());
  for (uint64_t offset = 0; offset < good.size(); offset++) {
    for (int bit = 0; bit < 8; bit++) {
      SCOPED_TRACE("bit " + std::to_string(bit) + " of byte " + std::to_string(offset));
      FlipBit(current_path, offset, bit);
      {
        auto db = DB::Open(ManualOptions(), dir.path());
        ASSERT_FALSE(db.ok()) << "CURRENT = '" << ReadFile(current_path) << "'";
        EXPECT_TRUE(db.status().IsCorruption() || db.status().IsIOError())
            << db.status().ToString();
        EXPECT_TRUE(Names(db.status(), "CURRENT")) << db.status().ToString();
      }
      FlipBit(current_path, offset, bit);
    }
  }
  EXPECT_EQ(names_before, ListDir(dir.path())) << "refused opens must not create or delete files";
  auto db = OpenOrDie(ManualOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  EXPECT_EQ(model, ReadAll(db.get()));
}

}  // namespace
}  // namespace vstress_test
