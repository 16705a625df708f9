#include "version_edit.h"

#include <fmt/format.h>

#include "coding.h"
#include "dbformat.h"

namespace engine {
namespace {

// Do not change: on-disk format (MANIFEST record tags).
enum Tag : uint32_t {
  kLogNumber = 1,
  kNextFileNumber = 2,
  kLastSequence = 3,
  kDeletedFile = 4,
  kNewFile = 5,
};

bool GetLevel(std::string_view* input, int* level) {
  uint32_t v;
  if (!GetVarint32(input, &v) || v >= static_cast<uint32_t>(kNumLevels)) return false;
  *level = static_cast<int>(v);
  return true;
}

bool GetInternalKey(std::string_view* input, std::string* key) {
  std::string_view v;
  if (!GetLengthPrefixed(input, &v) || v.size() < kInternalKeyTagBytes) return false;
  key->assign(v.data(), v.size());
  return true;
}

bool GetNewFile(std::string_view* input, int* level, TableFile* f) {
  return GetLevel(input, level) && GetVarint64(input, &f->number) &&
         GetVarint64(input, &f->file_bytes) && GetInternalKey(input, &f->smallest) &&
         GetInternalKey(input, &f->largest);
}

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, *log_number_);
  }
  if (next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, *next_file_number_);
  }
  if (last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, *last_sequence_);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    PutVarint32(dst, kNewFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_bytes);
    PutLengthPrefixed(dst, f.smallest);
    PutLengthPrefixed(dst, f.largest);
  }
}

Status VersionEdit::DecodeFrom(std::string_view src) {
  *this = VersionEdit();
  std::string_view input = src;
  while (!input.empty()) {
    uint32_t tag;
    if (!GetVarint32(&input, &tag)) return Status::Corruption("VersionEdit: bad tag");
    bool ok = true;
    uint64_t number = 0;
    int level = 0;
    switch (tag) {
      case kLogNumber:
        ok = GetVarint64(&input, &number);
        log_number_ = number;
        break;
      case kNextFileNumber:
        ok = GetVarint64(&input, &number);
        next_file_number_ = number;
        break;
      case kLastSequence:
        ok = GetVarint64(&input, &number);
        last_sequence_ = number;
        break;
      case kDeletedFile:
        ok = GetLevel(&input, &level) && GetVarint64(&input, &number);
        deleted_files_.emplace_back(level, number);
        break;
      case kNewFile: {
        TableFile f;
        ok = GetNewFile(&input, &level, &f);
        new_files_.emplace_back(level, std::move(f));
        break;
      }
      default:
        return Status::Corruption(fmt::format("VersionEdit: unknown tag {}", tag));
    }
    if (!ok) return Status::Corruption(fmt::format("VersionEdit: malformed field (tag {})", tag));
  }
  return Status::Ok();
}

std::string VersionEdit::DebugString() const {
  std::string out;
  if (log_number_) out += fmt::format("  log_number {}\n", *log_number_);
  if (next_file_number_) out += fmt::format("  next_file_number {}\n", *next_file_number_);
  if (last_sequence_) out += fmt::format("  last_sequence {}\n", *last_sequence_);
  for (const auto& [level, number] : deleted_files_) {
    out += fmt::format("  delete L{} {:06d}.sst\n", level, number);
  }
  for (const auto& [level, f] : new_files_) {
    ParsedInternalKey lo;
    ParsedInternalKey hi;
    ParseInternalKey(f.smallest, &lo);
    ParseInternalKey(f.largest, &hi);
    out += fmt::format("  add    L{} {:06d}.sst {} bytes ['{}'@{} .. '{}'@{}]\n", level, f.number,
                       f.file_bytes, lo.user_key, lo.sequence, hi.user_key, hi.sequence);
  }
  return out;
}

}  // namespace engine
