// MemTable: the in-memory, sorted buffer that receives every write before it is flushed to a table.
//
// Each entry is one version of one user key: (internal key, value), where the internal key is the
// user key plus a fixed64 tag (sequence << 8 | type, see dbformat.h). Entries are kept in a
// SkipList ordered by CompareInternalKeys, so a key's versions sit together, newest first. Entries
// are never removed or changed, which is what lets readers run without locks. Each entry is one
// arena allocation laid out as:
//
//   varint32 internal_key_length | internal key | varint32 value_length | value
//
// A MemTable is reference counted: it starts at zero references, its creator calls Ref(), and the
// last Unref() deletes it. Iterators hold a reference of their own, so a memtable outlives every
// iterator over it.
//
// Thread contract: thread-safe for readers, single writer. Add() calls must be serialized by the
// caller; Get(), NewIterator(), Ref(), Unref() and the size accessors may run on any thread,
// concurrently with Add() and each other.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "arena.h"
#include "dbformat.h"
#include "engine/types.h"
#include "internal_iterator.h"
#include "skiplist.h"

namespace engine {

class MemTable {
 public:
  MemTable();
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  void Ref();
  // Deletes the memtable when the last reference goes.
  void Unref();

  // REQUIRES: no other Add() is running; `seq` <= kMaxSequenceNumber and not already used for
  // `user_key` in this memtable.
  void Add(SequenceNumber seq, ValueType type, std::string_view user_key, std::string_view value);

  // Looks up the newest entry for key.user_key() with sequence <= key.sequence(). Returns false if
  // there is none. Otherwise returns true with *entry_sequence set to the entry's sequence,
  // *deleted set to whether it is a tombstone, and, for a put, *value set to its value.
  bool Get(const LookupKey& key, std::string* value, bool* deleted,
           SequenceNumber* entry_sequence) const;

  // An iterator over internal keys in internal-key order; key() is the internal key. It holds a
  // reference on this memtable until it is destroyed.
  std::unique_ptr<InternalIterator> NewIterator();

  // Bytes of arena memory in use; safe to read while another thread calls Add().
  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  uint64_t NumEntries() const { return num_entries_.load(std::memory_order_relaxed); }

 private:
  // Orders arena entries (pointers to their length-prefixed internal keys) by internal key.
  struct EntryComparator {
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, EntryComparator>;
  class Iterator;

  ~MemTable();  // Only Unref() destroys a memtable.

  std::atomic<int> refs_{0};
  Arena arena_;
  Table table_;
  std::atomic<uint64_t> num_entries_{0};
};

}  // namespace engine
