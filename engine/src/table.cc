#include "table.h"

#include <cassert>
#include <utility>

#include "dbformat.h"
#include "two_level_iterator.h"

namespace engine {

namespace {

// Reads and decodes the footer at the end of the file. Messages do not yet name the file.
Status ReadFooter(const RandomAccessFile& file, uint64_t file_size, Footer* footer) {
  if (file_size < kFooterBytes) {
    return Status::Corruption("file too short to be a table (" + std::to_string(file_size) +
                              " bytes)");
  }
  std::string scratch;
  std::string_view result;
  Status s = file.Read(file_size - kFooterBytes, kFooterBytes, &scratch, &result);
  if (!s.ok()) return s;
  if (result.size() != kFooterBytes) {
    return Status::Corruption("truncated footer read (" + std::to_string(result.size()) +
                              " bytes)");
  }
  return footer->DecodeFrom(result);
}

}  // namespace

Table::Table(const TableOptions& options, std::unique_ptr<RandomAccessFile> file,
             uint64_t file_size, std::string file_name, const Footer& footer)
    : options_(options),
      file_(std::move(file)),
      file_size_(file_size),
      file_name_(std::move(file_name)),
      footer_(footer) {}

Result<std::shared_ptr<Table>> Table::Open(const TableOptions& options,
                                           std::unique_ptr<RandomAccessFile> file,
                                           uint64_t file_size, std::string file_name) {
  assert(file != nullptr);
  Footer footer;
  Status s = ReadFooter(*file, file_size, &footer);
  // An IOError already names the path (the FileSystem's job); a Corruption gets the table name.
  if (!s.ok()) return s.IsCorruption() ? s.WithContext(file_name) : s;
  std::shared_ptr<Table> table(
      new Table(options, std::move(file), file_size, std::move(file_name), footer));
  s = table->LoadIndexAndFilter();
  if (!s.ok()) return s;
  return table;
}

Status Table::LoadIndexAndFilter() {
  // Index and filter are read once and trusted for the Table's lifetime, so always verify them and
  // keep copies: a mapped file changed in place later must not change what was verified.
  Result<std::shared_ptr<const Block>> index =
      ReadParsedBlock(footer_.index_handle, /*verify_checksum=*/true, /*copy=*/true);
  if (!index.ok()) return index.status();
  index_block_ = std::move(index).value();
  if (footer_.filter_handle.size_bytes == 0) return Status::Ok();
  std::string scratch;
  std::string_view contents;
  Status s = ReadBlockChecked(footer_.filter_handle, true, &scratch, &contents);
  if (!s.ok()) return s;
  filter_ = std::make_unique<const BloomFilter>(TakeBlockContents(contents, &scratch));
  return Status::Ok();
}

std::string Table::BlockContext(uint64_t offset) const {
  return file_name_ + ": block at offset " + std::to_string(offset);
}

Status Table::ReadBlockChecked(const BlockHandle& handle, bool verify_checksum,
                               std::string* scratch, std::string_view* contents) const {
  // A handle decoded from a damaged file could point anywhere; never read past the blocks.
  const uint64_t blocks_end = file_size_ - kFooterBytes;
  const bool in_bounds = handle.offset <= blocks_end &&
                         blocks_end - handle.offset >= kBlockTrailerBytes &&
                         handle.size_bytes <= blocks_end - handle.offset - kBlockTrailerBytes;
  if (!in_bounds) {
    return Status::Corruption(BlockContext(handle.offset) + ": block of " +
                              std::to_string(handle.size_bytes) + " bytes runs past the data");
  }
  return ReadBlock(*file_, handle, verify_checksum, file_name_, scratch, contents);
}

Result<std::shared_ptr<const Block>> Table::ReadParsedBlock(const BlockHandle& handle,
                                                            bool verify_checksum, bool copy) const {
  std::string scratch;
  std::string_view contents;
  Status s = ReadBlockChecked(handle, verify_checksum, &scratch, &contents);
  if (!s.ok()) return s;
  Result<std::shared_ptr<const Block>> block =
      copy || ViewIsInside(contents, scratch) ? Block::Parse(TakeBlockContents(contents, &scratch))
                                              : Block::ParseBorrowed(contents, file_);
  if (!block.ok()) return block.status().WithContext(BlockContext(handle.offset));
  return block;
}

Status Table::DecodeIndexValue(std::string_view index_value, BlockHandle* handle) const {
  if (handle->DecodeFrom(&index_value)) return Status::Ok();
  return Status::Corruption(BlockContext(footer_.index_handle.offset) +
                            ": bad block handle in index entry");
}

std::unique_ptr<InternalIterator> Table::NewIndexIterator() const {
  return NewBlockIterator(index_block_, BlockContext(footer_.index_handle.offset));
}

Result<std::unique_ptr<InternalIterator>> Table::NewDataIterator(
    std::string_view index_value) const {
  BlockHandle handle;
  Status s = DecodeIndexValue(index_value, &handle);
  if (!s.ok()) return s;
  Result<std::shared_ptr<const Block>> block =
      ReadParsedBlock(handle, options_.verify_checksums, /*copy=*/false);
  if (!block.ok()) return block.status();
  return NewBlockIterator(std::move(block).value(), BlockContext(handle.offset));
}

Status Table::FindDataBlock(std::string_view internal_key, std::string* key_buffer,
                            BlockHandle* handle) const {
  BlockCursor index(index_block_->view(), key_buffer, /*error_context=*/{});
  index.Seek(internal_key);
  if (!index.Valid()) {
    if (index.status().ok()) return Status::NotFound({});
    return index.status().WithContext(BlockContext(footer_.index_handle.offset));
  }
  return DecodeIndexValue(index.value(), handle);
}

Status Table::Get(std::string_view internal_key, std::string* entry_key,
                  std::string* entry_value) const {
  assert(internal_key.size() >= kInternalKeyTagBytes);
  const std::string_view user_key = ExtractUserKey(internal_key);
  if (filter_ != nullptr && !filter_->KeyMayMatch(user_key)) return Status::NotFound({});
  BlockHandle handle;
  Status s = FindDataBlock(internal_key, entry_key, &handle);
  if (!s.ok()) return s;
  // The block is searched where it lies (the scratch, or the file's own memory); this Table, and
  // so the file, outlives the search.
  std::string scratch;
  std::string_view contents;
  s = ReadBlockChecked(handle, options_.verify_checksums, &scratch, &contents);
  if (!s.ok()) return s;
  Result<BlockView> block = BlockView::Parse(contents);
  if (!block.ok()) return block.status().WithContext(BlockContext(handle.offset));
  BlockCursor data(block.value(), entry_key, /*error_context=*/{});
  data.Seek(internal_key);
  // The index key is the block's last key and is >= the target, so the block holds the answer.
  if (!data.Valid()) {
    if (data.status().ok()) return Status::NotFound({});
    return data.status().WithContext(BlockContext(handle.offset));
  }
  if (ExtractUserKey(data.key()) != user_key) return Status::NotFound({});
  // The cursor decoded the key into *entry_key already.
  entry_value->assign(data.value().data(), data.value().size());
  return Status::Ok();
}

std::unique_ptr<InternalIterator> Table::NewIterator() const {
  auto self = shared_from_this();
  return NewTwoLevelIterator(NewIndexIterator(), [self](std::string_view index_value) {
    return self->NewDataIterator(index_value);
  });
}

Status Table::VerifyChecksums() const {
  if (footer_.filter_handle.size_bytes != 0) {
    std::string scratch;
    std::string_view contents;
    Status s = ReadBlockChecked(footer_.filter_handle, true, &scratch, &contents);
    if (!s.ok()) return s;
  }
  Result<std::shared_ptr<const Block>> index =
      ReadParsedBlock(footer_.index_handle, /*verify_checksum=*/true, /*copy=*/false);
  if (!index.ok()) return index.status();
  std::unique_ptr<InternalIterator> index_iterator =
      NewBlockIterator(std::move(index).value(), BlockContext(footer_.index_handle.offset));
  uint64_t entries_seen = 0;
  for (index_iterator->SeekToFirst(); index_iterator->Valid(); index_iterator->Next()) {
    Status s = VerifyDataBlock(index_iterator->value(), &entries_seen);
    if (!s.ok()) return s;
  }
  if (!index_iterator->status().ok()) return index_iterator->status();
  if (entries_seen != footer_.num_entries) {
    return Status::Corruption(file_name_ + ": footer counts " +
                              std::to_string(footer_.num_entries) +
                              " entries but the blocks hold " + std::to_string(entries_seen));
  }
  return Status::Ok();
}

Status Table::VerifyDataBlock(std::string_view index_value, uint64_t* entries_seen) const {
  BlockHandle handle;
  Status s = DecodeIndexValue(index_value, &handle);
  if (!s.ok()) return s;
  Result<std::shared_ptr<const Block>> block =
      ReadParsedBlock(handle, /*verify_checksum=*/true, /*copy=*/false);
  if (!block.ok()) return block.status();
  // Decoding every entry catches damage that a matching checksum cannot (a bad writer).
  std::unique_ptr<InternalIterator> entries =
      NewBlockIterator(std::move(block).value(), BlockContext(handle.offset));
  for (entries->SeekToFirst(); entries->Valid(); entries->Next()) (*entries_seen)++;
  return entries->status();
}

}  // namespace engine
