#include "engine/write_batch.h"

#include <gtest/gtest.h>

#include <string>

#include "coding.h"
#include "dbformat.h"
#include "memtable.h"
#include "write_batch_internal.h"

namespace engine {
namespace {

// Records what Iterate handed over as "Put(k, v)" / "Delete(k)" lines.
class RecordingHandler final : public WriteBatch::Handler {
 public:
  void Put(std::string_view key, std::string_view value) override {
    log += "Put(" + std::string(key) + ", " + std::string(value) + ")";
  }
  void Delete(std::string_view key) override { log += "Delete(" + std::string(key) + ")"; }
  std::string log;
};

std::string Replay(const WriteBatch& batch, Status* status) {
  RecordingHandler handler;
  *status = batch.Iterate(&handler);
  return handler.log;
}

// Expects `contents` to be rejected as Corruption without calling the handler at all.
void ExpectCorrupt(std::string_view contents) {
  WriteBatch batch;
  ASSERT_TRUE(WriteBatchInternal::SetContents(&batch, contents).ok());
  Status status;
  EXPECT_EQ("", Replay(batch, &status));
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

WriteBatch ThreeEntryBatch() {
  WriteBatch batch;
  batch.Put("foo", "bar");
  batch.Delete("box");
  batch.Put("baz", "boo");
  return batch;
}

// A new or cleared batch is a 12-byte header with count 0 and iterates to nothing.
TEST(WriteBatchTest, EmptyBatch) {
  WriteBatch batch;
  EXPECT_EQ(0u, batch.Count());
  EXPECT_EQ(kWriteBatchHeaderBytes, batch.ApproximateSize());
  Status status;
  EXPECT_EQ("", Replay(batch, &status));
  EXPECT_TRUE(status.ok());
  batch.Put("k", "v");
  batch.Clear();
  EXPECT_EQ(0u, batch.Count());
  EXPECT_EQ(kWriteBatchHeaderBytes, batch.ApproximateSize());
}

// Entries come back in insertion order with their keys and values.
TEST(WriteBatchTest, IterateRoundTrip) {
  WriteBatch batch = ThreeEntryBatch();
  EXPECT_EQ(3u, batch.Count());
  Status status;
  EXPECT_EQ("Put(foo, bar)Delete(box)Put(baz, boo)", Replay(batch, &status));
  EXPECT_TRUE(status.ok());
}

// The encoding is byte-for-byte the documented WAL format (do not change: on-disk format).
TEST(WriteBatchTest, EncodingIsTheWalFormat) {
  WriteBatch batch;
  WriteBatchInternal::SetSequence(&batch, 0x0102030405);
  batch.Put("k", "vv");
  batch.Delete("d");
  std::string expected;
  PutFixed64(&expected, 0x0102030405);
  PutFixed32(&expected, 2);
  expected += std::string("\x01\x01k\x02vv", 6);
  expected += std::string("\x00\x01", 2) + "d";
  EXPECT_EQ(expected, WriteBatchInternal::Contents(&batch));
  EXPECT_EQ(0x0102030405u, WriteBatchInternal::Sequence(&batch));
  EXPECT_EQ(2u, WriteBatchInternal::Count(&batch));
}

// SetContents of an encoded batch reproduces it; a contents shorter than the header is rejected.
TEST(WriteBatchTest, SetContentsRoundTrip) {
  WriteBatch original = ThreeEntryBatch();
  WriteBatchInternal::SetSequence(&original, 77);
  WriteBatch copy;
  ASSERT_TRUE(WriteBatchInternal::SetContents(&copy, WriteBatchInternal::Contents(&original)).ok());
  EXPECT_EQ(77u, WriteBatchInternal::Sequence(&copy));
  EXPECT_EQ(3u, copy.Count());
  Status status;
  EXPECT_EQ("Put(foo, bar)Delete(box)Put(baz, boo)", Replay(copy, &status));
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(WriteBatchInternal::SetContents(&copy, std::string(11, '\0')).IsCorruption());
}

// Every strict prefix of a valid batch (header intact) is Corruption, never a crash.
TEST(WriteBatchTest, TruncatedIsCorruption) {
  WriteBatch batch = ThreeEntryBatch();
  const std::string_view contents = WriteBatchInternal::Contents(&batch);
  for (size_t length = kWriteBatchHeaderBytes; length < contents.size(); length++) {
    SCOPED_TRACE(length);
    ExpectCorrupt(contents.substr(0, length));
  }
}

// An entry tag other than kValue or kDeletion is Corruption.
TEST(WriteBatchTest, BadTagIsCorruption) {
  WriteBatch batch = ThreeEntryBatch();
  std::string contents(WriteBatchInternal::Contents(&batch));
  contents[kWriteBatchHeaderBytes] = 0x7;
  ExpectCorrupt(contents);
}

// A count that disagrees with the entries, in either direction, is Corruption.
TEST(WriteBatchTest, WrongCountIsCorruption) {
  WriteBatch batch = ThreeEntryBatch();
  std::string contents(WriteBatchInternal::Contents(&batch));
  for (uint32_t count : {0u, 2u, 4u, 0xffffffffu}) {
    SCOPED_TRACE(count);
    EncodeFixed32(contents.data() + kWriteBatchCountOffset, count);
    ExpectCorrupt(contents);
  }
}

// Trailing garbage after the counted entries, or a length running past the end, is Corruption.
TEST(WriteBatchTest, TrailingBytesAndOverlongLengthAreCorruption) {
  WriteBatch batch = ThreeEntryBatch();
  std::string contents(WriteBatchInternal::Contents(&batch));
  ExpectCorrupt(contents + "x");
  contents[kWriteBatchHeaderBytes + 1] = 0x7f;  // foo's key length now exceeds the batch.
  ExpectCorrupt(contents);
}

// Append concatenates entries, sums the counts and keeps the destination's sequence.
TEST(WriteBatchTest, Append) {
  WriteBatch dst;
  WriteBatchInternal::SetSequence(&dst, 200);
  WriteBatch src;
  WriteBatchInternal::SetSequence(&src, 100);
  WriteBatchInternal::Append(&dst, &src);
  EXPECT_EQ(0u, dst.Count());
  src.Put("a", "va");
  WriteBatchInternal::Append(&dst, &src);
  src.Clear();
  src.Delete("b");
  src.Put("c", "vc");
  WriteBatchInternal::Append(&dst, &src);
  EXPECT_EQ(3u, dst.Count());
  EXPECT_EQ(200u, WriteBatchInternal::Sequence(&dst));
  Status status;
  EXPECT_EQ("Put(a, va)Delete(b)Put(c, vc)", Replay(dst, &status));
  EXPECT_TRUE(status.ok());
}

// InsertInto gives entries consecutive sequences from the batch's sequence, so a read at each
// sequence sees exactly the entries up to it.
TEST(WriteBatchTest, InsertIntoMemTable) {
  WriteBatch batch;
  batch.Put("k", "v1");
  batch.Delete("k");
  batch.Put("k", "v3");
  batch.Put("other", "o");
  WriteBatchInternal::SetSequence(&batch, 10);
  auto* mem = new MemTable;
  mem->Ref();
  ASSERT_TRUE(WriteBatchInternal::InsertInto(&batch, mem).ok());
  EXPECT_EQ(4u, mem->NumEntries());
  std::string value;
  bool deleted = false;
  SequenceNumber seq = 0;
  EXPECT_FALSE(mem->Get(LookupKey("k", 9), &value, &deleted, &seq));
  ASSERT_TRUE(mem->Get(LookupKey("k", 10), &value, &deleted, &seq));
  EXPECT_EQ("v1", value);
  ASSERT_TRUE(mem->Get(LookupKey("k", 11), &value, &deleted, &seq));
  EXPECT_TRUE(deleted);
  EXPECT_EQ(11u, seq);
  ASSERT_TRUE(mem->Get(LookupKey("k", 12), &value, &deleted, &seq));
  EXPECT_FALSE(deleted);
  EXPECT_EQ("v3", value);
  ASSERT_TRUE(mem->Get(LookupKey("other", 13), &value, &deleted, &seq));
  EXPECT_EQ(13u, seq);
  mem->Unref();
}

// A corrupt batch, or one whose sequences would pass kMaxSequenceNumber, adds nothing.
TEST(WriteBatchTest, InsertIntoRejectsCorruptBatch) {
  auto* mem = new MemTable;
  mem->Ref();
  WriteBatch batch = ThreeEntryBatch();
  std::string contents(WriteBatchInternal::Contents(&batch));
  contents.pop_back();
  ASSERT_TRUE(WriteBatchInternal::SetContents(&batch, contents).ok());
  EXPECT_TRUE(WriteBatchInternal::InsertInto(&batch, mem).IsCorruption());

  WriteBatch overflowing = ThreeEntryBatch();
  WriteBatchInternal::SetSequence(&overflowing, kMaxSequenceNumber - 1);
  EXPECT_TRUE(WriteBatchInternal::InsertInto(&overflowing, mem).IsCorruption());
  EXPECT_EQ(0u, mem->NumEntries());
  mem->Unref();
}

}  // namespace
}  // namespace engine
