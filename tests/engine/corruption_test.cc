// Corruption: single flipped bits in tables, WALs, the MANIFEST and CURRENT.
//
// A damaged byte must surface as a Status that names the damaged file (and offset, where the
// format knows one) — never as a crash and never as wrong data. A damaged WAL or MANIFEST record
// that is not the last one is Corruption; only a damaged *last* record may be read as a torn tail.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/db.h"
#include "tests/engine/db_test_util.h"

namespace {

using engine::DB;
using engine::Options;
using engine::ReadOptions;
using engine::Status;
using engine::WriteOptions;
using vstress_test::Key;
using vstress_test::ListDir;
using vstress_test::ListTables;
using vstress_test::SmallOptions;
using vstress_test::TempDir;

using Model = std::map<std::string, std::string>;

// log_format.h: fixed32 length | fixed32 payload checksum | fixed32 header checksum.
constexpr uint64_t kLogHeaderBytes = 12;
// table_format.h: the footer is the last 60 bytes and starts with the filter block's handle.
constexpr uint64_t kTableFooterBytes = 60;

std::unique_ptr<DB> OpenOrDie(const Options& o, const std::string& path) {
  auto db = DB::Open(o, path);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// Nothing flushes on its own (so writes stay in the WAL) and nothing runs in the background.
Options QuietOptions() {
  Options o = SmallOptions();
  o.memtable_bytes = 64 << 20;
  o.background = engine::BackgroundMode::kManual;
  return o;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Flips one bit in place (same inode, so a reader holding the file open sees it).
void FlipBit(const std::string& path, uint64_t offset, int bit) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(c);
  ASSERT_TRUE(f.good()) << path << " @" << offset;
}

struct LogRecord {
  uint64_t offset = 0;
  uint64_t bytes = 0;  // header and payload
};

// The whole records of a WAL or MANIFEST, found by walking the length fields.
std::vector<LogRecord> LogRecords(std::string_view contents) {
  std::vector<LogRecord> records;
  uint64_t offset = 0;
  while (offset + kLogHeaderBytes <= contents.size()) {
    uint32_t length = 0;
    for (int i = 3; i >= 0; i--) {
      length = (length << 8) | static_cast<uint8_t>(contents[offset + static_cast<uint64_t>(i)]);
    }
    const uint64_t bytes = kLogHeaderBytes + length;
    if (offset + bytes > contents.size()) break;
    records.push_back({offset, bytes});
    offset += bytes;
  }
  return records;
}

std::string NewestWithSuffix(const std::string& dir, std::string_view suffix) {
  std::string newest;
  for (const auto& name : ListDir(dir)) {
    if (name.ends_with(suffix)) newest = name;  // zero-padded numbers sort in numeric order
  }
  return newest;
}

std::string CurrentManifest(const std::string& dir) {
  std::string current = ReadFile(dir + "/CURRENT");
  if (!current.empty() && current.back() == '\n') current.pop_back();
  return current;
}

void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

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

// Puts keys [first, first + count) tagged `tag` (values long enough to fill several blocks).
void PutRange(DB* db, int first, int count, const std::string& tag, Model* model) {
  for (int i = first; i < first + count; i++) {
    const std::string value = tag + "-" + std::to_string(i) + std::string(20, 'x');
    ASSERT_TRUE(db->Put(WriteOptions(), Key(i), value).ok());
    (*model)[Key(i)] = value;
  }
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

// A flipped data-block bit fails that block's reads naming the table; other reads stay right.
TEST(CorruptionTest, FlippedBitInDataBlockFailsOnlyThatBlocksReads) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(QuietOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 300, "v", &model);
  ASSERT_TRUE(db->Flush().ok());
  const auto tables = ListTables(dir.path());
  ASSERT_EQ(1u, tables.size());
  const std::string path = dir.path() + "/" + tables[0];
  const uint64_t data_end = DataBlocksEnd(ReadFile(path));
  ASSERT_GT(data_end, 4u * QuietOptions().block_bytes) << "the table should hold several blocks";
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
  {
    auto db = OpenOrDie(QuietOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    PutRange(db.get(), 0, 300, "v", &model);
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Close().ok());
  }
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
      auto db = OpenOrDie(QuietOptions(), dir.path());
      ASSERT_NE(nullptr, db);
      EXPECT_EQ(static_cast<int>(model.size()), CheckGets(db.get(), model, tables[0]));
      CheckScan(db.get(), model, false, tables[0]);
      ASSERT_TRUE(db->Close().ok());
    }
    FlipBit(path, offset, flips % 8);
    if (HasFailure()) break;
  }
  auto db = OpenOrDie(QuietOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  CheckScan(db.get(), model, true, tables[0]);
}

// Damage to a key's newer table never lets a read return the older table's stale value.
TEST(CorruptionTest, DamagedNewerTableNeverYieldsStaleValue) {
  TempDir dir;
  Model model;
  auto db = OpenOrDie(QuietOptions(), dir.path());  // manual: both tables stay in level 0
  ASSERT_NE(nullptr, db);
  PutRange(db.get(), 0, 300, "old", &model);
  ASSERT_TRUE(db->Flush().ok());
  PutRange(db.get(), 0, 300, "new", &model);
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

// Opens a copy of `base` whose `file` has bit `bit` of byte `offset` flipped, and expects
// Corruption naming `file` and `offset_text`; the refused open must leave the file as it was.
void ExpectFlipRefused(const std::string& base, const std::string& file, uint64_t offset, int bit,
                       const std::string& offset_text) {
  TempDir dir;
  CopyDir(base, dir.path());
  const std::string path = dir.path() + "/" + file;
  FlipBit(path, offset, bit);
  const std::string damaged = ReadFile(path);
  auto db = DB::Open(QuietOptions(), dir.path());
  ASSERT_FALSE(db.ok()) << "opened despite a flipped bit at " << file << " byte " << offset;
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_TRUE(Names(db.status(), file)) << db.status().ToString();
  EXPECT_TRUE(Names(db.status(), offset_text)) << db.status().ToString();
  EXPECT_EQ(damaged, ReadFile(path)) << "a refused open must not rewrite " << file;
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

// A flipped bit in a non-last WAL record fails Open with Corruption naming file and offset.
TEST(CorruptionTest, FlippedBitInWalRecordIsCorruptionNamingFileAndOffset) {
  TempDir base;
  {
    auto db = OpenOrDie(QuietOptions(), base.path());
    ASSERT_NE(nullptr, db);
    Model model;
    PutRange(db.get(), 0, 10, "v", &model);
    ASSERT_TRUE(db->Close().ok());  // Close does not flush: the writes live only in the WAL
  }
  const std::string wal = NewestWithSuffix(base.path(), ".log");
  const auto records = LogRecords(ReadFile(base.path() + "/" + wal));
  ASSERT_EQ(10u, records.size());
  for (size_t which : {size_t{0}, size_t{4}, records.size() - 2}) {
    int bit = 0;
    for (uint64_t offset : OffsetsToDamage(records[which])) {
      SCOPED_TRACE("record " + std::to_string(which) + ", byte " + std::to_string(offset));
      ExpectFlipRefused(base.path(), wal, offset, bit++ % 8,
                        "offset " + std::to_string(records[which].offset));
    }
  }
}

// A flipped bit in a non-last MANIFEST record fails Open with Corruption naming the file.
TEST(CorruptionTest, FlippedBitInManifestRecordIsCorruptionNamingFile) {
  TempDir base;
  {
    auto db = OpenOrDie(QuietOptions(), base.path());
    ASSERT_NE(nullptr, db);
    Model model;
    for (int round = 0; round < 3; round++) {
      PutRange(db.get(), round * 50, 100, "r" + std::to_string(round), &model);
      ASSERT_TRUE(db->Flush().ok());
    }
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string manifest = CurrentManifest(base.path());
  const auto records = LogRecords(ReadFile(base.path() + "/" + manifest));
  ASSERT_EQ(4u, records.size()) << "the open-time snapshot and one edit per flush";
  for (size_t which : {size_t{0}, size_t{1}, size_t{2}}) {
    int bit = 3;
    for (uint64_t offset : OffsetsToDamage(records[which])) {
      SCOPED_TRACE("record " + std::to_string(which) + ", byte " + std::to_string(offset));
      ExpectFlipRefused(base.path(), manifest, offset, bit++ % 8,
                        "offset " + std::to_string(records[which].offset));
    }
  }
}

// A flipped bit in the last whole MANIFEST record is refused, never silently dropped.
TEST(CorruptionTest, FlippedBitInLastManifestRecordNeverLosesWrites) {
  TempDir dir;
  Model model;
  {
    auto db = OpenOrDie(QuietOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    for (int round = 0; round < 2; round++) {
      PutRange(db.get(), round * 50, 100, "r" + std::to_string(round), &model);
      ASSERT_TRUE(db->Flush().ok());  // retires (deletes) the WAL that held the round
    }
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string manifest = CurrentManifest(dir.path());
  const auto records = LogRecords(ReadFile(dir.path() + "/" + manifest));
  ASSERT_EQ(3u, records.size());
  FlipBit(dir.path() + "/" + manifest, records[2].offset + kLogHeaderBytes + 5, 2);
  auto db = DB::Open(QuietOptions(), dir.path());
  if (!db.ok()) {
    EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
    EXPECT_TRUE(Names(db.status(), manifest)) << db.status().ToString();
    return;
  }
  const Model read = vstress_test::ReadAll(db->get());
  EXPECT_EQ(model.size(), read.size());
  EXPECT_EQ(model, read);
}

// Every single-bit flip in CURRENT is refused naming CURRENT, and the DB is intact after.
TEST(CorruptionTest, FlippedBitInCurrentIsRefused) {
  TempDir dir;
  Model model;
  {
    auto db = OpenOrDie(QuietOptions(), dir.path());
    ASSERT_NE(nullptr, db);
    PutRange(db.get(), 0, 100, "v", &model);
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string current_path = dir.path() + "/CURRENT";
  const std::string good = ReadFile(current_path);
  ASSERT_EQ('\n', good.back());
  const auto names_before = ListDir(dir.path());
  for (uint64_t offset = 0; offset < good.size(); offset++) {
    for (int bit = 0; bit < 8; bit++) {
      SCOPED_TRACE("bit " + std::to_string(bit) + " of byte " + std::to_string(offset));
      FlipBit(current_path, offset, bit);
      {
        auto db = DB::Open(QuietOptions(), dir.path());
        ASSERT_FALSE(db.ok()) << "CURRENT = '" << ReadFile(current_path) << "'";
        EXPECT_TRUE(db.status().IsCorruption() || db.status().IsIOError())
            << db.status().ToString();
        EXPECT_TRUE(Names(db.status(), "CURRENT")) << db.status().ToString();
      }
      FlipBit(current_path, offset, bit);
    }
  }
  EXPECT_EQ(names_before, ListDir(dir.path())) << "refused opens must not create or delete files";
  auto db = OpenOrDie(QuietOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  EXPECT_EQ(model, vstress_test::ReadAll(db.get()));
}

}  // namespace
