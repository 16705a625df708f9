// Unit tests of ops as values: the one-line text form and its parser.
#include "workloads/op.h"

#include <gtest/gtest.h>

#include "workloads/read_op_generator.h"
#include "workloads/value.h"
#include "workloads/write_op_generator.h"

namespace workloads {
namespace {

Op Put(std::string key, std::string value) {
  Op op;
  op.kind = Op::Kind::kPut;
  op.key = std::move(key);
  op.value = std::move(value);
  return op;
}

Op KeyOp(Op::Kind kind, std::string key) {
  Op op;
  op.kind = kind;
  op.key = std::move(key);
  return op;
}

void ExpectRoundTrip(const Op& op) {
  const std::string text = ToString(op);
  engine::Result<Op> parsed = ParseOp(text);
  ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  EXPECT_TRUE(parsed.value() == op) << text << " -> " << ToString(parsed.value());
}

// Each kind prints in the documented form.
TEST(OpTest, PrintsDocumentedForms) {
  EXPECT_EQ("put k00000042 v7.3", ToString(Put("k00000042", "v7.3")));
  EXPECT_EQ("put k00000042 v7.3/120 sync", [] {
    Op op = Put("k00000042", MakeValue(7, 3, 120));
    op.sync = true;
    return ToString(op);
  }());
  EXPECT_EQ("delete k00000007", ToString(KeyOp(Op::Kind::kDelete, "k00000007")));
  Op batch;
  batch.kind = Op::Kind::kBatch;
  batch.batch = {Put("k1", "v1.2"), KeyOp(Op::Kind::kDelete, "k3")};
  EXPECT_EQ("batch [put k1 v1.2; delete k3]", ToString(batch));
  EXPECT_EQ("get k00000042", ToString(KeyOp(Op::Kind::kGet, "k00000042")));
  Op scan;
  scan.kind = Op::Kind::kScan;
  scan.start_key = "k00000010";
  scan.steps = 100;
  EXPECT_EQ("scan k00000010 fwd 100", ToString(scan));
  EXPECT_EQ("snapshot-get k00000001", ToString(KeyOp(Op::Kind::kSnapshotGet, "k00000001")));
}

// Every kind parses back to an equal op, including odd keys and values that are not ours.
TEST(OpTest, EveryKindRoundTrips) {
  Op sync_delete = KeyOp(Op::Kind::kDelete, "k00000007");
  sync_delete.sync = true;
  Op batch;
  batch.kind = Op::Kind::kBatch;
  batch.sync = true;
  batch.batch = {Put("k00000001", MakeValue(2, 9, 40)), KeyOp(Op::Kind::kDelete, "k00000003"),
                 Put("key with spaces", "literal value")};
  Op empty_batch;
  empty_batch.kind = Op::Kind::kBatch;
  Op scan;
  scan.kind = Op::Kind::kScan;
  scan.start_key = "k00000010";
  scan.reverse = true;
  scan.steps = 18446744073709551615ULL;
  for (const Op& op :
       {Put("k00000042", MakeValue(7, 3, 120)), Put("k1", "v1.2"), Put("k1", ""),
        Put("k1", "hello"), Put("k1", "v7.3/120"), Put("", "v1.1"),
        Put(std::string("bin\0\x01\xff\"\\;[]//", 14), std::string("\n\t\x7f", 3)), Put("//", "ok"),
        sync_delete, batch, empty_batch, KeyOp(Op::Kind::kGet, "k00000042"),
        KeyOp(Op::Kind::kSnapshotGet, "k00000001"), scan}) {
    ExpectRoundTrip(op);
  }
}

// Results and whole history lines print as documented and parse back.
TEST(OpTest, RecordsRoundTrip) {
  for (const char* line : {
           "put k00000042 v7.3 // ok seq=1187",
           "get k00000042 // v7.3 seq=1187",
           "delete k00000007 // ok seq=1190",
           "get k00000009 // not-found seq=1191",
           "scan k00000010 rev 100 // ok keys=100 seq=1194",
           "get k00000001 // \"not ours\" seq=3",
           "put k00000005 v1.4/16 sync // error \"IOError: injected fault at engine/wal/append\" "
           "injected",
           "get \"a // b\" // ok",
       }) {
    engine::Result<OpRecord> record = ParseOpRecord(line);
    ASSERT_TRUE(record.ok()) << line << ": " << record.status().ToString();
    EXPECT_EQ(line, ToString(record.value()));
  }
  const OpResult error =
      OpResult::FromError(engine::Status::IOError("disk on fire").MarkInjected());
  EXPECT_EQ(OpResult::Kind::kError, error.kind);
  EXPECT_TRUE(error.injected);
  EXPECT_TRUE(ParseOpResult(ToString(error)).value() == error);
}

// Malformed text is refused, naming the text and what is wrong.
TEST(OpTest, RejectsMalformedText) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : {
           Case{"frobnicate k1", "unknown op 'frobnicate'"},
           Case{"put k1", "is not a value"},
           Case{"put k1 hello", "'hello' is not a value"},
           Case{"scan k1 sideways 3", "expected fwd or rev"},
           Case{"scan k1 fwd many", "expected a step count"},
           Case{"batch [get k1]", "a batch holds puts and deletes"},
           Case{"batch [put k1 v1.1", "expected ';' or ']'"},
           Case{"get \"unterminated", "unterminated quoted string"},
           Case{"get \"bad \\q escape\"", "bad escape"},
           Case{"get k1 k2", "unexpected 'k2' after the op"},
           Case{"get", "expected a key"},
           Case{"get k1 sync", "unexpected 'sync'"},
       }) {
    engine::Result<Op> op = ParseOp(c.text);
    ASSERT_FALSE(op.ok()) << c.text;
    EXPECT_TRUE(op.status().IsInvalidArgument());
    EXPECT_TRUE(op.status().message().starts_with(std::string("op '") + c.text + "': "))
        << op.status().message();
    EXPECT_NE(std::string::npos, op.status().message().find(c.says)) << op.status().message();
  }
  EXPECT_FALSE(ParseOpRecord("get k1").ok());
  EXPECT_FALSE(ParseOpRecord("get k1 // maybe").ok());
  EXPECT_FALSE(ParseOpRecord("get k1 // ok seq=x").ok());
}

// Every op the generators produce survives the text round trip.
TEST(OpTest, GeneratedOpsRoundTrip) {
  WorkloadSpec spec;
  spec.distribution = KeyDistribution::kZipfian;
  spec.writers.batch_weight = 1;
  WriteOpGenerator writer(spec, 3, 17);
  ReadOpGenerator reader(spec, 18);
  for (int i = 0; i < 2000; i++) {
    ExpectRoundTrip(writer.Next());
    ExpectRoundTrip(reader.NextGet());
    ExpectRoundTrip(reader.NextScan());
    ExpectRoundTrip(reader.NextSnapshotGet());
  }
}

}  // namespace
}  // namespace workloads
