// TableBuilder: writes one immutable table file (format in table_format.h) from entries added in
// internal-key order.
//
// Data blocks are cut once they reach TableOptions::block_bytes; each cut adds an index entry
// (the block's last internal key -> its handle). Finish() writes the bloom filter, the index and
// the footer. The builder only appends to `file`; syncing, closing and deleting it are the
// caller's job (after Finish() or Abandon()).
//
// Invariants: keys are added in strictly increasing CompareInternalKeys order (asserted in debug
// builds); after the first failed Append every later call is a no-op and status() keeps the
// failure; after Finish() or Abandon() no more entries may be added.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "block_builder.h"
#include "bloom_filter.h"
#include "engine/file_system.h"
#include "engine/status.h"
#include "table_format.h"
#include "table_options.h"

namespace engine {

class TableBuilder {
 public:
  // Does not own `file`, which must outlive the builder. REQUIRES: options.Validate().ok().
  TableBuilder(const TableOptions& options, WritableFile* file);

  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;
  // REQUIRES: Finish() or Abandon() was called.
  ~TableBuilder();

  // REQUIRES: internal_key sorts after every key added before (CompareInternalKeys).
  void Add(std::string_view internal_key, std::string_view value);
  // Writes the last data block, the filter block, the index block and the footer. Does not Sync
  // or Close the file.
  Status Finish();
  // Stops building; the caller deletes the file. Also allowed after a failed Finish().
  void Abandon();

  // The first write failure, or ok.
  Status status() const { return status_; }
  uint64_t NumEntries() const { return num_entries_; }
  // Bytes written so far; the final file size after Finish().
  uint64_t FileSize() const { return offset_bytes_; }

 private:
  void FlushDataBlock();
  // Appends `contents` and its trailer at the end of the file and returns where it went.
  BlockHandle WriteBlock(std::string_view contents);
  void Append(std::string_view data);

  const TableOptions options_;
  WritableFile* const file_;
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  BloomFilterBuilder filter_;
  std::string last_key_;
  uint64_t num_entries_ = 0;
  uint64_t offset_bytes_ = 0;
  Status status_;
  bool closed_ = false;
};

}  // namespace engine
