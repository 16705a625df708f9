#include "engine/write_batch.h"

#include <cassert>

#include "coding.h"
#include "dbformat.h"
#include "memtable.h"
#include "write_batch_internal.h"

namespace engine {

namespace {

// Do not change: on-disk format (entry tags in WAL records).
static_assert(static_cast<uint8_t>(ValueType::kDeletion) == 0x0);
static_assert(static_cast<uint8_t>(ValueType::kValue) == 0x1);

// Decodes one entry from the front of `input` and hands it to `handler` (which may be null, to
// validate only). False if the entry is malformed.
bool ParseEntry(std::string_view* input, WriteBatch::Handler* handler) {
  const auto tag = static_cast<uint8_t>(input->front());
  input->remove_prefix(1);
  std::string_view key;
  std::string_view value;
  if (tag == static_cast<uint8_t>(ValueType::kValue)) {
    if (!GetLengthPrefixed(input, &key) || !GetLengthPrefixed(input, &value)) return false;
    if (handler != nullptr) handler->Put(key, value);
    return true;
  }
  if (tag == static_cast<uint8_t>(ValueType::kDeletion)) {
    if (!GetLengthPrefixed(input, &key)) return false;
    if (handler != nullptr) handler->Delete(key);
    return true;
  }
  return false;
}

// Walks every entry of `rep`; with a null handler it only checks the encoding.
Status ParseBatch(std::string_view rep, WriteBatch::Handler* handler) {
  if (rep.size() < kWriteBatchHeaderBytes) return Status::Corruption("write batch too small");
  const uint32_t expected = DecodeFixed32(rep.data() + kWriteBatchCountOffset);
  std::string_view input = rep.substr(kWriteBatchHeaderBytes);
  uint32_t found = 0;
  while (!input.empty()) {
    if (found == expected) return Status::Corruption("write batch has more entries than its count");
    if (!ParseEntry(&input, handler)) return Status::Corruption("bad write batch entry");
    found++;
  }
  if (found != expected) return Status::Corruption("write batch has fewer entries than its count");
  return Status::Ok();
}

// Applies entries to a memtable with consecutive sequence numbers.
class MemTableInserter final : public WriteBatch::Handler {
 public:
  MemTableInserter(SequenceNumber first_sequence, MemTable* memtable)
      : sequence_(first_sequence), memtable_(memtable) {}

  void Put(std::string_view key, std::string_view value) override {
    memtable_->Add(sequence_++, ValueType::kValue, key, value);
  }
  void Delete(std::string_view key) override {
    memtable_->Add(sequence_++, ValueType::kDeletion, key, std::string_view());
  }

 private:
  SequenceNumber sequence_;
  MemTable* const memtable_;
};

}  // namespace

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Put(std::string_view key, std::string_view value) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(ValueType::kValue));
  PutLengthPrefixed(&rep_, key);
  PutLengthPrefixed(&rep_, value);
}

void WriteBatch::Delete(std::string_view key) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(ValueType::kDeletion));
  PutLengthPrefixed(&rep_, key);
}

void WriteBatch::Clear() {
  rep_.clear();
  rep_.resize(kWriteBatchHeaderBytes);  // Sequence 0, count 0.
}

uint32_t WriteBatch::Count() const { return WriteBatchInternal::Count(this); }

// Validates first so that a corrupt batch reaches the handler not at all rather than in part.
Status WriteBatch::Iterate(Handler* handler) const {
  Status status = ParseBatch(rep_, nullptr);
  if (!status.ok()) return status;
  return ParseBatch(rep_, handler);
}

SequenceNumber WriteBatchInternal::Sequence(const WriteBatch* batch) {
  return DecodeFixed64(batch->rep_.data() + kWriteBatchSequenceOffset);
}

void WriteBatchInternal::SetSequence(WriteBatch* batch, SequenceNumber seq) {
  assert(seq <= kMaxSequenceNumber);
  EncodeFixed64(batch->rep_.data() + kWriteBatchSequenceOffset, seq);
}

uint32_t WriteBatchInternal::Count(const WriteBatch* batch) {
  return DecodeFixed32(batch->rep_.data() + kWriteBatchCountOffset);
}

void WriteBatchInternal::SetCount(WriteBatch* batch, uint32_t count) {
  EncodeFixed32(batch->rep_.data() + kWriteBatchCountOffset, count);
}

std::string_view WriteBatchInternal::Contents(const WriteBatch* batch) { return batch->rep_; }

Status WriteBatchInternal::SetContents(WriteBatch* batch, std::string_view contents) {
  if (contents.size() < kWriteBatchHeaderBytes) {
    return Status::Corruption("write batch too small");
  }
  batch->rep_.assign(contents.data(), contents.size());
  return Status::Ok();
}

Status WriteBatchInternal::InsertInto(const WriteBatch* batch, MemTable* memtable) {
  const SequenceNumber first = Sequence(batch);
  const uint32_t count = Count(batch);
  if (first > kMaxSequenceNumber || (count > 0 && count - 1 > kMaxSequenceNumber - first)) {
    return Status::Corruption("write batch sequence numbers overflow");
  }
  MemTableInserter inserter(first, memtable);
  return batch->Iterate(&inserter);
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch* src) {
  assert(src->rep_.size() >= kWriteBatchHeaderBytes);
  SetCount(dst, Count(dst) + Count(src));
  dst->rep_.append(src->rep_, kWriteBatchHeaderBytes);
}

}  // namespace engine
