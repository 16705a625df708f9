// Unit tests of values: unique per write, self-checking, and their compact text form.
#include "workloads/value.h"

#include <gtest/gtest.h>

#include <set>

namespace workloads {
namespace {

// A value has the requested size (or its id's, if longer) and starts with its id.
TEST(ValueTest, HasRequestedSizeAndId) {
  EXPECT_EQ("v7.3", MakeValue(7, 3, 0));
  EXPECT_EQ("v7.3", MakeValue(7, 3, 4));
  EXPECT_EQ("v7.3#", MakeValue(7, 3, 5));
  for (uint32_t bytes : {6u, 12u, 17u, 128u, 4096u}) {
    const std::string value = MakeValue(7, 3, bytes);
    EXPECT_EQ(bytes, value.size());
    EXPECT_TRUE(value.starts_with("v7.3#")) << value;
  }
}

// ParseValueId gives back the writer and index, at every size and at the extremes.
TEST(ValueTest, IdRoundTrips) {
  for (uint32_t writer : {0u, 1u, 4294967295u}) {
    for (uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{18446744073709551615ULL}}) {
      for (uint32_t bytes : {0u, 16u, 100u}) {
        uint32_t parsed_writer = 1234;
        uint64_t parsed_index = 5678;
        ASSERT_TRUE(ParseValueId(MakeValue(writer, index, bytes), &parsed_writer, &parsed_index));
        EXPECT_EQ(writer, parsed_writer);
        EXPECT_EQ(index, parsed_index);
      }
    }
  }
}

// No two writes (writer, index) share a value, whatever their sizes.
TEST(ValueTest, ValuesAreUniquePerWrite) {
  std::set<std::string> values;
  for (uint32_t writer = 0; writer < 12; writer++) {
    for (uint64_t index = 0; index < 1000; index++) {
      EXPECT_TRUE(values.insert(MakeValue(writer, index, 4 + (index * 7) % 60)).second)
          << writer << " " << index;
    }
  }
}

// Anything that is not exactly one of our values is refused: foreign, damaged or cut short.
TEST(ValueTest, RefusesForeignAndDamagedValues) {
  uint32_t writer;
  uint64_t index;
  std::string flipped = MakeValue(2, 9, 64);
  flipped[40] = flipped[40] == 'a' ? 'b' : 'a';
  const std::string truncated = MakeValue(2, 9, 64).substr(0, 63);
  for (const std::string& bad :
       {std::string("hello"), std::string(), std::string("v7"), std::string("v7."),
        std::string("v.3"), std::string("v07.3"), std::string("v7.03"), std::string("v7.3x"),
        std::string("v-7.3"), std::string("v7.3#zz"), std::string("v99999999999.1"), flipped,
        truncated}) {
    EXPECT_FALSE(ParseValueId(bad, &writer, &index)) << bad;
  }
}

// The compact text form names exactly one value and reads back to it.
TEST(ValueTest, CompactTextRoundTrips) {
  EXPECT_EQ("v7.3", CompactValueText("v7.3"));
  EXPECT_EQ("v7.3/120", CompactValueText(MakeValue(7, 3, 120)));
  EXPECT_EQ(std::nullopt, CompactValueText("hello"));
  for (uint32_t bytes : {0u, 5u, 6u, 120u}) {
    const std::string value = MakeValue(12, 345, bytes);
    EXPECT_EQ(value, ExpandValueText(*CompactValueText(value)));
  }
  for (const char* bad : {"v7.3/4", "v7.3/0", "v7.3/", "v7.3/12x", "v7.3x", "hello", "v7.3/0012"}) {
    EXPECT_EQ(std::nullopt, ExpandValueText(bad)) << bad;
  }
}

}  // namespace
}  // namespace workloads
