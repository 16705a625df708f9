#include "table_builder.h"

#include <cassert>

#include "dbformat.h"

namespace engine {

namespace {

// Index blocks hold few, dissimilar keys and are searched on every read; restarting at every
// entry makes the binary search exact at no real cost in size.
constexpr int kIndexRestartInterval = 1;

}  // namespace

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file)
    : options_(options),
      file_(file),
      data_block_(options.block_restart_interval),
      index_block_(kIndexRestartInterval),
      filter_(options.bloom_bits_per_key) {
  assert(options_.Validate().ok());
  assert(file_ != nullptr);
}

TableBuilder::~TableBuilder() {
  // Destroying an unfinished builder would silently leave half a table behind.
  assert(closed_);
}

void TableBuilder::Add(std::string_view internal_key, std::string_view value) {
  assert(!closed_);
  assert(internal_key.size() >= kInternalKeyTagBytes);
  assert(num_entries_ == 0 || CompareInternalKeys(last_key_, internal_key) < 0);
  if (!status_.ok()) return;
  const std::string_view user_key = ExtractUserKey(internal_key);
  // Versions of one user key are adjacent; the filter needs each user key once.
  if (num_entries_ == 0 || ExtractUserKey(last_key_) != user_key) filter_.AddKey(user_key);
  data_block_.Add(internal_key, value);
  last_key_.assign(internal_key.data(), internal_key.size());
  num_entries_++;
  if (data_block_.CurrentSizeEstimate() >= options_.block_bytes) FlushDataBlock();
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty()) return;
  const BlockHandle handle = WriteBlock(data_block_.Finish());
  data_block_.Reset();
  // The block's last key separates it from the next: every key in it is <= the index key and
  // every later key is greater, so an index Seek lands on the only block that can hold a target.
  std::string encoded_handle;
  handle.EncodeTo(&encoded_handle);
  index_block_.Add(last_key_, encoded_handle);
}

BlockHandle TableBuilder::WriteBlock(std::string_view contents) {
  BlockHandle handle;
  handle.offset = offset_bytes_;
  handle.size_bytes = contents.size();
  Append(contents);
  Append(BlockTrailer(contents, BlockType::kRaw));
  return handle;
}

void TableBuilder::Append(std::string_view data) {
  if (!status_.ok()) return;
  status_ = file_->Append(data);
  if (status_.ok()) offset_bytes_ += data.size();
}

Status TableBuilder::Finish() {
  assert(!closed_);
  FlushDataBlock();
  closed_ = true;
  Footer footer;
  footer.num_entries = num_entries_;
  const std::string filter = filter_.Finish();
  if (!filter.empty()) footer.filter_handle = WriteBlock(filter);
  footer.index_handle = WriteBlock(index_block_.Finish());
  std::string encoded_footer;
  footer.EncodeTo(&encoded_footer);
  Append(encoded_footer);
  return status_;
}

void TableBuilder::Abandon() {
  // Allowed after Finish() too, so that a caller can abandon a table whose Finish() failed.
  closed_ = true;
}

}  // namespace engine
