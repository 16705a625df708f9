// Helpers shared by the engine's cross-component tests: a fresh DB directory per test, small
// option presets that make flushes and compactions frequent (or happen only when a test asks),
// readers of the whole DB state, and readers and editors of the raw files in a DB directory (WAL
// and MANIFEST records, CURRENT, single flipped bits) for the recovery and corruption tests.
//
// Helpers that check something report it as a gtest failure of the calling test. A helper whose
// ASSERT fails returns early but does not end the caller; callers that must stop there wrap the
// call in ASSERT_NO_FATAL_FAILURE.
//
// Thread contract: thread-compatible.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/db.h"
#include "engine/file_system.h"

namespace vstress_test {

// What a DB should hold: every live key and its value.
using Model = std::map<std::string, std::string>;

// Bytes in a WAL or MANIFEST record header (engine/src/log_format.h: fixed32 length, fixed32
// payload checksum, fixed32 header checksum). Do not change: on-disk format.
inline constexpr uint64_t kLogHeaderBytes = 12;
static_assert(kLogHeaderBytes == 3 * sizeof(uint32_t), "three fixed32 fields");

// Options with tiny memtables and tables so a few thousand writes flush and compact many times.
engine::Options SmallOptions(std::shared_ptr<engine::FileSystem> fs = nullptr);
// SmallOptions, except nothing flushes until the test calls Flush() (so writes stay in the WAL)
// and background work runs only when the test steps it.
engine::Options ManualOptions();

// A unique, empty directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Opens the DB at `path`, failing the test (and returning nullptr) if Open fails.
std::unique_ptr<engine::DB> OpenOrDie(const engine::Options& options, const std::string& path);
// Expects Open of `path` to fail with Corruption whose message names every string in `named`.
void ExpectOpenIsCorruption(const engine::Options& options, const std::string& path,
                            const std::vector<std::string>& named);

// Everything an iterator over `db` at `snapshot` (or now) returns, in order.
Model ReadAll(engine::DB* db, const engine::Snapshot* snapshot = nullptr);
// Everything `it` returns from its first entry on.
Model ReadAll(engine::Iterator* it);
// Everything an iterator over `db` returns, into `out`, and the iterator's status, unchecked: for
// callers where a failed read is expected (a crash may have frozen the file system).
engine::Status TryReadAll(engine::DB* db, Model* out);
// The value of `key` at `snapshot` (or now), "NOT_FOUND", or the failed Status as text.
std::string GetOrStatus(engine::DB* db, const std::string& key,
                        const engine::Snapshot* snapshot = nullptr);
// Puts Key(first) .. Key(first + count - 1) with values "<tag>-<i>" followed by `padding_bytes`
// 'x's, recording each in `model`.
void PutRange(engine::DB* db, int first, int count, const std::string& tag, Model* model,
              int padding_bytes = 0, const engine::WriteOptions& options = {});
// The files the DB needs right now (engine::testing::ExpectedFiles), sorted like ListDir.
std::vector<std::string> SortedExpectedFiles(engine::DB* db);

// The names in `dir`, sorted.
std::vector<std::string> ListDir(const std::string& dir);
// Table files (NNNNNN.sst) in `dir`, sorted.
std::vector<std::string> ListTables(const std::string& dir);
// Whether `names` holds `name`.
bool Contains(const std::vector<std::string>& names, const std::string& name);
// The name of the highest-numbered file in `dir` ending in `suffix` ("" if none).
std::string NewestWithSuffix(const std::string& dir, std::string_view suffix);
// The MANIFEST name that `dir`/CURRENT holds, without its newline.
std::string CurrentManifest(const std::string& dir);
// Copies the directory `from` (and everything in it) to the new path `to`.
void CopyDir(const std::string& from, const std::string& to);
// The whole contents of the file at `path` ("" if it cannot be read).
std::string ReadFile(const std::string& path);
// Flips bit `bit` of byte `offset` in place (same inode: a reader holding the file open sees it).
void FlipBit(const std::string& path, uint64_t offset, int bit);

// Where one WAL or MANIFEST record lies in its file.
struct LogRecord {
  uint64_t offset = 0;
  uint64_t bytes = 0;  // header and payload
};
// The whole records of a WAL or MANIFEST, found by walking the length fields (a torn tail is not
// one of them).
std::vector<LogRecord> LogRecords(std::string_view contents);

// The key the tests use for `i`: "k" and six zero-padded digits, so keys sort like their numbers.
std::string Key(int i);

}  // namespace vstress_test
