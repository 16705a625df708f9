// Fuzzes recovery as a whole: a DB directory whose files (CURRENT, MANIFESTs, WALs, tables) come
// from the input — each a flags byte (bit 0: write the contents as log records with valid
// checksums, see log_file.h), a name and its contents — is opened, read end to end, written to,
// flushed and closed, and inspected the way `vstress inspect` does. A corrupt or truncated file
// must make Open or Inspect fail with a Status naming it, never crash, hang or allocate by a length
// it read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/db.h"
#include "engine/file_system.h"
#include "engine/inspect.h"
#include "fuzz_input.h"
#include "log_file.h"

namespace {

constexpr size_t kFilesMax = 8;
constexpr size_t kNameBytesMax = 32;

// A file name from the input, kept to one plain component inside the DB directory.
std::string FileName(std::string_view raw) {
  std::string name;
  for (char c : raw.substr(0, kNameBytesMax)) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.';
    name += plain ? c : '_';
  }
  return name.empty() || name == "." || name == ".." ? "CURRENT" : name;
}

void Exercise(engine::DB* db) {
  auto it = db->NewIterator(engine::ReadOptions());
  uint64_t steps = 0;
  for (it->SeekToFirst(); it->Valid() && steps < 100000; it->Next()) steps++;
  it.reset();
  std::string value;
  (void)db->Get(engine::ReadOptions(), "k00000001", &value);
  engine::WriteBatch batch;
  batch.Put("k00000001", "after recovery");
  (void)db->Write(engine::WriteOptions(), &batch);
  (void)db->Flush();
  (void)db->WaitForBackgroundIdle();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vstress_fuzz::FuzzInput in(data, size);
  auto fs = engine::NewMemFileSystem();
  fs->CreateDirIfMissing("/db");
  for (size_t i = 0; i < kFilesMax && !in.empty(); i++) {
    const bool framed = (in.Byte() & 1) != 0;
    const std::string name = FileName(in.Chunk());
    vstress_fuzz::WriteLogFile(fs.get(), "/db/" + name, framed, &in);
  }
  engine::Options options;
  options.file_system = fs;
  options.create_if_missing = false;
  options.background = engine::BackgroundMode::kManual;
  options.memtable_bytes = 64 << 10;
  engine::InspectReport report;
  (void)engine::InspectDB(options, "/db", &report);
  auto db = engine::DB::Open(options, "/db");
  if (db.ok()) Exercise(db.value().get());
  return 0;
}
