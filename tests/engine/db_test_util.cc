#include "tests/engine/db_test_util.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

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

std::map<std::string, std::string> ReadAll(engine::Iterator* it) {
  std::map<std::string, std::string> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace(std::string(it->key()), std::string(it->value()));
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

std::map<std::string, std::string> ReadAll(engine::DB* db, const engine::Snapshot* snapshot) {
  engine::ReadOptions ro;
  ro.snapshot = snapshot;
  auto it = db->NewIterator(ro);
  return ReadAll(it.get());
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

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

}  // namespace vstress_test
