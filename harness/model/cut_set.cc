#include "harness/model/cut_set.h"

#include <fmt/format.h>

#include <algorithm>

namespace harness::model {

CutSet::CutSet(SequenceNumber low, SequenceNumber high) {
  if (low <= high) intervals_.push_back({low, high});
}

void CutSet::Keep(const std::vector<SeqInterval>& allowed) {
  std::vector<SeqInterval> kept;
  size_t a = 0;
  size_t b = 0;
  while (a < intervals_.size() && b < allowed.size()) {
    const SequenceNumber low = std::max(intervals_[a].low, allowed[b].low);
    const SequenceNumber high = std::min(intervals_[a].high, allowed[b].high);
    if (low <= high) kept.push_back({low, high});
    // Advance whichever ends first.
    intervals_[a].high < allowed[b].high ? a++ : b++;
  }
  intervals_ = std::move(kept);
}

std::string CutSet::ToString() const {
  if (intervals_.empty()) return "none";
  if (exact()) return fmt::format("{}", intervals_[0].low);
  std::string out;
  for (const SeqInterval& i : intervals_) {
    out += fmt::format("{}[{}, {}]", out.empty() ? "" : " and ", i.low, i.high);
  }
  return out;
}

}  // namespace harness::model
