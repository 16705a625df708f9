#include "arena.h"

#include <cstdint>

namespace engine {

// New blocks come from operator new[], whose alignment is what makes a fresh block aligned.
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= Arena::kAlignment);

char* Arena::AllocateAligned(size_t bytes) {
  assert(bytes > 0);
  const size_t misalignment = reinterpret_cast<uintptr_t>(alloc_ptr_) & (kAlignment - 1);
  const size_t slop = misalignment == 0 ? 0 : kAlignment - misalignment;
  char* result;
  if (bytes + slop <= alloc_bytes_remaining_) {
    result = alloc_ptr_ + slop;
    alloc_ptr_ += bytes + slop;
    alloc_bytes_remaining_ -= bytes + slop;
  } else {
    result = AllocateFallback(bytes);  // A fresh block is always aligned.
  }
  assert((reinterpret_cast<uintptr_t>(result) & (kAlignment - 1)) == 0);
  return result;
}

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > kLargeAllocationBytes) {
    // Keep the current block: its remainder may still serve small allocations.
    return AllocateNewBlock(bytes);
  }
  // The rest of the current block (under a quarter block) is abandoned.
  alloc_ptr_ = AllocateNewBlock(kBlockBytes);
  alloc_bytes_remaining_ = kBlockBytes;
  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_bytes_remaining_ -= bytes;
  return result;
}

char* Arena::AllocateNewBlock(size_t block_bytes) {
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_bytes));
  memory_usage_bytes_.fetch_add(block_bytes + sizeof(blocks_.back()), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace engine
