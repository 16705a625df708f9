// FuzzInput: splits a fuzzer's bytes into the pieces a target needs (a mode byte, length-prefixed
// chunks, the rest), so one input can describe a table's blocks or a DB directory's files. Every
// read is bounded by what is left; nothing here can fail.
//
// Thread contract: thread-compatible.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vstress_fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // A chunk of at most 65535 bytes: a 2-byte little-endian length, then that many bytes (fewer if
  // the input ends first).
  std::string_view Chunk() {
    const size_t length = Byte() | (size_t{Byte()} << 8);
    const std::string_view chunk = rest_.substr(0, std::min(length, rest_.size()));
    rest_.remove_prefix(chunk.size());
    return chunk;
  }

  std::string_view Rest() {
    const std::string_view rest = rest_;
    rest_ = {};
    return rest;
  }

 private:
  std::string_view rest_;
};

// The inverse, for the tools that build seed inputs from real files.
inline void AppendChunk(std::string_view chunk, std::string* out) {
  const size_t length = std::min<size_t>(chunk.size(), 65535);
  out->push_back(static_cast<char>(length & 0xff));
  out->push_back(static_cast<char>(length >> 8));
  out->append(chunk.substr(0, length));
}

}  // namespace vstress_fuzz
