// Fuzzes the write batch format: a batch parsed from arbitrary bytes is either refused with a
// Status or inserted into a memtable, after which every entry it claimed is there in order.
#include <cstddef>
#include <cstdint>
#include <string>

#include "internal_iterator.h"
#include "memtable.h"
#include "write_batch_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engine::WriteBatch batch;
  const std::string_view contents(reinterpret_cast<const char*>(data), size);
  if (!engine::WriteBatchInternal::SetContents(&batch, contents).ok()) return 0;
  auto* mem = new engine::MemTable();
  mem->Ref();
  if (engine::WriteBatchInternal::InsertInto(&batch, mem).ok()) {
    // Every entry the batch's count claims went in.
    if (mem->NumEntries() != engine::WriteBatchInternal::Count(&batch)) __builtin_trap();
    auto it = mem->NewIterator();
    uint64_t seen = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) seen++;
    if (seen != mem->NumEntries()) __builtin_trap();
  }
  mem->Unref();
  return 0;
}
