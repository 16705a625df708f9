#include "workloads/randomizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>

#include "workloads/random.h"

namespace workloads {
namespace {

using engine::Result;
using engine::Status;

// Mixed into the shard's seed, so the draws do not replay the streams of the run the drawn spec
// then drives with the same seed.
constexpr uint64_t kRandomizeSeedTag = 0x72616e646f6d697aULL;  // "randomiz"
// A log-uniform draw is a rejection loop that keeps at least a quarter of its tries; past this
// many (a chance below 2^-400) it settles for min.
constexpr int kLogDrawTriesMax = 1000;
// Doubling from the smallest positive double passes 2^53 within this many octaves.
constexpr int kOctavesMax = 1200;
// Real draws keep this many significant digits: config.toml reads well, and a last-bit
// difference in floating point between two machines cannot change a draw short of an exact tie.
constexpr int kRealDigitsMax = 6;

// Uniform over the whole numbers in [low, high].
int64_t DrawWhole(int64_t low, int64_t high, Random* random) {
  const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return static_cast<int64_t>(static_cast<uint64_t>(low) + random->UniformBetween(0, span));
}

// P(k) proportional to 1/k over [low, high], low >= 1, in integer arithmetic only. The range is
// cut into octaves [L, 2L) from L = low, the last one cut short at high. A try picks an octave
// uniformly, keeps a cut-short one with probability length / L (its share of a whole octave),
// picks k uniformly in it and keeps k with probability L / k; so every k is kept with probability
// proportional to 1/k, and at least a quarter of the tries succeed.
int64_t DrawWholeLog(int64_t low, int64_t high, Random* random) {
  assert(low >= 1 && low <= high);
  const uint64_t first = static_cast<uint64_t>(low);
  const uint64_t last = static_cast<uint64_t>(high);
  int octaves = 1;
  while ((first << octaves) <= last) octaves++;  // last <= 2^53: no shift overflows
  for (int tries = 0; tries < kLogDrawTriesMax; tries++) {
    const uint64_t start = first << random->Uniform(octaves);
    const uint64_t length = std::min(last, 2 * start - 1) - start + 1;
    if (octaves > 1 && random->Uniform(start) >= length) continue;
    const uint64_t k = start + random->Uniform(length);
    if (random->Uniform(k) < start) return static_cast<int64_t>(k);
  }
  return low;
}

// The same construction over the reals in [low, high], low > 0: density proportional to 1/x,
// with no logarithm or exponential (their last bits differ between math libraries).
double DrawRealLog(double low, double high, Random* random) {
  assert(low > 0 && low <= high);
  int octaves = 1;
  while (octaves < kOctavesMax && std::ldexp(low, octaves) < high) octaves++;
  for (int tries = 0; tries < kLogDrawTriesMax; tries++) {
    const double start = std::ldexp(low, static_cast<int>(random->Uniform(octaves)));
    const double length = std::min(2 * start, high) - start;
    if (octaves > 1 && random->UniformDouble() * start >= length) continue;
    const double x = start + random->UniformDouble() * length;
    if (random->UniformDouble() * x < start) return x;
  }
  return low;
}

// `x` to kRealDigitsMax significant digits, kept inside [low, high].
double RoundReal(double x, double low, double high) {
  const std::string text = fmt::format("{:.{}g}", x, kRealDigitsMax);
  return std::clamp(ParseRandomizeNumber(text).value_or(x), low, high);
}

// One value for `range`, as TOML text.
std::string DrawValue(const RandomizeRange& range, Random* random) {
  if (!range.one_of.empty()) return range.one_of[random->Uniform(range.one_of.size())];
  if (RandomizeKeyIsWhole(range.key)) {
    const auto low = static_cast<int64_t>(range.min);
    const auto high = static_cast<int64_t>(range.max);
    const int64_t k = range.log ? DrawWholeLog(low, high, random) : DrawWhole(low, high, random);
    return RandomizeNumberText(range.key, static_cast<double>(k));
  }
  const double x = range.log ? DrawRealLog(range.min, range.max, random)
                             : range.min + (range.max - range.min) * random->UniformDouble();
  return RandomizeNumberText(range.key, RoundReal(x, range.min, range.max));
}

// faults.rate_scale: every p= trigger's probability times `scale`, at most 1.
void ScaleFaultRates(double scale, std::vector<faults::Rule>* rules) {
  for (faults::Rule& rule : *rules) {
    if (rule.trigger.kind != faults::Trigger::Kind::kProbability) continue;
    rule.trigger.probability = RoundReal(rule.trigger.probability * scale, 0, 1);
  }
}

// One value per range, in order, applied to a copy of `spec` (not yet validated).
Result<WorkloadSpec> DrawOnce(const WorkloadSpec& spec, Random* random,
                              std::vector<DrawnValue>* drawn) {
  WorkloadSpec out = spec;
  out.randomize.clear();
  std::optional<double> rate_scale;
  for (const RandomizeRange& range : spec.randomize) {
    std::string text = DrawValue(range, random);
    if (range.key == kRateScaleKey) {
      rate_scale = ParseRandomizeNumber(text);
      assert(rate_scale.has_value());  // ValidateRandomizeRanges checked every value
    } else {
      // Validated ranges only hold values the key takes, so this fails only on a bug.
      const Status s = ApplyOverride(&out, fmt::format("{}={}", range.key, text));
      if (!s.ok()) return s.WithContext(fmt::format("randomize.{}", range.key));
    }
    drawn->emplace_back(range.key, std::move(text));
  }
  if (rate_scale) ScaleFaultRates(*rate_scale, &out.faults);
  return out;
}

}  // namespace

Result<WorkloadSpec> Randomize(const WorkloadSpec& spec, uint64_t seed,
                               std::vector<DrawnValue>* drawn) {
  if (drawn != nullptr) drawn->clear();
  if (spec.randomize.empty()) return spec;
  const Status ranges = ValidateRandomizeRanges(spec.randomize);
  if (!ranges.ok()) return ranges;
  Status last = Status::Ok();
  for (int attempt = 0; attempt < kRandomizeAttemptsMax; attempt++) {
    Random random(DeriveSeed(seed ^ kRandomizeSeedTag, static_cast<uint64_t>(attempt)));
    std::vector<DrawnValue> values;
    Result<WorkloadSpec> candidate = DrawOnce(spec, &random, &values);
    if (!candidate.ok()) return candidate.status();
    last = candidate->Validate();
    if (last.ok()) {
      if (drawn != nullptr) *drawn = std::move(values);
      return candidate;
    }
  }
  return Status::InvalidArgument(fmt::format("randomize: no valid draw in {} attempts: {}",
                                             kRandomizeAttemptsMax, last.message()));
}

}  // namespace workloads
