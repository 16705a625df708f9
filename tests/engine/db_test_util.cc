#include "tests/engine/db_test_util.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "engine/testing.h"

namespace vstress_test {

engine::Options SmallOptions(std::shared_ptr<engine::FileSystem> fs) {
  engine::Options o;
  o.file_system = std::move(fs);
  o.memtable_bytes = 16 << 10;
  o.table_target_bytes = 8 << 10;
  o.level_base_bytes = 32 << 10;
  o.level0_compaction_trigger = 2;
  o.level0_slowdown_trigger = 4;
  o.level0_stop_trigger = 8;
  o.block_bytes = 1024;
  return o;
}

engine::Options ManualOptions() {
  engine::Options o = SmallOptions();  // level0_compaction_trigger = 2
  o.memtable_bytes = 64 << 20;
  o.background = engine::BackgroundMode::kManual;
  return o;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/vstress-test-XXXXXX";
  char* made = mkdtemp(templ.data());
  if (made == nullptr) std::abort();
  path_ = std::string(made) + "/db";
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(path_).parent_path(), ec);
}

std::unique_ptr<engine::DB> OpenOrDie(const engine::Options& options, const std::string& path) {
  auto db = engine::DB::Open(options, path);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

void ExpectOpenIsCorruption(const engine::Options& options, const std::string& path,
                            const std::vector<std::string>& named) {
  auto db = engine::DB::Open(options, path);
  ASSERT_FALSE(db.ok()) << "opened " << path << " despite the damage";
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  for (const auto& what : named) {
    EXPECT_NE(std::string::npos, db.status().message().find(what))
        << "'" << what << "' not named by " << db.status().ToString();
  }
}

Model ReadAll(engine::Iterator* it) {
  Model out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace(std::string(it->key()), std::string(it->value()));
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

engine::Status TryReadAll(engine::DB* db, Model* out) {
  out->clear();
  auto it = db->NewIterator(engine::ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out->emplace(std::string(it->key()), std::string(it->value()));
  }
  return it->status();
}

Model ReadAll(engine::DB* db, const engine::Snapshot* snapshot) {
  engine::ReadOptions ro;
  ro.snapshot = snapshot;
  auto it = db->NewIterator(ro);
  return ReadAll(it.get());
}

std::string GetOrStatus(engine::DB* db, const std::string& key, const engine::Snapshot* snapshot) {
  engine::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  const engine::Status s = db->Get(ro, key, &value);
  return s.ok() ? value : s.IsNotFound() ? "NOT_FOUND" : s.ToString();
}

void PutRange(engine::DB* db, int first, int count, const std::string& tag, Model* model,
              int padding_bytes, const engine::WriteOptions& options) {
  for (int i = first; i < first + count; i++) {
    const std::string value =
        tag + "-" + std::to_string(i) + std::string(static_cast<size_t>(padding_bytes), 'x');
    auto seq = db->Put(options, Key(i), value);
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    (*model)[Key(i)] = value;
  }
}

std::vector<std::string> SortedExpectedFiles(engine::DB* db) {
  auto expected = engine::testing::ExpectedFiles(db);
  std::sort(expected.begin(), expected.end());
  return expected;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> ListTables(const std::string& dir) {
  std::vector<std::string> tables;
  for (const auto& n : ListDir(dir)) {
    if (n.ends_with(".sst")) tables.push_back(n);
  }
  return tables;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

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

std::vector<LogRecord> LogRecords(std::string_view contents) {
  std::vector<LogRecord> records;
  uint64_t offset = 0;
  while (offset + kLogHeaderBytes <= contents.size()) {
    uint32_t length = 0;  // the header's first field, little-endian
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

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

}  // namespace vstress_test
