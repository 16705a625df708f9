// Fuzzes the VersionEdit (MANIFEST record) decoder: arbitrary bytes either fail with a Status or
// decode to an edit whose encoding decodes to the same edit again (a round trip).
#include <cstddef>
#include <cstdint>
#include <string>

#include "version_edit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engine::VersionEdit edit;
  if (!edit.DecodeFrom(std::string_view(reinterpret_cast<const char*>(data), size)).ok()) return 0;
  std::string encoded;
  edit.EncodeTo(&encoded);
  engine::VersionEdit again;
  if (!again.DecodeFrom(encoded).ok()) __builtin_trap();
  std::string reencoded;
  again.EncodeTo(&reencoded);
  if (reencoded != encoded || again.DebugString() != edit.DebugString()) __builtin_trap();
  return 0;
}
