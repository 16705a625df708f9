#include "bench/bench_keys.h"

#include <algorithm>
#include <cassert>
#include <cinttypes>
#include <cstdio>
#include <random>

namespace bench {

std::string KeyAt(uint64_t index) {
  assert(index < 1'000'000'000'000'000);
  char buffer[kKeyBytes + 1];
  const int written = std::snprintf(buffer, sizeof(buffer), "k%015" PRIu64, index);
  assert(written == static_cast<int>(kKeyBytes));
  return std::string(buffer, static_cast<size_t>(written));
}

std::vector<std::string> RandomKeys(size_t count, uint64_t key_range, uint64_t seed) {
  assert(key_range > 0);
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
