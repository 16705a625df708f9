// TableOptions: the knobs that shape one table file (data block size, restart interval, bloom bits)
// and whether reads verify block checksums.
//
// Invariants: block_bytes in [1, kTableBlockBytesMax], block_restart_interval >= 1 and
// bloom_bits_per_key in [0, kBloomBitsPerKeyMax] (0 disables the filter); Validate() owns these
// rules. A table can be read with options other than those it was written with: the layout is
// self-describing, and only verify_checksums matters to a reader.
//
// Thread contract: immutable (a value).
#pragma once

#include <cstddef>
#include <string>

#include "engine/options.h"
#include "engine/status.h"

namespace engine {

// Bounds on the options; a block larger than this would make the uint32 block offsets overflow
// long before it made sense for a cache-sized read.
inline constexpr size_t kTableBlockBytesMax = size_t{64} << 20;
inline constexpr int kBloomBitsPerKeyMax = 64;

struct TableOptions {
  // A data block is closed once its uncompressed size reaches this many bytes.
  size_t block_bytes = 4096;
  // Keys between restart points (full, not prefix-compressed keys) within a data block.
  int block_restart_interval = 16;
  // Bloom filter bits per distinct user key; 0 writes no filter.
  int bloom_bits_per_key = 10;
  // Check the checksum of every data block read. Index and filter blocks are always checked.
  bool verify_checksums = true;

  Status Validate() const {
    if (block_bytes == 0 || block_bytes > kTableBlockBytesMax) {
      return Status::InvalidArgument("block_bytes must be in [1, " +
                                     std::to_string(kTableBlockBytesMax) + "]");
    }
    if (block_restart_interval < 1) {
      return Status::InvalidArgument("block_restart_interval must be >= 1");
    }
    if (bloom_bits_per_key < 0 || bloom_bits_per_key > kBloomBitsPerKeyMax) {
      return Status::InvalidArgument("bloom_bits_per_key must be in [0, " +
                                     std::to_string(kBloomBitsPerKeyMax) + "]");
    }
    return Status::Ok();
  }
};

// The table-shaping part of a DB's Options.
inline TableOptions TableOptionsFromDbOptions(const Options& o) {
  TableOptions t;
  t.block_bytes = o.block_bytes;
  t.block_restart_interval = o.block_restart_interval;
  t.bloom_bits_per_key = o.bloom_bits_per_key;
  t.verify_checksums = o.verify_checksums;
  return t;
}

}  // namespace engine
