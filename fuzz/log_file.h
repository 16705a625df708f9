// Writing a fuzz input as a log file (the WAL and MANIFEST format) on an in-memory file system:
// either the bytes as they are, or each chunk framed as a record with valid checksums followed by
// raw trailing bytes, so fuzzed payloads reach the parsers behind the checksums and the reader
// still sees torn and garbled tails.
//
// Thread contract: thread-compatible.
#pragma once

#include <string>

#include "engine/file_system.h"
#include "fuzz_input.h"
#include "log_writer.h"

namespace vstress_fuzz {

// Consumes what it writes from `in`: with `framed`, a record count byte, that many chunks, then
// one more chunk of raw tail bytes; otherwise one chunk of raw bytes.
inline void WriteLogFile(engine::FileSystem* fs, const std::string& path, bool framed,
                         FuzzInput* in) {
  auto file = fs->NewWritableFile(path);
  if (!file.ok()) return;
  engine::WritableFile* out = file.value().get();
  if (framed) {
    engine::log::Writer writer(out);
    const int records = in->Byte() % 16;
    for (int i = 0; i < records; i++) (void)writer.AddRecord(in->Chunk());
  }
  (void)out->Append(in->Chunk());
  (void)out->Sync();
  (void)out->Close();
}

}  // namespace vstress_fuzz
