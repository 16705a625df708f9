// Internal keys: how one user key's many versions are ordered inside memtables and tables.
//
// An internal key is the user key followed by an 8-byte tag, fixed64(sequence << 8 | type).
// Internal keys sort by user key ascending (bytewise), then by sequence descending, so a seek to
// (user_key, S) lands on the newest entry visible at S. A point read builds that seek key once, as
// a LookupKey, and hands it to the memtables and the tables.
//
// Thread contract: immutable (values and pure functions).
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
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

// Bytewise order (unsigned bytes; a proper prefix first), the same as std::string_view::compare.
// Inline and eight bytes a step: user keys are short and compared on every skiplist and block
// step, where a call into the library's memcmp cost more than the comparison itself.
inline int CompareUserKeys(std::string_view a, std::string_view b) {
  const size_t common = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= common; i += sizeof(uint64_t)) {
    const uint64_t x = __builtin_bswap64(DecodeFixed64(a.data() + i));
    const uint64_t y = __builtin_bswap64(DecodeFixed64(b.data() + i));
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < common; i++) {
    const auto x = static_cast<uint8_t>(a[i]);
    const auto y = static_cast<uint8_t>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// Total order on internal keys (see the file comment). Returns <0, 0 or >0.
inline int CompareInternalKeys(std::string_view a, std::string_view b) {
  const int r = CompareUserKeys(ExtractUserKey(a), ExtractUserKey(b));
  if (r != 0) return r;
  const uint64_t tag_a = ExtractTag(a);
  const uint64_t tag_b = ExtractTag(b);
  if (tag_a > tag_b) return -1;
  if (tag_a < tag_b) return 1;
  return 0;
}

// LookupKey: the key one point read looks for, built once per Get and used by every layer. It is
// the internal key (user_key, sequence, kValueTypeForSeek), which sorts before every entry of
// user_key visible at `sequence`, preceded by its varint32 length: the memtable's entry form.
//
//   varint32 internal_key_length | user key | fixed64(sequence << 8 | kValueTypeForSeek)
//   ^ memtable_key()               ^ internal_key(), user_key()
//
// Keys up to kInlineBytes long live in the object itself, so a Get allocates nothing for them.
// Not copyable or movable: the views point into the object.
//
// Thread contract: immutable.
class LookupKey {
 public:
  // REQUIRES: sequence <= kMaxSequenceNumber; user_key shorter than 4 GiB - 8 bytes.
  LookupKey(std::string_view user_key, SequenceNumber sequence);
  ~LookupKey() {
    if (start_ != inline_) delete[] start_;
  }
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;

  // The length-prefixed internal key, the form the memtable's skiplist compares.
  std::string_view memtable_key() const {
    return std::string_view(start_, static_cast<size_t>(end_ - start_));
  }
  std::string_view internal_key() const {
    return std::string_view(internal_key_, static_cast<size_t>(end_ - internal_key_));
  }
  std::string_view user_key() const {
    return std::string_view(internal_key_,
                            static_cast<size_t>(end_ - internal_key_) - kInternalKeyTagBytes);
  }
  SequenceNumber sequence() const { return ExtractTag(internal_key()) >> 8; }

 private:
  // Room for the length, a 100-byte user key and the tag (LevelDB keeps 200 bytes).
  static constexpr size_t kInlineBytes = 128;

  char* start_;
  const char* internal_key_;
  const char* end_;
  char inline_[kInlineBytes];
};

inline LookupKey::LookupKey(std::string_view user_key, SequenceNumber sequence) {
  assert(sequence <= kMaxSequenceNumber);  // A larger one would lose bits when packed.
  const size_t internal_key_bytes = user_key.size() + kInternalKeyTagBytes;
  assert(internal_key_bytes <= UINT32_MAX);  // The length is a varint32.
  const size_t needed = kVarint32BytesMax + internal_key_bytes;
  start_ = needed <= kInlineBytes ? inline_ : new char[needed];
  char* p = EncodeVarint32(start_, static_cast<uint32_t>(internal_key_bytes));
  internal_key_ = p;
  // memcpy with an empty view may pass a null source, which memcpy does not allow.
  if (!user_key.empty()) std::memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  EncodeFixed64(p, PackSequenceAndType(sequence, kValueTypeForSeek));
  end_ = p + kInternalKeyTagBytes;
}

struct InternalKeyLess {
  bool operator()(std::string_view a, std::string_view b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};

}  // namespace engine
