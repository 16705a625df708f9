// Tests for the log format: log::Writer and log::Reader round trips, and how the Reader tells a
// torn tail (ok, records before it kept) from corruption (stops, names the offset).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "checksum.h"
#include "coding.h"
#include "engine/file_system.h"
#include "log_format.h"
#include "log_reader.h"
#include "log_writer.h"

namespace engine::log {
namespace {

// Wraps a SequentialFile to hand out at most a few bytes per Read, and optionally to fail once
// `fail_after_bytes` have been returned, so the Reader's chunking and error paths get exercised.
class TrickleFile final : public SequentialFile {
 public:
  TrickleFile(std::unique_ptr<SequentialFile> base, uint64_t fail_after_bytes)
      : base_(std::move(base)), fail_after_bytes_(fail_after_bytes) {}

  Status Read(size_t n, std::string* scratch, std::string_view* result) override {
    if (returned_bytes_ >= fail_after_bytes_) return Status::IOError("trickle: injected");
    const size_t step = std::uniform_int_distribution<size_t>(1, 13)(random_);
    Status s = base_->Read(std::min(n, step), scratch, result);
    returned_bytes_ += result->size();
    return s;
  }

 private:
  const std::unique_ptr<SequentialFile> base_;
  const uint64_t fail_after_bytes_;
  uint64_t returned_bytes_ = 0;
  std::mt19937 random_{42};
};

struct ReadOutcome {
  std::vector<std::string> records;
  std::vector<uint64_t> offsets;  // last_record_offset() after each record
  Status status;
  bool torn = false;
  uint64_t valid_bytes = 0;
};

class LogTest : public testing::Test {
 protected:
  // Writes `records` as a fresh log; returns each record's start offset.
  std::vector<uint64_t> WriteLog(const std::vector<std::string>& records) {
    auto file = std::move(fs_->NewWritableFile(kPath).value());
    Writer writer(file.get());
    std::vector<uint64_t> offsets;
    for (const std::string& record : records) {
      offsets.push_back(file->Size());
      EXPECT_TRUE(writer.AddRecord(record).ok());
    }
    EXPECT_TRUE(file->Close().ok());
    return offsets;
  }

  std::string Contents() {
    std::string data;
    EXPECT_TRUE(ReadFileToString(fs_.get(), kPath, &data).ok());
    return data;
  }
  void SetContents(std::string_view data) {
    ASSERT_TRUE(WriteFileAtomically(fs_.get(), "/", kPath, data).ok());
  }
  void FlipBit(uint64_t offset, int bit) {
    std::string data = Contents();
    data[offset] = static_cast<char>(data[offset] ^ (1 << bit));
    SetContents(data);
  }

  ReadOutcome ReadAll(bool trickle = false, uint64_t fail_after_bytes = UINT64_MAX) {
    std::unique_ptr<SequentialFile> file = std::move(fs_->NewSequentialFile(kPath).value());
    if (trickle) file = std::make_unique<TrickleFile>(std::move(file), fail_after_bytes);
    Reader reader(std::move(file), "000007.log");
    ReadOutcome outcome;
    std::string record;
    while (reader.ReadRecord(&record)) {
      outcome.records.push_back(record);
      outcome.offsets.push_back(reader.last_record_offset());
    }
    EXPECT_FALSE(reader.ReadRecord(&record)) << "reading must stay finished";
    outcome.status = reader.status();
    outcome.torn = reader.tail_was_torn();
    outcome.valid_bytes = reader.valid_bytes();
    return outcome;
  }

