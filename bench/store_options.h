// StoreOptions: the settings a benchmark chooses for a store, applied alike to vstress and LevelDB.
//
// Everything that makes the two engines do the same work is fixed here rather than left to each
// engine's defaults: block size, bloom bits per key, checksum verification on reads, and no
// compression (vstress has none, so LevelDB runs with kNoCompression). What cannot be made equal is
// written down where it differs. Both engines memory-map their tables and read uncompressed blocks
// in place; vstress has no block cache, and LevelDB's default 8 MiB one is kept but unused (LevelDB
// does not cache blocks it reads from a map).
//
// Thread contract: immutable once passed to a store's Open.
#pragma once

#include <cstddef>

#include "engine/status.h"

namespace bench {

struct StoreOptions {
  // The memtable (LevelDB: write buffer) is frozen and flushed once it holds this many bytes.
  size_t memtable_bytes = 4 << 20;
  // Uncompressed size of a table data block.
  size_t block_bytes = 4096;
  // Bloom filter bits per key in each table.
  int bloom_bits_per_key = 10;
  // Verify a data block's checksum each time a read loads it (vstress: Options::verify_checksums;
  // LevelDB: ReadOptions::verify_checksums, checked on every block read that misses its cache).
  bool verify_checksums = true;

  engine::Status Validate() const {
    // Both engines accept these ranges; vstress's own Validate() checks the rest.
    if (memtable_bytes < (4 << 10)) {
      return engine::Status::InvalidArgument("memtable_bytes: must be at least 4096");
    }
    if (block_bytes < 256) return engine::Status::InvalidArgument("block_bytes: must be >= 256");
    if (bloom_bits_per_key < 1) {
      return engine::Status::InvalidArgument("bloom_bits_per_key: must be >= 1");
    }
    return engine::Status::Ok();
  }
};

}  // namespace bench
