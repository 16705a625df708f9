// Helpers shared by the engine's cross-component tests: a fresh DB directory per test, small
// option presets that make flushes and compactions frequent, and readers of the whole DB state.
//
// Thread contract: thread-compatible.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/file_system.h"

namespace vstress_test {

// Options with tiny memtables and tables so a few thousand writes flush and compact many times.
engine::Options SmallOptions(std::shared_ptr<engine::FileSystem> fs = nullptr);

// A unique, empty directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Everything an iterator over `db` at `snapshot` (or now) returns, in order.
std::map<std::string, std::string> ReadAll(engine::DB* db,
                                           const engine::Snapshot* snapshot = nullptr);
std::map<std::string, std::string> ReadAll(engine::Iterator* it);
// The names in `dir`, sorted.
std::vector<std::string> ListDir(const std::string& dir);
// Table files (NNNNNN.sst) in `dir`.
std::vector<std::string> ListTables(const std::string& dir);
std::string Key(int i);

}  // namespace vstress_test
