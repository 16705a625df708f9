#include "bench/bench_keys.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace bench {
namespace {

// A misused key helper is a bug in the benchmark. Checked in every build type (benchmarks run
// with NDEBUG, where assert is compiled out), and cheap: no timed loop makes keys.
void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "bench_keys: %s\n", what);
  std::abort();
}

}  // namespace

std::string KeyAt(uint64_t index) {
  Check(index < 1'000'000'000'000'000, "KeyAt: index has more than 15 digits");
  char buffer[kKeyBytes + 1];
  const int written = std::snprintf(buffer, sizeof(buffer), "k%015" PRIu64, index);
  Check(written == static_cast<int>(kKeyBytes), "KeyAt: key is not kKeyBytes long");
  return std::string(buffer, static_cast<size_t>(written));
}

std::vector<std::string> RandomKeys(size_t count, uint64_t key_range, uint64_t seed) {
  Check(key_range > 0, "RandomKeys: empty key range");
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<uint64_t> index(0, key_range - 1);
  std::vector<std::string> keys;
  keys.reserve(count);
  for (size_t i = 0; i < count; i++) keys.push_back(KeyAt(index(random)));
  return keys;
}

std::vector<std::string> ShuffledKeys(uint64_t count, uint64_t seed) {
  std::vector<std::string> keys;
  keys.reserve(count);
  for (uint64_t i = 0; i < count; i++) keys.push_back(KeyAt(i));
  std::mt19937_64 random(seed);
  std::shuffle(keys.begin(), keys.end(), random);
  return keys;
}

std::string BenchValue() {
  std::string value(kValueBytes, 'v');
  // Vary the bytes a little so the value is not one repeated character.
  for (size_t i = 0; i < value.size(); i++) value[i] = static_cast<char>('a' + (i * 7) % 26);
  return value;
}

}  // namespace bench
