// Internal keys: how one user key's many versions are ordered inside memtables and tables.
//
// An internal key is the user key followed by an 8-byte tag, fixed64(sequence << 8 | type).
// Internal keys sort by user key ascending (bytewise), then by sequence descending, so a seek to
// (user_key, S) lands on the newest entry visible at S.
//
// Thread contract: immutable (values and pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "coding.h"
#include "engine/types.h"

namespace engine {

// Do not change: on-disk format (tags in WAL records, memtables and tables).
enum class ValueType : uint8_t { kDeletion = 0x0, kValue = 0x1 };
// Seeking uses the highest type so (key, S, kValueTypeForSeek) sorts before every entry at S.
inline constexpr ValueType kValueTypeForSeek = ValueType::kValue;
inline constexpr size_t kInternalKeyTagBytes = 8;

inline uint64_t PackSequenceAndType(SequenceNumber seq, ValueType type) {
  return (seq << 8) | static_cast<uint8_t>(type);
}

struct ParsedInternalKey {
  std::string_view user_key;
  SequenceNumber sequence = 0;
  ValueType type = ValueType::kValue;
};

inline void AppendInternalKey(std::string* dst, std::string_view user_key, SequenceNumber seq,
                              ValueType type) {
  dst->append(user_key.data(), user_key.size());
  PutFixed64(dst, PackSequenceAndType(seq, type));
}

inline std::string MakeInternalKey(std::string_view user_key, SequenceNumber seq, ValueType type) {
  std::string key;
  AppendInternalKey(&key, user_key, seq, type);
  return key;
}

inline std::string_view ExtractUserKey(std::string_view internal_key) {
  return internal_key.substr(0, internal_key.size() - kInternalKeyTagBytes);
}

inline uint64_t ExtractTag(std::string_view internal_key) {
  return DecodeFixed64(internal_key.data() + internal_key.size() - kInternalKeyTagBytes);
}

// False if `internal_key` is too short or has an unknown type.
inline bool ParseInternalKey(std::string_view internal_key, ParsedInternalKey* out) {
  if (internal_key.size() < kInternalKeyTagBytes) return false;
  const uint64_t tag = ExtractTag(internal_key);
  const auto type = static_cast<uint8_t>(tag & 0xff);
  if (type > static_cast<uint8_t>(ValueType::kValue)) return false;
  out->user_key = ExtractUserKey(internal_key);
  out->sequence = tag >> 8;
  out->type = static_cast<ValueType>(type);
  return true;
}

// Total order on internal keys (see the file comment). Returns <0, 0 or >0.
inline int CompareInternalKeys(std::string_view a, std::string_view b) {
  const int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r != 0) return r;
  const uint64_t tag_a = ExtractTag(a);
  const uint64_t tag_b = ExtractTag(b);
  if (tag_a > tag_b) return -1;
  if (tag_a < tag_b) return 1;
  return 0;
}

struct InternalKeyLess {
  bool operator()(std::string_view a, std::string_view b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};

}  // namespace engine
