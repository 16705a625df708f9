// Fuzzes the table reader: the footer, block handles, the index, data blocks (keys with shared
// prefixes and restart arrays) and the bloom filter, all through the in-memory file system. Block
// checksums would stop almost every mutation at the first block read, so besides raw files
// (mode 0: the footer and checksum paths) the input can describe block contents that the target
// frames with valid trailers and a valid footer (mode 1: data, filter and index blocks as given;
// mode 2: data and filter as given, a real index pointing at the data block). Whatever the bytes,
// Open, iteration both ways, Seek, Get and VerifyChecksums must end in a Status.
#include <cstddef>
#include <cstdint>
#include <string>

#include "block_builder.h"
#include "dbformat.h"
#include "engine/file_system.h"
#include "fuzz_input.h"
#include "internal_iterator.h"
#include "table.h"
#include "table_format.h"

namespace {

using vstress_fuzz::FuzzInput;

// Appends `block` and its trailer at the end of `file`, returning its handle.
engine::BlockHandle AddBlock(std::string_view block, std::string* file) {
  engine::BlockHandle handle;
  handle.offset = file->size();
  handle.size_bytes = block.size();
  file->append(block);
  file->append(engine::BlockTrailer(block, engine::BlockType::kRaw));
  return handle;
}

std::string FramedTable(FuzzInput* in, bool real_index) {
  const std::string_view data = in->Chunk();
  const std::string_view filter = in->Chunk();
  const std::string_view index_or_last_key = in->Chunk();
  std::string file;
  const engine::BlockHandle data_handle = AddBlock(data, &file);
  engine::Footer footer;
  footer.filter_handle = AddBlock(filter, &file);
  if (real_index) {
    engine::BlockBuilder index(1);
    std::string handle;
    data_handle.EncodeTo(&handle);
    index.Add(index_or_last_key, handle);
    footer.index_handle = AddBlock(index.Finish(), &file);
  } else {
    footer.index_handle = AddBlock(index_or_last_key, &file);
  }
  footer.num_entries = in->Byte();
  footer.EncodeTo(&file);
  return file;
}

void Exercise(const engine::Table& table, std::string_view probe) {
  auto it = table.NewIterator();
  uint64_t steps = 0;
  for (it->SeekToFirst(); it->Valid() && steps < 100000; it->Next()) steps++;
  for (it->SeekToLast(); it->Valid() && steps < 200000; it->Prev()) steps++;
  const std::string target =
      engine::MakeInternalKey(probe, engine::kMaxSequenceNumber, engine::ValueType::kValue);
  it->Seek(target);
  if (it->Valid()) it->Next();
  std::string key;
  std::string value;
  (void)table.Get(target, &key, &value);
  (void)table.VerifyChecksums();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  const uint8_t mode = in.Byte();
  const bool verify_checksums = (mode & 0x80) == 0;
  const std::string_view probe = in.Chunk();
  std::string file;
  switch (mode & 0x3) {
    case 1:
      file = FramedTable(&in, /*real_index=*/false);
      break;
    case 2:
      file = FramedTable(&in, /*real_index=*/true);
      break;
    default:
      file = std::string(in.Rest());
      break;
  }
  auto fs = engine::NewMemFileSystem();
  fs->CreateDirIfMissing("/db");
  const std::string path = "/db/000007.sst";
  {
    auto out = fs->NewWritableFile(path);
    if (!out.ok()) return 0;
    out.value()->Append(file);
    out.value()->Close();
  }
  auto reader = fs->NewRandomAccessFile(path);
  if (!reader.ok()) return 0;
  engine::TableOptions options;
  options.verify_checksums = verify_checksums;
  auto table = engine::Table::Open(options, std::move(reader).value(), file.size(), "000007.sst");
  if (table.ok()) Exercise(*table.value(), probe);
  return 0;
}