  static constexpr const char* kPath = "/000007.log";
  std::shared_ptr<FileSystem> fs_ = NewMemFileSystem();
};

// Deterministic payload bytes (zeros included) that differ between records.
std::string Payload(size_t index, size_t bytes) {
  std::string payload(bytes, '\0');
  std::mt19937 random(static_cast<uint32_t>(index));
  for (char& c : payload) c = static_cast<char>(random() % 7 == 0 ? 0 : random());
  return payload;
}

std::vector<std::string> Payloads(size_t count, size_t bytes) {
  std::vector<std::string> payloads;
  for (size_t i = 0; i < count; ++i) payloads.push_back(Payload(i, bytes));
  return payloads;
}

std::vector<std::string> First(const std::vector<std::string>& all, size_t count) {
  return {all.begin(), all.begin() + static_cast<ptrdiff_t>(count)};
}

std::string OffsetText(uint64_t offset) { return "at offset " + std::to_string(offset) + ":"; }

// Records of 0 B to 1 MiB (past the read chunk) come back intact, in order, with their offsets.
TEST(LogRoundTripTest, ManySizes) {
  std::shared_ptr<FileSystem> fs = NewMemFileSystem();
  std::vector<std::string> records;
  std::mt19937 random(7);
  for (size_t bytes : {0, 1, 11, 12, 13, 100 * 1024, 1 << 20}) records.push_back(Payload(0, bytes));
  for (size_t i = 0; i < 300; ++i) {
    const size_t bytes = i % 10 == 0 ? random() % (100 * 1024) : random() % 200;
    records.push_back(Payload(i + 1, bytes));
  }
  auto file = std::move(fs->NewWritableFile("/wal").value());
  Writer writer(file.get());
  std::vector<uint64_t> offsets;
  for (const std::string& record : records) {
    offsets.push_back(file->Size());
    ASSERT_TRUE(writer.AddRecord(record).ok());
  }
  Reader reader(std::move(fs->NewSequentialFile("/wal").value()), "wal");
  std::string got;
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_TRUE(reader.ReadRecord(&got)) << i << ": " << reader.status().ToString();
    ASSERT_EQ(got, records[i]) << i;
    ASSERT_EQ(reader.last_record_offset(), offsets[i]);
  }
  EXPECT_FALSE(reader.ReadRecord(&got));
  EXPECT_TRUE(reader.status().ok());
  EXPECT_FALSE(reader.tail_was_torn());
  EXPECT_EQ(reader.valid_bytes(), file->Size());
}

// An empty file is a clean, empty log.
TEST_F(LogTest, EmptyFileIsCleanEnd) {
  WriteLog({});
  const ReadOutcome outcome = ReadAll();
  EXPECT_TRUE(outcome.records.empty());
  EXPECT_TRUE(outcome.status.ok());
  EXPECT_FALSE(outcome.torn);
  EXPECT_EQ(outcome.valid_bytes, 0u);
}

// The reader does not depend on Read returning whole records: a few bytes per Read works.
TEST_F(LogTest, ReadsThroughTinyChunks) {
  const std::vector<std::string> records = Payloads(40, 150);
  WriteLog(records);
  const ReadOutcome outcome = ReadAll(/*trickle=*/true);
  EXPECT_EQ(outcome.records, records);
  EXPECT_TRUE(outcome.status.ok());
  EXPECT_FALSE(outcome.torn);
}

// A Writer on a file that already holds records appends after them.
TEST_F(LogTest, WriterAppendsToExistingRecords) {
  auto file = std::move(fs_->NewWritableFile(kPath).value());
  ASSERT_TRUE(Writer(file.get()).AddRecord("first").ok());
  ASSERT_TRUE(Writer(file.get()).AddRecord("second").ok());
  EXPECT_EQ(ReadAll().records, (std::vector<std::string>{"first", "second"}));
}

// A cut at any byte inside the last record gives all earlier records, a torn tail and ok status.
TEST_F(LogTest, TruncationInsideLastRecordIsTorn) {
  std::vector<std::string> records = Payloads(5, 30);
  records.push_back(Payload(99, 300));
  const uint64_t last_start = WriteLog(records).back();
  const std::string full = Contents();
  for (uint64_t cut = last_start; cut < full.size(); ++cut) {
    SetContents(std::string_view(full).substr(0, cut));
    const ReadOutcome outcome = ReadAll(/*trickle=*/cut % 2 == 0);
    ASSERT_EQ(outcome.records, First(records, 5)) << cut;
    ASSERT_TRUE(outcome.status.ok()) << cut << ": " << outcome.status.ToString();
    ASSERT_EQ(outcome.torn, cut > last_start) << cut;
    ASSERT_EQ(outcome.valid_bytes, last_start) << cut;
  }
}

// A flipped payload bit in a middle record is Corruption at its offset, and reading stops there.
TEST_F(LogTest, FlippedPayloadBitInMiddleIsCorruption) {
  const std::vector<std::string> records = Payloads(10, 100);
  const std::vector<uint64_t> offsets = WriteLog(records);
  FlipBit(offsets[5] + kHeaderBytes + 40, 3);
  const ReadOutcome outcome = ReadAll();
  EXPECT_EQ(outcome.records, First(records, 5));
  EXPECT_TRUE(outcome.status.IsCorruption()) << outcome.status.ToString();
  EXPECT_EQ(outcome.status.message(),
            "000007.log: corrupt record " + OffsetText(offsets[5]) + " payload checksum mismatch");
  EXPECT_FALSE(outcome.torn);
  EXPECT_EQ(outcome.valid_bytes, offsets[5]);
}

// A flipped bit anywhere in a middle record's header is Corruption at that record's offset.
TEST_F(LogTest, FlippedHeaderBitInMiddleIsCorruption) {
  const std::vector<std::string> records = Payloads(10, 100);
  const std::vector<uint64_t> offsets = WriteLog(records);
  const std::string original = Contents();
  for (uint64_t byte = 0; byte < kHeaderBytes; ++byte) {
    SetContents(original);
    FlipBit(offsets[5] + byte, static_cast<int>(byte % 8));
    const ReadOutcome outcome = ReadAll();
    ASSERT_EQ(outcome.records, First(records, 5)) << byte;
    ASSERT_TRUE(outcome.status.IsCorruption()) << byte << ": " << outcome.status.ToString();
    ASSERT_NE(outcome.status.message().find(OffsetText(offsets[5]) + " header checksum mismatch"),
              std::string::npos)
        << outcome.status.message();
    ASSERT_FALSE(outcome.torn);
  }
}

// A flipped bit in the last record's payload is Corruption: the record was complete, and calling
// it torn would silently drop a synced write.
TEST_F(LogTest, FlippedPayloadBitInLastRecordIsCorruption) {
  const std::vector<std::string> records = Payloads(6, 100);
  const std::vector<uint64_t> offsets = WriteLog(records);
  FlipBit(offsets[5] + kHeaderBytes + 99, 0);
  const ReadOutcome outcome = ReadAll();
  EXPECT_EQ(outcome.records, First(records, 5));
  EXPECT_TRUE(outcome.status.IsCorruption()) << outcome.status.ToString();
  EXPECT_FALSE(outcome.torn);
}

// A damaged (non-zero) header on the last record is still Corruption, not a torn tail.
TEST_F(LogTest, FlippedHeaderBitInLastRecordIsCorruption) {
  const std::vector<uint64_t> offsets = WriteLog(Payloads(6, 100));
  FlipBit(offsets[5] + 2, 1);
  const ReadOutcome outcome = ReadAll();
  EXPECT_EQ(outcome.records.size(), 5u);
  EXPECT_TRUE(outcome.status.IsCorruption()) << outcome.status.ToString();
}

// Zero bytes after the last record, short or long, are a torn tail with every record kept.
TEST_F(LogTest, ZeroFilledTailIsTorn) {
  const std::vector<std::string> records = Payloads(8, 50);
  WriteLog(records);
  const std::string good = Contents();
  for (size_t zeros : {1, 11, 12, 13, 4096, 300 * 1024}) {
    SetContents(good + std::string(zeros, '\0'));
    const ReadOutcome outcome = ReadAll();
    ASSERT_EQ(outcome.records, records) << zeros;
    ASSERT_TRUE(outcome.status.ok()) << zeros << ": " << outcome.status.ToString();
    ASSERT_TRUE(outcome.torn) << zeros;
    ASSERT_EQ(outcome.valid_bytes, good.size()) << zeros;
  }
}

// A last record whose final sector never reached disk (zeroed before a zero tail) is a torn tail.
TEST_F(LogTest, PartlyZeroedLastRecordBeforeZeroTailIsTorn) {
  const std::vector<std::string> records = Payloads(4, 2000);
  const uint64_t last_start = WriteLog(records).back();
  std::string data = Contents();
  std::fill(data.begin() + static_cast<ptrdiff_t>(last_start + kHeaderBytes + 1000), data.end(), 0);
  SetContents(data + std::string(4096, '\0'));
  const ReadOutcome outcome = ReadAll();
  EXPECT_EQ(outcome.records, First(records, 3));
  EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_TRUE(outcome.torn);
}

// Non-zero bytes after a zero header mean real data follows: Corruption, not a torn tail.
TEST_F(LogTest, ZerosThenDataIsCorruption) {
  WriteLog(Payloads(3, 50));
  const uint64_t bad_offset = Contents().size();
  SetContents(Contents() + std::string(100, '\0') + "x");
  const ReadOutcome outcome = ReadAll();
  EXPECT_EQ(outcome.records.size(), 3u);
  EXPECT_TRUE(outcome.status.IsCorruption());
  EXPECT_NE(outcome.status.message().find(OffsetText(bad_offset)), std::string::npos);
}

// A length above kRecordBytesMax is Corruption even when its header checksum is valid.
TEST_F(LogTest, HugeLengthWithValidHeaderIsCorruption) {
  WriteLog(Payloads(2, 10));
  const uint64_t bad_offset = Contents().size();
  for (uint32_t length : {kRecordBytesMax + 1, UINT32_MAX}) {
    char header[kHeaderBytes];
    EncodeFixed32(header + kLengthOffset, length);
    EncodeFixed32(header + kPayloadChecksumOffset, 0);
    EncodeFixed32(header + kHeaderChecksumOffset,
                  Checksum(std::string_view(header, kHeaderChecksumOffset)));
    std::string data = Contents().substr(0, bad_offset);
    SetContents(data + std::string(header, kHeaderBytes) + "some payload");
    const ReadOutcome outcome = ReadAll();
    ASSERT_EQ(outcome.records.size(), 2u);
    ASSERT_TRUE(outcome.status.IsCorruption()) << outcome.status.ToString();
    ASSERT_NE(outcome.status.message().find(OffsetText(bad_offset) + " record length " +
                                            std::to_string(length) + " exceeds"),
              std::string::npos)
        << outcome.status.message();
  }
}

// The writer refuses a record longer than the cap rather than write one no reader accepts.
TEST_F(LogTest, WriterRefusesOversizedRecord) {
  auto file = std::move(fs_->NewWritableFile(kPath).value());
  const Status s = Writer(file.get()).AddRecord(std::string(kRecordBytesMax + 1, 'x'));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(file->Size(), 0u);
}

// A read error is reported as itself, not as corruption or a torn tail.
TEST_F(LogTest, ReadErrorIsReported) {
  const std::vector<std::string> records = Payloads(5, 100);
  const std::vector<uint64_t> offsets = WriteLog(records);
  const ReadOutcome outcome = ReadAll(/*trickle=*/true, /*fail_after_bytes=*/offsets[3] + 5);
  EXPECT_EQ(outcome.records, First(records, 3));
  EXPECT_TRUE(outcome.status.IsIOError()) << outcome.status.ToString();
  EXPECT_FALSE(outcome.torn);
}

}  // namespace
}  // namespace engine::log
