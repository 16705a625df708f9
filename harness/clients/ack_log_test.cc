// Unit tests of the acknowledgement logs: what a writer logs reads back in order, with its
// outcome; a line the kill cut short is ignored; anything else malformed is refused by name.
#include "harness/clients/ack_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace harness::clients {
namespace {

namespace fs = std::filesystem;

class AckLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("vstress-ack-log-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void WriteRaw(const std::string& name, const std::string& text) {
    fs::create_directories(dir_);
    std::ofstream(dir_ + "/" + name) << text;
  }
  std::string dir_;
};

TEST_F(AckLogTest, WritesReadBackWithTheirOutcomes) {
  {
    auto log = AckLog::Create(dir_, 4, 2);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log.value()->Intent(4, {{7, model::ValueId{4, 0, 20}}});
    log.value()->Acknowledged(4, 11, true);
    log.value()->Intent(5, {{1, std::nullopt}, {2, model::ValueId{5, 0, 9}}});
    log.value()->Acknowledged(5, 13, false);
    log.value()->Intent(4, {{8, model::ValueId{4, 1, 30}}});
    log.value()->Failed(4);
    log.value()->Intent(4, {{9, model::ValueId{4, 2, 30}}});  // the kill came
  }
  auto writes = ReadAckLogs(dir_);
  ASSERT_TRUE(writes.ok()) << writes.status().ToString();
  ASSERT_EQ(4u, writes.value().size());
  const LoggedWrite& first = writes.value()[0];
  EXPECT_EQ(4u, first.writer);
  EXPECT_EQ(LoggedWrite::State::kAcknowledged, first.state);
  EXPECT_EQ(11u, first.last);
  EXPECT_TRUE(first.synced);
  EXPECT_EQ((model::ValueId{4, 0, 20}), first.entries.at(0).value);
  EXPECT_EQ(LoggedWrite::State::kFailed, writes.value()[1].state);
  EXPECT_EQ(LoggedWrite::State::kInFlight, writes.value()[2].state);
  EXPECT_EQ(9u, writes.value()[2].entries.at(0).key);
  const LoggedWrite& batch = writes.value()[3];
  EXPECT_EQ(5u, batch.writer);
  ASSERT_EQ(2u, batch.entries.size());
  EXPECT_FALSE(batch.entries[0].value.has_value());
  EXPECT_FALSE(batch.synced);
}

TEST_F(AckLogTest, ALastLineCutShortIsIgnored) {
  WriteRaw("writer-0.log", "w 1=0.0.10\na 1 u\nw 2=0.1.1");
  auto writes = ReadAckLogs(dir_);
  ASSERT_TRUE(writes.ok()) << writes.status().ToString();
  ASSERT_EQ(1u, writes.value().size());
  EXPECT_EQ(LoggedWrite::State::kAcknowledged, writes.value()[0].state);
}

// A child killed before it created its logs wrote nothing; a file where the directory should be is
// still an error.
TEST_F(AckLogTest, AMissingDirectoryHoldsNoWrites) {
  auto writes = ReadAckLogs(dir_ + "/never-made");
  ASSERT_TRUE(writes.ok()) << writes.status().ToString();
  EXPECT_TRUE(writes.value().empty());
  WriteRaw("not-a-dir", "x");
  EXPECT_FALSE(ReadAckLogs(dir_ + "/not-a-dir").ok());
}

TEST_F(AckLogTest, MalformedLinesAreRefusedByFileAndLine) {
  for (const char* bad : {"w\n", "a 5 s\n", "w 1=x.0.1\n", "w 1=0.0.1\na 0 s\n",
                          "w 1=0.0.1\na 3 maybe\n", "z\n", "\n"}) {
    WriteRaw("writer-3.log", bad);
    auto writes = ReadAckLogs(dir_);
    ASSERT_FALSE(writes.ok()) << "accepted: " << bad;
    EXPECT_NE(std::string::npos, writes.status().message().find("writer-3.log:"))
        << writes.status().message();
  }
}

}  // namespace
}  // namespace harness::clients
