// Models of how each engine pins what a read needs, stripped of everything else, so the cost of
// the pin pattern itself can be measured on its own.
//
// These copy the shape of the engines' code; they are not that code. engine::ReadView cannot be
// built outside the engine (Version's constructor is private), and LevelDB's internals are not
// installed, so the engines' own pins are measured only through the ReadViewPin benchmark (a Get
// of a missing key on an empty DB), which also pays for a memtable seek, a walk over the empty
// levels and building a NotFound status.
//
//   VstressShapedPin mirrors DBImpl::PinReadView and ReadView::Unref: take one mutex, add an atomic
//   reference to the current view and read the published sequence; release is one atomic
//   decrement with no lock.
//   LevelDbShapedPin mirrors leveldb::DBImpl::Get: under the DB mutex read the last sequence and
//   take plain-int references on the memtable and the current Version (an empty DB has no
//   immutable memtable); after the read, take the mutex again to drop them.
//
// Thread contract: thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace bench {

class VstressShapedPin {
 public:
  struct View {
    std::atomic<int> refs{1};  // the model's own reference keeps the count above zero
  };

  static constexpr const char* kName = "vstress_shape";

  View* Pin(uint64_t* sequence) {
    std::lock_guard<std::mutex> guard(mu_);
    view_.refs.fetch_add(1, std::memory_order_relaxed);
    *sequence = last_sequence_.load(std::memory_order_acquire);
    return &view_;
  }

  void Unpin(View* view) {
    // The engine deletes the view when this reaches zero; the model's reference prevents that.
    [[maybe_unused]] const int before = view->refs.fetch_sub(1, std::memory_order_acq_rel);
  }

 private:
  std::mutex mu_;
  View view_;
  std::atomic<uint64_t> last_sequence_{0};
};

class LevelDbShapedPin {
 public:
  struct View {};

  static constexpr const char* kName = "leveldb_shape";

  View* Pin(uint64_t* sequence) {
    std::lock_guard<std::mutex> guard(mu_);
    *sequence = last_sequence_;
    memtable_refs_++;
    version_refs_++;
    return &view_;
  }

  void Unpin(View* /*view*/) {
    std::lock_guard<std::mutex> guard(mu_);
    memtable_refs_--;
    version_refs_--;
  }

 private:
  std::mutex mu_;
  View view_;
  uint64_t last_sequence_ = 0;  // guarded by mu_
  int memtable_refs_ = 1;       // guarded by mu_
  int version_refs_ = 1;        // guarded by mu_
};

}  // namespace bench
