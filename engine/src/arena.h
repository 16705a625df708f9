// Arena: a bump allocator that hands out memory for memtable entries and skip-list nodes, all of
// which live exactly as long as the arena.
//
// Memory comes from 4 KiB blocks; an allocation larger than a quarter block gets a block of its own
// so that a big value does not waste the rest of the current block. Nothing is freed until the
// arena is destroyed. Allocate() returns unaligned memory (for byte strings); AllocateAligned()
// returns memory aligned for any fundamental type (for nodes holding atomics and pointers).
// MemoryUsage() counts every block plus its bookkeeping and never decreases.
//
// Thread contract: thread-compatible (one allocating thread at a time), except MemoryUsage(),
// which is thread-safe and may be read from any thread while another allocates.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <memory>
#include <vector>

namespace engine {

class Arena {
 public:
  static constexpr size_t kBlockBytes = 4096;
  // Allocations above this get their own block: at most a quarter block is ever wasted.
  static constexpr size_t kLargeAllocationBytes = kBlockBytes / 4;
  static constexpr size_t kAlignment = alignof(std::max_align_t);
  static_assert((kAlignment & (kAlignment - 1)) == 0, "alignment must be a power of two");

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `bytes` (> 0) bytes with no alignment guarantee.
  char* Allocate(size_t bytes) {
    assert(bytes > 0);
    if (bytes <= alloc_bytes_remaining_) {
      char* result = alloc_ptr_;
      alloc_ptr_ += bytes;
      alloc_bytes_remaining_ -= bytes;
      return result;
    }
    return AllocateFallback(bytes);
  }

  // Returns `bytes` (> 0) bytes aligned to kAlignment.
  char* AllocateAligned(size_t bytes);

  // Bytes reserved from the system so far (blocks plus bookkeeping).
  size_t MemoryUsage() const { return memory_usage_bytes_.load(std::memory_order_relaxed); }

 private:
  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  char* alloc_ptr_ = nullptr;
  size_t alloc_bytes_remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  // Relaxed: readers want an estimate for flush decisions, not a synchronization point.
  std::atomic<size_t> memory_usage_bytes_{0};
};

}  // namespace engine
