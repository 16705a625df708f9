#include "harness/sweep/seed_range.h"

#include <fmt/format.h>

#include <charconv>

#include "workloads/workload_spec.h"

namespace harness::sweep {
namespace {

bool ParseSeed(std::string_view text, uint64_t* out) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() &&
         *out <= workloads::kTomlIntegerMax;
}

}  // namespace

engine::Result<SeedRange> ParseSeedRange(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return engine::Status::InvalidArgument(
        fmt::format("'{}' is not a seed range like 7 or 1-10: {}", text, why));
  };
  SeedRange range;
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseSeed(text, &range.first)) return bad("not a whole number");
    range.last = range.first;
    return range;
  }
  if (!ParseSeed(text.substr(0, dash), &range.first) ||
      !ParseSeed(text.substr(dash + 1), &range.last)) {
    return bad("both ends must be whole numbers");
  }
  if (range.first > range.last) return bad("the first seed is above the last");
  if (range.last - range.first >= kSeedRangeSizeMax) {
    return bad(fmt::format("more than {} seeds", kSeedRangeSizeMax));
  }
  return range;
}

}  // namespace harness::sweep
