#include "workloads/randomize_range.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>

#include "workloads/workload_spec.h"

namespace workloads {
namespace {

using engine::Status;

constexpr std::string_view kRandomizeKey = "randomize";

// WorkloadKeys() builds its list on every call; the list never changes, so it is built once here.
const std::vector<WorkloadKeyInfo>& Keys() {
  static const std::vector<WorkloadKeyInfo> kKeys = WorkloadKeys();
  return kKeys;
}

Status BadRange(std::string_view key, std::string_view why) {
  return Status::InvalidArgument(fmt::format("randomize.{}: {}", key, why));
}

// Whether `value_text` is a value `key` takes, judged as `--set` judges it (the key and the
// type, not the cross-key rules a draw is checked against later).
Status Applies(std::string_view key, std::string_view value_text) {
  if (key == kRateScaleKey) {
    const std::optional<double> scale = ParseRandomizeNumber(value_text);
    if (scale && *scale >= 0) return Status::Ok();
    return Status::InvalidArgument(
        fmt::format("{}: must be a number >= 0, got {}", kRateScaleKey, value_text));
  }
  WorkloadSpec probe;
  return ApplyOverride(&probe, fmt::format("{}={}", key, value_text));
}

bool HoldsNumber(std::string_view key) {
  if (key == kRateScaleKey) return true;
  for (const WorkloadKeyInfo& info : Keys()) {
    if (info.key == key) return info.type != KeyType::kOther;
  }
  return false;
}

Status ValidateKey(std::string_view key) {
  if (RandomizeKeyRank(key)) return Status::Ok();
  if (key == kRandomizeKey) return BadRange(key, "the [randomize] table cannot randomise itself");
  // ApplyOverride names what is wrong with the key and suggests the one probably meant.
  WorkloadSpec probe;
  const Status s = ApplyOverride(&probe, fmt::format("{}=0", key));
  return BadRange(key, s.ok() ? "cannot be randomised" : s.message());
}

Status ValidateOneOf(const RandomizeRange& range) {
  if (range.min != 0 || range.max != 0 || range.log) {
    return BadRange(range.key, "one_of excludes min, max and log: give one form or the other");
  }
  for (const std::string& text : range.one_of) {
    const std::optional<std::string> canonical = CanonicalValueText(text);
    if (!canonical) {
      return BadRange(
          range.key,
          fmt::format("one_of value {} is not a TOML number, string, boolean or array", text));
    }
    if (*canonical != text) {
      return BadRange(range.key, fmt::format("one_of value {} must be written as {}", text, *canonical));
    }
    const Status s = Applies(range.key, text);
    if (!s.ok()) {
      return BadRange(range.key, fmt::format("one_of value {} does not apply ({})", text, s.message()));
    }
  }
  return Status::Ok();
}

Status ValidateMinMax(const RandomizeRange& range) {
  const std::string_view key = range.key;
  if (!HoldsNumber(key)) {
    return BadRange(key, "min/max need a key that holds a number; list the values with one_of");
  }
  if (!std::isfinite(range.min) || !std::isfinite(range.max)) {
    return BadRange(key, fmt::format("min and max must be finite, got {} and {}", range.min, range.max));
  }
  if (std::fabs(range.min) > kRandomizeBoundMax || std::fabs(range.max) > kRandomizeBoundMax) {
    return BadRange(key, fmt::format("min and max must be within +-{}, got {} and {}",
                                kRandomizeBoundMax, range.min, range.max));
  }
  if (range.min > range.max) {
    return BadRange(key, fmt::format("min ({}) must be <= max ({})", RandomizeNumberText(key, range.min),
                                RandomizeNumberText(key, range.max)));
  }
  if (range.log && range.min <= 0) {
    return BadRange(
        key, fmt::format("log = true needs min > 0, got {}", RandomizeNumberText(key, range.min)));
  }
  for (const auto& [name, bound] : {std::pair{"min", range.min}, std::pair{"max", range.max}}) {
    const std::string text = RandomizeNumberText(key, bound);
    const Status s = Applies(key, text);
    if (!s.ok()) {
      return BadRange(key, fmt::format("{} = {} does not apply ({})", name, text, s.message()));
    }
  }
  return Status::Ok();
}

}  // namespace

std::optional<size_t> RandomizeKeyRank(std::string_view key) {
  const std::vector<WorkloadKeyInfo>& keys = Keys();
  for (size_t i = 0; i < keys.size(); i++) {
    if (keys[i].key == key && key != kRandomizeKey) return i;
  }
  if (key == kRateScaleKey) return keys.size();
  return std::nullopt;
}

bool RandomizeKeyIsWhole(std::string_view key) {
  for (const WorkloadKeyInfo& info : Keys()) {
    if (info.key == key) return info.type == KeyType::kWholeNumber;
  }
  return false;
}

std::string RandomizeNumberText(std::string_view key, double value) {
  if (RandomizeKeyIsWhole(key) && std::fabs(value) <= kRandomizeBoundMax &&
      value == std::trunc(value)) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  // The shortest text that reads back as `value`, with a '.' or an exponent so TOML reads a
  // float (infinities and NaN, "inf" and "nan", are TOML floats as they stand).
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

std::optional<double> ParseRandomizeNumber(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

Status ValidateRandomizeRanges(const std::vector<RandomizeRange>& ranges) {
  std::optional<size_t> previous_rank;
  for (size_t i = 0; i < ranges.size(); i++) {
    const RandomizeRange& range = ranges[i];
    Status s = ValidateKey(range.key);
    if (!s.ok()) return s;
    s = range.one_of.empty() ? ValidateMinMax(range) : ValidateOneOf(range);
    if (!s.ok()) return s;
    const size_t rank = *RandomizeKeyRank(range.key);
    if (previous_rank && rank == *previous_rank) return BadRange(range.key, "is listed twice");
    if (previous_rank && rank < *previous_rank) {
      return BadRange(range.key, fmt::format("listed after {}: keep the keys in the order "
                                        "`vstress run` writes config.toml",
                                        ranges[i - 1].key));
    }
    previous_rank = rank;
  }
  return Status::Ok();
}

}  // namespace workloads
