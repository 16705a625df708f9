// The keys and values every benchmark uses, and the random orders it visits them in.
//
// Keys are 16 bytes ("k" and 15 decimal digits) and values 100 bytes, db_bench's defaults. Orders
// are drawn before a benchmark's timed loop from a fixed seed, so no timed loop formats a key or
// calls a random number generator, and every run of either engine sees the same sequence.
//
// Thread contract: immutable (pure functions returning values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

inline constexpr size_t kKeyBytes = 16;
inline constexpr size_t kValueBytes = 100;

// The key for `index` (below 10^15), e.g. KeyAt(42) == "k000000000000042".
std::string KeyAt(uint64_t index);

// `count` keys KeyAt(i) with i drawn uniformly (with repeats) from [0, key_range).
std::vector<std::string> RandomKeys(size_t count, uint64_t key_range, uint64_t seed);

// Every key KeyAt(i), i in [0, count), each once, in a random order.
std::vector<std::string> ShuffledKeys(uint64_t count, uint64_t seed);

// A kValueBytes value. Neither engine compresses in these benchmarks, so its bytes do not matter.
std::string BenchValue();

}  // namespace bench
