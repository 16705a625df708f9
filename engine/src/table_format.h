// Table file format: block handles, the footer, and reading one checksummed block.
//
// A table file (Do not change: on-disk format) is
//   data block*  | filter block | index block | footer
// and every block is followed by a 5-byte trailer: a type byte (0 = raw; there is no compression)
// and fixed32 Checksum(block data + type byte). The index block maps, for each data block, the
// last internal key in it to the data block's BlockHandle. The filter block is a BloomFilter over
// the table's user keys (size 0 when the table has no filter). The fixed-size footer is
//   filter handle | index handle | zero padding to 40 bytes | fixed64 num_entries |
//   fixed32 Checksum(the preceding 48 bytes) | fixed64 kTableMagicNumber
// A handle's size excludes the trailer.
//
// Thread contract: immutable (values and pure functions; ReadBlock only reads its file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/file_system.h"
#include "engine/status.h"

namespace engine {

// Do not change: on-disk format. Little-endian bytes spell "VSTRSST1".
inline constexpr uint64_t kTableMagicNumber = 0x3154535352545356ull;
// Do not change: on-disk format.
enum class BlockType : uint8_t { kRaw = 0 };
// Do not change: on-disk format (type byte + fixed32 checksum after every block).
inline constexpr size_t kBlockTrailerBytes = 1 + sizeof(uint32_t);
// Two varint64s of at most 10 bytes each.
inline constexpr size_t kBlockHandleBytesMax = 20;
// Do not change: on-disk format (the footer layout in the file comment).
inline constexpr size_t kFooterHandlesBytes = 2 * kBlockHandleBytesMax;
inline constexpr size_t kFooterChecksummedBytes = kFooterHandlesBytes + sizeof(uint64_t);
inline constexpr size_t kFooterBytes =
    kFooterChecksummedBytes + sizeof(uint32_t) + sizeof(uint64_t);
static_assert(kBlockTrailerBytes == 5);
static_assert(kFooterHandlesBytes == 40);
static_assert(kFooterBytes == 60, "the footer is fixed-size: readers find it at file_size - 60");

// Where a block lies in the file: its offset and its size without the trailer.
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size_bytes = 0;

  void EncodeTo(std::string* dst) const;
  // Consumes a handle from the front of `input`; false if it is malformed.
  bool DecodeFrom(std::string_view* input);
  // The first byte after this block's trailer.
  uint64_t end_offset() const { return offset + size_bytes + kBlockTrailerBytes; }
};

struct Footer {
  BlockHandle filter_handle;
  BlockHandle index_handle;
  uint64_t num_entries = 0;

  // Appends exactly kFooterBytes.
  void EncodeTo(std::string* dst) const;
  // `input` is the last kFooterBytes of the file. Corruption (without the file name) if the magic
  // number, the checksum or a handle is wrong.
  Status DecodeFrom(std::string_view input);
};

// Reads the block at `handle` (without its trailer), checking the type byte and, when
// `verify_checksum`, the checksum. A Corruption names `file_name` and the block's offset.
// `*contents` points either into `*scratch` or, when the file returns views of its own memory (a
// mapped file), straight into the file's memory, valid while the file lives: no copy either way.
Status ReadBlock(const RandomAccessFile& file, const BlockHandle& handle, bool verify_checksum,
                 const std::string& file_name, std::string* scratch, std::string_view* contents);
// The same, but `*contents` always holds its own copy of the block.
Status ReadBlock(const RandomAccessFile& file, const BlockHandle& handle, bool verify_checksum,
                 const std::string& file_name, std::string* contents);
// True when `view` lies inside `buffer` (so it dies with the buffer): tells a block ReadBlock left
// in its scratch from one in the file's own memory.
bool ViewIsInside(std::string_view view, const std::string& buffer);
// `contents` (from ReadBlock with `scratch`) as a string of its own: `*scratch` itself, trimmed,
// when the block starts it (no copy), else a copy.
std::string TakeBlockContents(std::string_view contents, std::string* scratch);

// The trailer that follows `block` on disk.
std::string BlockTrailer(std::string_view block, BlockType type);

}  // namespace engine
