// ReadView: what one read pins — the memtable, the immutable memtable (if any) and the Version.
//
// RocksDB calls this a SuperVersion. The DB keeps one current ReadView and replaces it whenever any
// of the three changes (memtable switch, flush, compaction). A reader pins the current view for its
// whole life (a Get, or an iterator until destroyed), so what it reads can neither change nor be
// deleted under it. The last Unref releases the memtables and the Version (which may delete files).
//
// Thread contract: thread-safe (refcount is atomic; the members are immutable after creation).
#pragma once

#include <atomic>

#include "memtable.h"
#include "version.h"

namespace engine {

class ReadView {
 public:
  // Takes a reference on each component.
  ReadView(MemTable* mem, MemTable* imm, Version* version)
      : mem_(mem), imm_(imm), version_(version) {
    mem_->Ref();
    if (imm_ != nullptr) imm_->Ref();
    version_->Ref();
  }
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // The references now (for the close-time check; racy while readers come and go).
  int refs() const { return refs_.load(std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  MemTable* mem() const { return mem_; }
  MemTable* imm() const { return imm_; }
  Version* version() const { return version_; }

 private:
  ~ReadView() {
    mem_->Unref();
    if (imm_ != nullptr) imm_->Unref();
    version_->Unref();
  }

  MemTable* const mem_;
  MemTable* const imm_;
  Version* const version_;
  std::atomic<int> refs_{0};
};

}  // namespace engine
