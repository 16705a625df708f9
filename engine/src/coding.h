// Little-endian fixed-width and varint encodings used by every on-disk format.
//
// Thread contract: immutable (pure functions).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace engine {

inline void EncodeFixed32(char* dst, uint32_t v) { std::memcpy(dst, &v, 4); }
inline void EncodeFixed64(char* dst, uint64_t v) { std::memcpy(dst, &v, 8); }
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
static_assert(std::endian::native == std::endian::little, "on-disk formats are little-endian");

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Varint32 length, then the bytes.
void PutLengthPrefixed(std::string* dst, std::string_view value);

// Varints of 32-bit values take at most this many bytes.
inline constexpr size_t kVarint32BytesMax = 5;

// Writes `v` as a varint at `dst` (room for kVarint32BytesMax bytes) and returns the byte after it.
inline char* EncodeVarint32(char* dst, uint32_t v) {
  while (v >= 0x80) {
    *dst++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *dst++ = static_cast<char>(v);
  return dst;
}

// The multi-byte cases of GetVarint32/GetVarint64, kept out of line so the one-byte case (every
// length under 128, which is most of them) inlines into block and memtable decoding.
bool GetVarint32Slow(std::string_view* input, uint32_t* v);
bool GetVarint64Slow(std::string_view* input, uint64_t* v);

// Each Get* consumes from the front of `input`; false (input unspecified) if it is malformed.
bool GetFixed32(std::string_view* input, uint32_t* v);
bool GetFixed64(std::string_view* input, uint64_t* v);
// The one-byte case shared by GetVarint32 and GetVarint64: false (input untouched) otherwise.
template <typename Int>
inline bool GetOneByteVarint(std::string_view* input, Int* v) {
  if (input->empty() || (static_cast<uint8_t>(input->front()) & 0x80) != 0) return false;
  *v = static_cast<uint8_t>(input->front());
  input->remove_prefix(1);
  return true;
}
inline bool GetVarint32(std::string_view* input, uint32_t* v) {
  return GetOneByteVarint(input, v) || GetVarint32Slow(input, v);
}
inline bool GetVarint64(std::string_view* input, uint64_t* v) {
  return GetOneByteVarint(input, v) || GetVarint64Slow(input, v);
}
bool GetLengthPrefixed(std::string_view* input, std::string_view* value);

int VarintLength(uint64_t v);

}  // namespace engine
