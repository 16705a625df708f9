// Randomised configs for sweeps (as RocksDB's db_crashtest.py re-draws its parameters every
// round): a workload's [randomize] table (randomize_range.h) declares, per key, the range or the
// choices a sweep shard may draw from, and Randomize() draws one value for each from the shard's
// seed.
//
//   [randomize]
//   key_space = { min = 500, max = 20000 }                 # uniform whole numbers (or reals)
//   engine.memtable_bytes = { min = 16384, max = 262144, log = true }   # log-uniform
//   distribution = { one_of = ["uniform", "zipfian", "latest", "hotspot"] }
//   faults.rate_scale = { min = 0.25, max = 4.0, log = true }  # multiplies every p= trigger
//
// Any key `vstress run --set` takes may be randomised; the type of min/max follows the key's
// (a whole-number key draws whole numbers). `faults.rate_scale` is the one key that is not a
// workload key: it scales the probability of every fault rule with a p= trigger (capped at 1).
//
// Draw rules: keys are drawn in the table's canonical order (randomize_range.h), each from the
// same seeded stream. A whole-number key draws uniformly from the whole numbers in [min, max], or
// with log = true with P(k) proportional to 1/k; a real key draws uniformly (or with density
// proportional to 1/x) and keeps 6 significant digits; one_of picks each listed value with equal
// chance. Each value is applied as `--set KEY=VALUE` would apply it; rate_scale is applied last,
// to the final fault rules.
//
// Invariants: the draw is a pure function of (spec, seed): same inputs, same values, whatever the
// machine (workloads::Random and integer arithmetic, no <random> distributions and no libm
// logarithms). The returned spec has no [randomize] table (its values are drawn), validates, and
// written out with ToToml replays alone. Draws that break a rule between keys (a level-0 trigger
// above the next one) are drawn again from the seed's next stream, at most kRandomizeAttemptsMax
// times, then an error names the rule: "randomize: no valid draw in 100 attempts: <rule>".
//
// Thread contract: immutable (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "workloads/workload_spec.h"

namespace workloads {

inline constexpr int kRandomizeAttemptsMax = 100;

// One drawn key and its value as TOML text ("engine.memtable_bytes", "65536").
using DrawnValue = std::pair<std::string, std::string>;

// Draws every [randomize] key of `spec` from `seed`; `drawn` (optional) gets each key and value in
// the table's order, for the accepted draw (cleared on error). A spec without a [randomize] table
// comes back unchanged (not validated again); a table that breaks its own rules is refused with
// ValidateRandomizeRanges's error.
engine::Result<WorkloadSpec> Randomize(const WorkloadSpec& spec, uint64_t seed,
                                       std::vector<DrawnValue>* drawn);

}  // namespace workloads
