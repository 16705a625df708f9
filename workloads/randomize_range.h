// RandomizeRange: one entry of a workload's [randomize] table, the range or the choices a sweep
// shard may draw one key's value from (randomizer.h draws; workload_toml.cc reads and writes the
// table).
//
//   [randomize]
//   key_space = { min = 500, max = 20000 }                    # uniform over [min, max]
//   engine.memtable_bytes = { min = 16384, max = 262144, log = true }   # log-uniform
//   distribution = { one_of = ["uniform", "zipfian"] }        # one of the listed values
//   "faults.rate_scale" = { min = 0.25, max = 4.0, log = true }   # quoted keys work too
//
// Invariants (ValidateRandomizeRanges owns them, and names the key as "randomize.<key>: ..."): the
// key is one `--set` takes, or faults.rate_scale; an entry is either a range (finite min <= max,
// within +-kRandomizeBoundMax, both applying to the key, which must hold a number; log only with
// min > 0) or a non-empty one_of list whose every value applies to the key and is written as
// ToToml writes it (CanonicalValueText), never both; keys are
// listed once each, in canonical order (the order WorkloadKeys() lists them, faults.rate_scale
// last), which is the order a draw takes them in. A TOML table has no order of its own (toml++
// sorts it), so the parser sorts the entries into this order.
//
// Thread contract: immutable (a plain value; the functions are pure).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace workloads {

// The one [randomize] key that is not a workload key: it multiplies the probability of every fault
// rule with a p= trigger (capped at 1).
inline constexpr std::string_view kRateScaleKey = "faults.rate_scale";

// Bounds are kept as doubles; within +-2^53 every whole number is exact.
inline constexpr double kRandomizeBoundMax = 9007199254740992.0;

struct RandomizeRange {
  std::string key;  // dotted, as --set spells it: "engine.memtable_bytes"
  // The range form (one_of empty): whole-number keys draw whole numbers, real keys reals.
  double min = 0;
  double max = 0;
  bool log = false;  // log-uniform instead of uniform
  // The choice form: each value as TOML text ("65536", "\"zipfian\"", "[16, 64]").
  std::vector<std::string> one_of;

  bool operator==(const RandomizeRange&) const = default;
};

// Where `key` goes in a draw (and in ToToml): its place in WorkloadKeys(), faults.rate_scale
// after them all; nullopt for a key [randomize] does not take.
std::optional<size_t> RandomizeKeyRank(std::string_view key);

// Whether `key` holds a whole number (an integer field); false for reals and the rest.
bool RandomizeKeyIsWhole(std::string_view key);

// A number for `key` as TOML text: an integer for whole-number keys when `value` is whole
// ("16384"), else the shortest float that reads back as `value` ("0.25", "4.0").
std::string RandomizeNumberText(std::string_view key, double value);

// A number written as TOML text ("16384", "0.25", "1e-05"); nullopt for anything else, NaN and
// infinities included.
std::optional<double> ParseRandomizeNumber(std::string_view text);

// A one_of value's text as ToToml writes it ("'zipfian'" -> "\"zipfian\"", "0x10" -> "16"), so
// that text survives ParseWorkload(ToToml(s)); nullopt when `text` is not one TOML number,
// string, boolean or array of them. Defined in workload_toml.cc, with the rest of the TOML text.
std::optional<std::string> CanonicalValueText(std::string_view text);

// The rules above; the first broken one, naming its key ("randomize.engine.memtable_bytes: min
// (65536) must be <= max (4096)").
engine::Status ValidateRandomizeRanges(const std::vector<RandomizeRange>& ranges);

}  // namespace workloads
