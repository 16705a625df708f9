// A range of seeds as the command line spells it: "7" or "1-10" (inclusive), for commands that run
// many seeds (`vstress mutants --measure --seeds A-B`, sweeps).
//
// Thread contract: immutable.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/status.h"

namespace harness::sweep {

struct SeedRange {
  uint64_t first = 1;
  uint64_t last = 1;
  uint64_t size() const { return last - first + 1; }
};

// Most seeds one range may name, so a typo cannot plan a billion runs.
inline constexpr uint64_t kSeedRangeSizeMax = 1'000'000;

// InvalidArgument naming the problem for anything but "N" or "A-B" with A <= B, both whole numbers
// in [0, 2^63 - 1], and at most kSeedRangeSizeMax seeds.
engine::Result<SeedRange> ParseSeedRange(std::string_view text);

}  // namespace harness::sweep
