#include "table_format.h"

#include <cassert>
#include <functional>

#include "checksum.h"
#include "coding.h"

namespace engine {

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset);
  PutVarint64(dst, size_bytes);
}

bool BlockHandle::DecodeFrom(std::string_view* input) {
  return GetVarint64(input, &offset) && GetVarint64(input, &size_bytes);
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  filter_handle.EncodeTo(dst);
  index_handle.EncodeTo(dst);
  dst->resize(start + kFooterHandlesBytes, '\0');
  PutFixed64(dst, num_entries);
  PutFixed32(dst, Checksum(std::string_view(*dst).substr(start, kFooterChecksummedBytes)));
  PutFixed64(dst, kTableMagicNumber);
  assert(dst->size() == start + kFooterBytes);
}

Status Footer::DecodeFrom(std::string_view input) {
  if (input.size() != kFooterBytes) return Status::Corruption("footer has the wrong size");
  // The magic number comes first so that a file that is not a table says so plainly.
  const uint64_t magic = DecodeFixed64(input.data() + kFooterBytes - sizeof(uint64_t));
  if (magic != kTableMagicNumber) return Status::Corruption("bad magic number (not a table)");
  const uint32_t stored_checksum = DecodeFixed32(input.data() + kFooterChecksummedBytes);
  if (stored_checksum != Checksum(input.substr(0, kFooterChecksummedBytes))) {
    return Status::Corruption("footer checksum mismatch");
  }
  std::string_view handles = input.substr(0, kFooterHandlesBytes);
  if (!filter_handle.DecodeFrom(&handles) || !index_handle.DecodeFrom(&handles)) {
    return Status::Corruption("bad block handle in footer");
  }
  num_entries = DecodeFixed64(input.data() + kFooterHandlesBytes);
  return Status::Ok();
}

std::string BlockTrailer(std::string_view block, BlockType type) {
  const char type_byte = static_cast<char>(type);
  std::string trailer(1, type_byte);
  PutFixed32(&trailer, Checksum2(block, std::string_view(&type_byte, 1)));
  return trailer;
}

namespace {

std::string OffsetText(const BlockHandle& handle) {
  return " at offset " + std::to_string(handle.offset);
}

}  // namespace

Status ReadBlock(const RandomAccessFile& file, const BlockHandle& handle, bool verify_checksum,
                 const std::string& file_name, std::string* scratch, std::string_view* contents) {
  // Error messages are built only on the failure paths: this runs on every table read.
  const size_t read_bytes = handle.size_bytes + kBlockTrailerBytes;
  std::string_view result;
  Status s = file.Read(handle.offset, read_bytes, scratch, &result);
  if (!s.ok()) return s;
  if (result.size() != read_bytes) {
    return Status::Corruption(file_name + ": truncated block read" + OffsetText(handle) + " (" +
                              std::to_string(result.size()) + " of " + std::to_string(read_bytes) +
                              " bytes)");
  }
  const char type_byte = result[handle.size_bytes];
  if (verify_checksum) {
    const uint32_t stored = DecodeFixed32(result.data() + handle.size_bytes + 1);
    // The block and its type byte are contiguous here, so one pass covers both.
    if (stored != Checksum(result.substr(0, handle.size_bytes + 1))) {
      return Status::Corruption(file_name + ": block checksum mismatch" + OffsetText(handle));
    }
  }
  if (type_byte != static_cast<char>(BlockType::kRaw)) {
    return Status::Corruption(file_name + ": unknown block type " +
                              std::to_string(static_cast<uint8_t>(type_byte)) + OffsetText(handle));
  }
  *contents = result.substr(0, handle.size_bytes);
  return Status::Ok();
}

Status ReadBlock(const RandomAccessFile& file, const BlockHandle& handle, bool verify_checksum,
                 const std::string& file_name, std::string* contents) {
  std::string scratch;
  std::string_view block;
  Status s = ReadBlock(file, handle, verify_checksum, file_name, &scratch, &block);
  if (!s.ok()) return s;
  *contents = TakeBlockContents(block, &scratch);
  return Status::Ok();
}

std::string TakeBlockContents(std::string_view contents, std::string* scratch) {
  if (!contents.empty() && contents.data() == scratch->data()) {
    scratch->resize(contents.size());  // drops the trailer
    return std::move(*scratch);
  }
  return std::string(contents);
}

bool ViewIsInside(std::string_view view, const std::string& buffer) {
  // std::less gives a total order even on pointers into different objects.
  const std::less<const char*> before;
  const char* begin = buffer.data();
  const char* end = begin + buffer.size();
  return !before(view.data(), begin) && !before(end, view.data() + view.size());
}

}  // namespace engine
