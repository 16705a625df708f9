#include "memtable.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "coding.h"

namespace engine {

namespace {

// memcpy with an empty view may pass a null source, which memcpy does not allow.
void CopyBytes(char* dst, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(dst, bytes.data(), bytes.size());
}

// Decodes the length-prefixed bytes at `p`, which the memtable itself wrote. The view handed to
// GetVarint32 may extend past the entry, but decoding stops at the varint's last byte. Inline:
// every skiplist comparison decodes two of these.
inline std::string_view DecodeLengthPrefixed(const char* p) {
  const auto first = static_cast<uint8_t>(*p);
  if ((first & 0x80) == 0) return std::string_view(p + 1, first);
  std::string_view input(p, kVarint32BytesMax);
  uint32_t length = 0;
  [[maybe_unused]] const bool ok = GetVarint32(&input, &length);
  assert(ok);
  return std::string_view(input.data(), length);
}

// The value follows the internal key inside the same entry.
std::string_view DecodeValueAfter(std::string_view internal_key) {
  return DecodeLengthPrefixed(internal_key.data() + internal_key.size());
}

// Replaces `dst` with the skip-list form of an internal key (length-prefixed), for seeking.
void EncodeEntryKey(std::string* dst, std::string_view internal_key) {
  dst->clear();
  PutLengthPrefixed(dst, internal_key);
}

}  // namespace

int MemTable::EntryComparator::operator()(const char* a, const char* b) const {
  return CompareInternalKeys(DecodeLengthPrefixed(a), DecodeLengthPrefixed(b));
}

// Walks the skip list and exposes each entry's internal key and value.
class MemTable::Iterator final : public InternalIterator {
 public:
  explicit Iterator(MemTable* memtable) : memtable_(memtable), iter_(&memtable->table_) {
    memtable_->Ref();
  }
  ~Iterator() override { memtable_->Unref(); }

  bool Valid() const override { return iter_.Valid(); }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Seek(std::string_view target) override {
    assert(target.size() >= kInternalKeyTagBytes);  // An internal key, not a user key.
    EncodeEntryKey(&seek_scratch_, target);
    iter_.Seek(seek_scratch_.data());
  }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  std::string_view key() const override { return DecodeLengthPrefixed(iter_.key()); }
  std::string_view value() const override { return DecodeValueAfter(key()); }
  Status status() const override { return Status::Ok(); }

 private:
  MemTable* const memtable_;
  Table::Iterator iter_;
  std::string seek_scratch_;  // The encoded Seek target; must live while iter_ compares with it.
};

MemTable::MemTable() : table_(EntryComparator{}, &arena_) {}

MemTable::~MemTable() { assert(refs_.load(std::memory_order_relaxed) == 0); }

void MemTable::Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }

void MemTable::Unref() {
  // Acq_rel: the thread that deletes must see every other holder's last use of the memtable.
  const int previous = refs_.fetch_sub(1, std::memory_order_acq_rel);
  if (previous <= 0) {
    std::fprintf(stderr, "MemTable::Unref: reference count went below zero\n");
    std::abort();
  }
  if (previous == 1) delete this;
}

void MemTable::Add(SequenceNumber seq, ValueType type, std::string_view user_key,
                   std::string_view value) {
  assert(seq <= kMaxSequenceNumber);
  // Lengths are stored as varint32.
  assert(user_key.size() + kInternalKeyTagBytes <= UINT32_MAX && value.size() <= UINT32_MAX);
  const size_t internal_key_bytes = user_key.size() + kInternalKeyTagBytes;
  const size_t entry_bytes = VarintLength(internal_key_bytes) + internal_key_bytes +
                             VarintLength(value.size()) + value.size();
  char* const entry = arena_.Allocate(entry_bytes);
  char* p = EncodeVarint32(entry, static_cast<uint32_t>(internal_key_bytes));
  CopyBytes(p, user_key);
  p += user_key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += kInternalKeyTagBytes;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  CopyBytes(p, value);
  assert(p + value.size() == entry + entry_bytes);
  table_.Insert(entry);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
}

bool MemTable::Get(const LookupKey& key, std::string* value, bool* deleted,
                   SequenceNumber* entry_sequence) const {
  // The lookup key sorts before every entry of its user key visible at its sequence.
  Table::Iterator iter(&table_);
  iter.Seek(key.memtable_key().data());
  if (!iter.Valid()) return false;

  const std::string_view internal_key = DecodeLengthPrefixed(iter.key());
  ParsedInternalKey parsed;
  [[maybe_unused]] const bool ok = ParseInternalKey(internal_key, &parsed);
  assert(ok);  // The memtable wrote this key itself.
  if (parsed.user_key != key.user_key()) return false;

  assert(parsed.sequence <= key.sequence());
  *entry_sequence = parsed.sequence;
  *deleted = parsed.type == ValueType::kDeletion;
  if (!*deleted) value->assign(DecodeValueAfter(internal_key));
  return true;
}

std::unique_ptr<InternalIterator> MemTable::NewIterator() {
  return std::make_unique<Iterator>(this);
}

}  // namespace engine
