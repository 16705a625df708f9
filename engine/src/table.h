// Table: an open, immutable table file (format in table_format.h), answering point lookups and
// iterating its entries in internal-key order.
//
// Open reads and checks the footer, the index block and the bloom filter once and keeps its own
// copy of them; data blocks are read from the file on every access (there is no block cache). When
// the file returns views of its own memory (a mapped file) a data block is used in place, with no
// copy, and holds a reference on the file so the memory outlives the Table if need be. Every
// Corruption a Table reports names its file and, for a block, the block's offset; those messages
// are built only when something fails.
//
// Invariants: after Open succeeds nothing in a Table changes; iterators hold a shared_ptr to the
// Table, so it stays open while iterated even if the table cache evicts it, and every data Block
// holds a shared_ptr to the file whose memory it may borrow.
//
// Thread contract: thread-safe (all methods are const reads; RandomAccessFile::Read is
// thread-safe). Each iterator is thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "block.h"
#include "bloom_filter.h"
#include "engine/file_system.h"
#include "engine/status.h"
#include "internal_iterator.h"
#include "table_format.h"
#include "table_options.h"

namespace engine {

class Table : public std::enable_shared_from_this<Table> {
 public:
  // Reads the footer, index and filter. Corruption (naming `file_name`) if the file is too short,
  // the magic number is wrong, or a block checksum fails.
  static Result<std::shared_ptr<Table>> Open(const TableOptions& options,
                                             std::unique_ptr<RandomAccessFile> file,
                                             uint64_t file_size, std::string file_name);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // Looks for the first entry whose internal key >= `internal_key` AND has the same user key.
  // NotFound if the bloom filter or the search shows there is none; ok with entry_key/entry_value
  // filled otherwise; Corruption/IOError on a bad read. Allocates no iterator: it searches the
  // index block, then the one data block, with cursors that decode keys into *entry_key (whose
  // contents are unspecified unless ok).
  Status Get(std::string_view internal_key, std::string* entry_key, std::string* entry_value) const;
  // Iterator over all entries (index block -> data blocks); it keeps this Table alive.
  std::unique_ptr<InternalIterator> NewIterator() const;
  // Reads every block, checks its checksum and decodes its entries (for an offline inspector).
  // Corruption names the file and the block's offset.
  Status VerifyChecksums() const;

  uint64_t NumEntries() const { return footer_.num_entries; }
  uint64_t FileSize() const { return file_size_; }
  const std::string& file_name() const { return file_name_; }

 private:
  Table(const TableOptions& options, std::unique_ptr<RandomAccessFile> file, uint64_t file_size,
        std::string file_name, const Footer& footer);

  // Reads the block at `handle`, first checking that it lies before the footer. `*contents` points
  // into `*scratch` or into the file's own memory (see ReadBlock).
  Status ReadBlockChecked(const BlockHandle& handle, bool verify_checksum, std::string* scratch,
                          std::string_view* contents) const;
  // Reads, checks and parses the block at `handle`; Corruption messages name the file and offset.
  // With `copy`, the Block always owns its bytes (for blocks kept and trusted for the Table's
  // life); without, it borrows the file's memory when it can.
  Result<std::shared_ptr<const Block>> ReadParsedBlock(const BlockHandle& handle,
                                                       bool verify_checksum, bool copy) const;
  Status LoadIndexAndFilter();
  // Opens the data block that an index entry's value points at.
  Result<std::unique_ptr<InternalIterator>> NewDataIterator(std::string_view index_value) const;
  std::unique_ptr<InternalIterator> NewIndexIterator() const;
  // Decodes an index entry's value (a BlockHandle); Corruption naming the index block if malformed.
  Status DecodeIndexValue(std::string_view index_value, BlockHandle* handle) const;
  // The handle of the data block that holds the first entry >= `internal_key`; NotFound if every
  // entry is smaller. `key_buffer` is the cursor's scratch.
  Status FindDataBlock(std::string_view internal_key, std::string* key_buffer,
                       BlockHandle* handle) const;
  // Reads, checks and decodes one data block for VerifyChecksums, counting its entries.
  Status VerifyDataBlock(std::string_view index_value, uint64_t* entries_seen) const;
  std::string BlockContext(uint64_t offset) const;

  const TableOptions options_;
  // Shared with every data Block that borrows the file's memory.
  const std::shared_ptr<const RandomAccessFile> file_;
  const uint64_t file_size_;
  const std::string file_name_;
  const Footer footer_;
  // Set once by Open, then read-only.
  std::shared_ptr<const Block> index_block_;
  std::unique_ptr<const BloomFilter> filter_;  // null: the table has no filter
};

}  // namespace engine
