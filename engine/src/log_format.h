// The log format shared by the WAL and the MANIFEST: a plain sequence of checksummed records.
//
//   record := header payload
//   header := fixed32 payload_length | fixed32 Checksum(payload) | fixed32 Checksum(header[0, 8))
//
// There is no block structure and no padding: record N+1 starts right after record N's payload.
// The header checks itself, so a damaged length is caught before it is trusted, and lengths above
// kRecordBytesMax are refused so that even a length with a valid checksum cannot make a reader
// allocate without bound. log::Reader tells a torn tail (a crash while appending) from corruption.
//
// Thread contract: immutable (constants).
#pragma once

#include <cstddef>
#include <cstdint>

namespace engine::log {

// Do not change: on-disk format (record header layout).
inline constexpr size_t kLengthOffset = 0;
inline constexpr size_t kPayloadChecksumOffset = 4;
inline constexpr size_t kHeaderChecksumOffset = 8;
inline constexpr size_t kHeaderBytes = 12;
static_assert(kHeaderBytes == 3 * sizeof(uint32_t), "header is three fixed32 fields");
static_assert(kHeaderChecksumOffset + sizeof(uint32_t) == kHeaderBytes,
              "the header checksum is the header's last field and covers the bytes before it");

// Do not change: on-disk format (readers refuse longer records as corruption).
inline constexpr uint32_t kRecordBytesMax = 64u << 20;
static_assert(kRecordBytesMax == 67108864, "record cap is 64 MiB");

}  // namespace engine::log
