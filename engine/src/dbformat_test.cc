// Tests for internal-key helpers: the inline byte comparison and LookupKey's layout.
#include "dbformat.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace engine {
namespace {

int Sign(int x) { return (x > 0) - (x < 0); }

// CompareUserKeys orders exactly like std::string_view::compare: unsigned bytes, prefixes first,
// across the 8-byte steps and the byte-at-a-time tail.
TEST(DbFormatTest, CompareUserKeysMatchesStringCompare) {
  std::mt19937 rng(11);
  std::vector<std::string> keys = {
      "",         "a",         "ab",      "abc", std::string(1, '\0'), std::string(1, '\xff'),
      "abcdefgh", "abcdefghi", "abcdefgg"};
  for (int i = 0; i < 400; i++) {
    std::string key(rng() % 40, '\0');
    // A narrow alphabet makes long shared prefixes (and so late differences) common.
    for (char& c : key) c = static_cast<char>(rng() % 3 == 0 ? 0x80 + rng() % 2 : 'a' + rng() % 2);
    keys.push_back(key);
  }
  for (const std::string& a : keys) {
    for (const std::string& b : keys) {
      ASSERT_EQ(Sign(CompareUserKeys(a, b)), Sign(std::string_view(a).compare(b)))
          << testing::PrintToString(a) << " vs " << testing::PrintToString(b);
    }
  }
}

// A LookupKey is the length-prefixed seek key for (user_key, sequence), inline or on the heap.
TEST(DbFormatTest, LookupKeyLayout) {
  for (size_t bytes : {size_t{0}, size_t{16}, size_t{115}, size_t{116}, size_t{1000}}) {
    SCOPED_TRACE(bytes);
    const std::string user_key(bytes, 'u');
    const LookupKey lookup(user_key, 42);
    const std::string internal_key = MakeInternalKey(user_key, 42, kValueTypeForSeek);
    EXPECT_EQ(lookup.user_key(), user_key);
    EXPECT_EQ(lookup.internal_key(), internal_key);
    EXPECT_EQ(lookup.sequence(), 42u);
    std::string memtable_key;
    PutLengthPrefixed(&memtable_key, internal_key);
    EXPECT_EQ(lookup.memtable_key(), memtable_key);
  }
  const LookupKey newest("k", kMaxSequenceNumber);
  EXPECT_EQ(newest.sequence(), kMaxSequenceNumber);
}

}  // namespace
}  // namespace engine
