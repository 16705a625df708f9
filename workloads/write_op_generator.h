// WriteOpGenerator: the stream of write ops one writer thread performs.
//
// Each op is a put, a delete or a batch, chosen by the spec's writer weights; a write is marked
// sync with probability writers.sync_ratio. Keys come from a KeyChooser. Every put (inside
// batches too) carries a fresh value MakeValue(writer_id, write_index, bytes) with write_index
// counting this writer's puts from 1 and bytes drawn from [value_bytes_min, value_bytes_max], so
// no two puts of a run write the same value when writer ids are distinct.
//
// Under the `latest` distribution puts insert at a moving frontier (the key after this writer's
// previous put, wrapping; writers start spread over the key space) and deletes pick keys by
// recency from it, like YCSB's "read latest" workload; newest_key_index() is the frontier the
// readers' KeyChoosers should be given.
//
// The stream depends only on (spec, writer_id, seed): the same arguments give the same ops.
//
// Thread contract: thread-compatible (one generator per writer thread).
#pragma once

#include <cstdint>
#include <optional>

#include "workloads/key_chooser.h"
#include "workloads/op.h"
#include "workloads/random.h"
#include "workloads/workload_spec.h"

namespace workloads {

class WriteOpGenerator {
 public:
  // REQUIRES: spec.Validate() is ok and spec.writers has a weight above 0.
  WriteOpGenerator(const WorkloadSpec& spec, uint32_t writer_id, uint64_t seed);

  Op Next();

  // The key index of this writer's latest put, if it made one.
  std::optional<uint64_t> newest_key_index() const { return newest_key_index_; }
  // Puts generated so far (the last write_index used).
  uint64_t puts_generated() const { return next_write_index_ - 1; }

 private:
  Op NextPut();
  Op NextDelete();
  Op NextBatch();
  uint64_t NextPutKey();

  const WriterSpec writers_;
  const uint32_t writer_id_;
  const uint32_t value_bytes_min_;
  const uint32_t value_bytes_max_;
  const bool latest_;
  Random random_;
  KeyChooser chooser_;
  uint64_t next_write_index_ = 1;
  uint64_t frontier_ = 0;  // latest: the key the next put inserts
  std::optional<uint64_t> newest_key_index_;
};

}  // namespace workloads
