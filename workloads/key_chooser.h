// KeyChooser: draws key indices in [0, key_space) from a workload's key distribution.
//
//   uniform  every key equally likely.
//   zipfian  YCSB's zipfian over ranks, ranks mapped to keys by a Permutation seeded with the
//            spec's seed, so the hot keys are spread over the key space (not clustered at k0) and
//            are the same keys for every thread of a run.
//   latest   zipfian over recency: rank r means "r keys before the newest key written"
//            (wrapping), so recently written keys are hot. Without a newest key it is uniform.
//   hotspot  hotspot_key_fraction of the keys (a contiguous range, placed by the spec's seed, so
//            scans meet hot keys together) get hotspot_access_fraction of the draws; the rest go
//            uniformly to the other keys.
//
// Every draw comes from the chooser's own Random, seeded by the constructor's `seed` (a per-thread
// seed: DeriveSeed(spec.seed, thread)), so a seed replays the same keys.
//
// Thread contract: thread-compatible (one KeyChooser per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "workloads/random.h"
#include "workloads/workload_spec.h"
#include "workloads/zipfian_generator.h"

namespace workloads {

class KeyChooser {
 public:
  // REQUIRES: spec.Validate() is ok.
  KeyChooser(const WorkloadSpec& spec, uint64_t seed);

  // A key index in [0, key_space). `newest_key_index` is the index of the key written most
  // recently, if the caller knows one; only `latest` uses it.
  uint64_t Next(std::optional<uint64_t> newest_key_index = std::nullopt);

  uint64_t key_space() const { return key_space_; }

 private:
  uint64_t NextHotspot();

  KeyDistribution distribution_;
  uint64_t key_space_;
  Random random_;
  std::optional<ZipfianGenerator> zipfian_;  // zipfian and latest
  std::optional<Permutation> permutation_;   // zipfian
  uint64_t hot_start_ = 0;                   // hotspot: first hot key ...
  uint64_t hot_keys_ = 0;                    // ... and how many (the range wraps around)
  double hot_access_fraction_ = 0;
};

// "k00000042": "k" and the index in 8 digits (indices stay below kKeySpaceMax = 10^8, so all names
// have one length and sort in index order).
std::string KeyName(uint64_t index);
// The inverse of KeyName; false if `key` is not a key name.
bool ParseKeyIndex(std::string_view key, uint64_t* index);

}  // namespace workloads
