// EngineStats: the engine's live counters, updated with relaxed atomics where they change and read
// without locks by DB::GetStats (and so by a harness sampler every few hundred milliseconds).
//
// Thread contract: thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace engine {

struct EngineStats {
  std::atomic<uint64_t> live_versions{0};
  std::atomic<uint64_t> deferred_deletions{0};
  std::atomic<uint64_t> deferred_deletion_bytes{0};
  std::atomic<uint64_t> files_deleted{0};
  std::atomic<uint64_t> version_installs{0};
  std::atomic<uint64_t> flushes{0};
  std::atomic<uint64_t> compactions{0};
  std::atomic<uint64_t> background_errors{0};
  std::atomic<uint64_t> background_retries{0};
  // The deepest level holding a table in the current Version (0 when only level 0 or none does).
  std::atomic<uint64_t> deepest_level{0};
  // Write batches this DB's open replayed from WALs into memtables.
  std::atomic<uint64_t> wal_batches_replayed{0};

  static void Add(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
  static void Sub(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.fetch_sub(n, std::memory_order_relaxed);
  }
};

}  // namespace engine
