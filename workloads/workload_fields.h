// The keys of a workload's TOML form: Fields(), one entry per key, saying where in WorkloadSpec
// its value goes and what it means (the line ToToml writes above it). Parsing, --set overrides,
// ToToml and WorkloadKeys() all walk this one table (workload_toml.cc), so a key cannot be parsed
// but not printed, or printed but not overridable. Also the helpers that name keys: sections,
// leaves, and the known key a mistyped one was most likely meant to be.
//
// An internal header of workloads/: nothing outside the folder includes it.
//
// Thread contract: immutable (a static table and pure functions).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "workloads/workload_spec.h"

namespace workloads {

// value_bytes = [min, max] sets two fields at once.
struct ValueBytesRange {
  uint32_t* min;
  uint32_t* max;
};

using FieldRef =
    std::variant<uint64_t*, uint32_t*, int*, double*, bool*, std::string*, KeyDistribution*,
                 engine::BackgroundMode*, std::vector<std::string>*, ValueBytesRange>;

struct Field {
  std::string_view key;  // dotted: "writers.sync_ratio"
  std::string_view doc;  // one line, written above the key by ToToml
  FieldRef (*ref)(WorkloadSpec&);
  bool written = true;  // false: an input-only shorthand that ToToml does not write
};

// The keys outside Fields(): the fault rules, and the [randomize] table.
inline constexpr std::string_view kFaultsKey = "faults";
inline constexpr std::string_view kFaultsDoc =
    "[[faults]] tables, each rule = \"POINT:ACTION[:TRIGGER][@WINDOW]\" (`vstress faults`); "
    "--set faults+=RULE adds one, faults=R1;R2 replaces them";
inline constexpr std::string_view kRandomizeKey = "randomize";
inline constexpr std::string_view kRandomizeDoc =
    "[randomize] table: KEY = { min = .., max = .. [, log = true] } or { one_of = [..] }, what "
    "`vstress sweep --randomize` draws per shard (a plain run ignores it; not for --set)";

// "KEY: WHY" as an InvalidArgument: how every bad key or value of a workload is named.
engine::Status BadKey(std::string_view key, std::string_view why);

// Grouped by section, top level first: ToToml writes a [section] header at each change.
const std::vector<Field>& Fields();
// "writers" of "writers.sync_ratio" ("" for a top-level key); "sync_ratio" of it.
std::string_view SectionOf(std::string_view key);
std::string_view LeafOf(std::string_view key);
// The field of `key`, or null.
const Field* FindField(std::string_view key);
// Whether `name` is a section some key lives in.
bool IsSection(std::string_view name);
// The known key `key` was most likely meant to be: a close spelling, or else the only key with
// the same last component ("sync_ratio" -> "writers.sync_ratio"). Empty when nothing fits.
std::string_view Suggest(std::string_view key);

}  // namespace workloads
