// ReadOpGenerator: the stream of read ops one reader, scanner or snapshot-reader thread performs.
//
// Keys come from a KeyChooser over the spec's distribution. A scan starts at a chosen key (a
// quarter start at an end: empty start_key means the first key forward, the last backward), runs
// backward with probability scanners.reverse_ratio, and is planned for a number of steps drawn
// from [1, scanners.hold_steps_max] (the driver also stops it after scanners.hold_seconds_max).
// The stream depends only on (spec, seed) and the newest-key hints passed in.
//
// Thread contract: thread-compatible (one generator per thread).
#pragma once

#include <cstdint>
#include <optional>

#include "workloads/key_chooser.h"
#include "workloads/op.h"
#include "workloads/random.h"
#include "workloads/workload_spec.h"

namespace workloads {

class ReadOpGenerator {
 public:
  // REQUIRES: spec.Validate() is ok.
  ReadOpGenerator(const WorkloadSpec& spec, uint64_t seed);

  // `newest_key_index`: the key written most recently, for the `latest` distribution.
  Op NextGet(std::optional<uint64_t> newest_key_index = std::nullopt);
  Op NextSnapshotGet(std::optional<uint64_t> newest_key_index = std::nullopt);
  Op NextScan(std::optional<uint64_t> newest_key_index = std::nullopt);

 private:
  const ScannerSpec scanners_;
  Random random_;
  KeyChooser chooser_;
};

}  // namespace workloads
