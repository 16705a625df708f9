// Fuzzes the log reader (the WAL and MANIFEST record format) and hands every record it returns
// to the parser the engine would: a VersionEdit (MANIFEST) and a write batch (WAL). The file is
// either the raw input (mode 0: headers, checksums, torn tails) or fuzzed payloads framed with
// valid checksums plus raw trailing bytes (mode 1: what lies behind the checksums). Corrupt input
// must end in a Status, never a crash, a hang or a huge allocation.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/file_system.h"
#include "fuzz_input.h"
#include "log_file.h"
#include "log_reader.h"
#include "memtable.h"
#include "version_edit.h"
#include "write_batch_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vstress_fuzz::FuzzInput in(data, size);
  const bool framed = (in.Byte() & 1) != 0;
  auto fs = engine::NewMemFileSystem();
  const std::string path = "/db/000001.log";
  fs->CreateDirIfMissing("/db");
  vstress_fuzz::WriteLogFile(fs.get(), path, framed, &in);
  auto size_on_disk = fs->GetFileSize(path);
  auto file = fs->NewSequentialFile(path);
  if (!file.ok() || !size_on_disk.ok()) return 0;
  engine::log::Reader reader(std::move(file).value(), "000001.log");
  std::string record;
  uint64_t previous_offset = 0;
  bool first = true;
  while (reader.ReadRecord(&record)) {
    // Offsets only grow, and every record lies inside the good prefix of the file.
    if (!first && reader.last_record_offset() <= previous_offset) __builtin_trap();
    if (reader.valid_bytes() > size_on_disk.value()) __builtin_trap();
    previous_offset = reader.last_record_offset();
    first = false;
    engine::VersionEdit edit;
    (void)edit.DecodeFrom(record);
    engine::WriteBatch batch;
    if (engine::WriteBatchInternal::SetContents(&batch, record).ok()) {
      auto* mem = new engine::MemTable();
      mem->Ref();
      (void)engine::WriteBatchInternal::InsertInto(&batch, mem);
      mem->Unref();
    }
  }
  if (reader.valid_bytes() > size_on_disk.value()) __builtin_trap();
  return 0;
}
