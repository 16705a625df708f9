#include "workloads/key_chooser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace workloads {
namespace {

// Streams of the spec's seed that place the hot keys; threads use other streams.
constexpr uint64_t kPermutationStream = 0x7065726d;  // "perm"
constexpr uint64_t kHotspotStream = 0x686f74;        // "hot"
constexpr size_t kKeyDigits = 8;
static_assert(kKeySpaceMax == 100'000'000, "key names carry exactly kKeyDigits digits");

}  // namespace

KeyChooser::KeyChooser(const WorkloadSpec& spec, uint64_t seed)
    : distribution_(spec.distribution), key_space_(spec.key_space), random_(seed) {
  assert(key_space_ >= 1 && key_space_ <= kKeySpaceMax);
  switch (distribution_) {
    case KeyDistribution::kUniform:
      break;
    case KeyDistribution::kZipfian:
      permutation_.emplace(key_space_, DeriveSeed(spec.seed, kPermutationStream));
      [[fallthrough]];
    case KeyDistribution::kLatest:
      zipfian_.emplace(key_space_, spec.zipf_theta);
      break;
    case KeyDistribution::kHotspot: {
      const double hot = std::round(spec.hotspot_key_fraction * static_cast<double>(key_space_));
      hot_keys_ = std::clamp<uint64_t>(static_cast<uint64_t>(hot), 1, key_space_);
      hot_start_ = Random(DeriveSeed(spec.seed, kHotspotStream)).Uniform(key_space_);
      hot_access_fraction_ = spec.hotspot_access_fraction;
      break;
    }
  }
}

uint64_t KeyChooser::Next(std::optional<uint64_t> newest_key_index) {
  switch (distribution_) {
    case KeyDistribution::kUniform:
      return random_.Uniform(key_space_);
    case KeyDistribution::kZipfian:
      return permutation_->Apply(zipfian_->Next(&random_));
    case KeyDistribution::kLatest: {
      if (!newest_key_index) return random_.Uniform(key_space_);
      const uint64_t back = zipfian_->Next(&random_);
      return (*newest_key_index % key_space_ + key_space_ - back) % key_space_;
    }
    case KeyDistribution::kHotspot:
      return NextHotspot();
  }
  return 0;
}

uint64_t KeyChooser::NextHotspot() {
  const uint64_t cold_keys = key_space_ - hot_keys_;
  const bool hot = cold_keys == 0 || random_.Bernoulli(hot_access_fraction_);
  const uint64_t offset = hot ? random_.Uniform(hot_keys_) : hot_keys_ + random_.Uniform(cold_keys);
  return (hot_start_ + offset) % key_space_;
}

std::string KeyName(uint64_t index) {
  assert(index < kKeySpaceMax);
  return fmt::format("k{:08}", index);
}

bool ParseKeyIndex(std::string_view key, uint64_t* index) {
  if (key.size() != 1 + kKeyDigits || key[0] != 'k') return false;
  const char* begin = key.data() + 1;
  const char* end = key.data() + key.size();
  // from_chars takes no sign for unsigned types, so stopping at `end` means digits only.
  uint64_t parsed;
  const auto [stop, ec] = std::from_chars(begin, end, parsed);
  if (ec != std::errc() || stop != end) return false;
  *index = parsed;
  return true;
}

}  // namespace workloads
