// Unit tests of the op generators: weights, ratios, bounds, unique values and determinism.
#include "workloads/write_op_generator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "workloads/read_op_generator.h"
#include "workloads/value.h"

namespace workloads {
namespace {

WorkloadSpec WriterSpecWith(double put, double del, double batch) {
  WorkloadSpec spec;
  spec.writers.put_weight = put;
  spec.writers.delete_weight = del;
  spec.writers.batch_weight = batch;
  spec.writers.sync_ratio = 0.1;
  spec.writers.batch_ops_max = 5;
  spec.value_bytes_min = 20;
  spec.value_bytes_max = 50;
  EXPECT_TRUE(spec.Validate().ok());
  return spec;
}

// Ops come in the proportions of the weights, and syncs at the sync ratio.
TEST(WriteOpGeneratorTest, RespectsWeightsAndSyncRatio) {
  WriteOpGenerator generator(WriterSpecWith(0.5, 0.3, 0.2), 1, 42);
  std::map<Op::Kind, int> kinds;
  int syncs = 0;
  const int ops = 40000;
  for (int i = 0; i < ops; i++) {
    const Op op = generator.Next();
    kinds[op.kind]++;
    syncs += op.sync;
  }
  EXPECT_NEAR(0.5, kinds[Op::Kind::kPut] / double{ops}, 0.015);
  EXPECT_NEAR(0.3, kinds[Op::Kind::kDelete] / double{ops}, 0.015);
  EXPECT_NEAR(0.2, kinds[Op::Kind::kBatch] / double{ops}, 0.015);
  EXPECT_NEAR(0.1, syncs / double{ops}, 0.01);
  EXPECT_EQ(3u, kinds.size());
}

// A zero weight is never chosen; a writer that only batches makes batches of puts.
TEST(WriteOpGeneratorTest, ZeroWeightsAreNeverChosen) {
  WriteOpGenerator puts_only(WriterSpecWith(1, 0, 0), 0, 1);
  WriteOpGenerator batches_only(WriterSpecWith(0, 0, 1), 0, 1);
  for (int i = 0; i < 2000; i++) {
    EXPECT_EQ(Op::Kind::kPut, puts_only.Next().kind);
    const Op batch = batches_only.Next();
    ASSERT_EQ(Op::Kind::kBatch, batch.kind);
    for (const Op& entry : batch.batch) EXPECT_EQ(Op::Kind::kPut, entry.kind);
  }
}

// Batches stay within batch_ops_max and hold puts and deletes in the put:delete proportion;
// values stay within the size bounds, carry the writer's id, and count puts from 1 without gaps.
TEST(WriteOpGeneratorTest, BoundsAndValueIds) {
  WriteOpGenerator generator(WriterSpecWith(0.2, 0.2, 0.6), 9, 5);
  std::map<Op::Kind, int> entry_kinds;
  std::set<uint64_t> batch_sizes;
  uint64_t expected_index = 1;
  auto check_put = [&](const Op& put) {
    EXPECT_GE(put.value.size(), 20u);
    EXPECT_LE(put.value.size(), 50u);
    uint32_t writer;
    uint64_t index;
    ASSERT_TRUE(ParseValueId(put.value, &writer, &index)) << put.value;
    EXPECT_EQ(9u, writer);
    EXPECT_EQ(expected_index++, index);
  };
  for (int i = 0; i < 10000; i++) {
    const Op op = generator.Next();
    if (op.kind == Op::Kind::kPut) check_put(op);
    if (op.kind != Op::Kind::kBatch) continue;
    batch_sizes.insert(op.batch.size());
    for (const Op& entry : op.batch) {
      entry_kinds[entry.kind]++;
      EXPECT_FALSE(entry.sync);
      if (entry.kind == Op::Kind::kPut) check_put(entry);
    }
  }
  EXPECT_EQ((std::set<uint64_t>{1, 2, 3, 4, 5}), batch_sizes);
  const double puts = entry_kinds[Op::Kind::kPut];
  EXPECT_NEAR(0.5, puts / (puts + entry_kinds[Op::Kind::kDelete]), 0.02);
  EXPECT_EQ(expected_index - 1, generator.puts_generated());
}

// The same (spec, writer, seed) gives the same ops; another seed or writer does not.
TEST(WriteOpGeneratorTest, DeterministicPerSeed) {
  const WorkloadSpec spec = WriterSpecWith(0.5, 0.3, 0.2);
  WriteOpGenerator a(spec, 1, 7);
  WriteOpGenerator b(spec, 1, 7);
  WriteOpGenerator other_seed(spec, 1, 8);
  WriteOpGenerator other_writer(spec, 2, 7);
  int same_as_other_seed = 0;
  for (int i = 0; i < 1000; i++) {
    const Op op = a.Next();
    EXPECT_TRUE(op == b.Next()) << i;
    same_as_other_seed += op == other_seed.Next();
    const Op theirs = other_writer.Next();
    if (op.kind == Op::Kind::kPut && theirs.kind == Op::Kind::kPut) {
      EXPECT_NE(op.value, theirs.value);
    }
  }
  EXPECT_LT(same_as_other_seed, 100);
}

// Under `latest`, puts insert at a frontier that moves forward one key at a time, and
// newest_key_index() reports it.
TEST(WriteOpGeneratorTest, LatestPutsAdvanceAFrontier) {
  WorkloadSpec spec = WriterSpecWith(1, 0, 0);
  spec.distribution = KeyDistribution::kLatest;
  spec.key_space = 100;
  WriteOpGenerator generator(spec, 0, 1);
  EXPECT_FALSE(generator.newest_key_index().has_value());
  uint64_t previous = 0;
  for (int i = 0; i < 300; i++) {
    const Op op = generator.Next();
    uint64_t key;
    ASSERT_TRUE(ParseKeyIndex(op.key, &key));
    if (i > 0) {
      EXPECT_EQ((previous + 1) % 100, key);
    }
    EXPECT_EQ(key, generator.newest_key_index());
    previous = key;
  }
}

// Scans run backward at the reverse ratio, plan 1..hold_steps_max steps, and replay per seed.
TEST(ReadOpGeneratorTest, ScansFollowTheSpec) {
  WorkloadSpec spec;
  spec.scanners.reverse_ratio = 0.3;
  spec.scanners.hold_steps_max = 10;
  ReadOpGenerator a(spec, 4);
  ReadOpGenerator b(spec, 4);
  int reverse = 0;
  std::set<uint64_t> steps;
  const int scans = 20000;
  for (int i = 0; i < scans; i++) {
    const Op scan = a.NextScan();
    EXPECT_TRUE(scan == b.NextScan());
    EXPECT_EQ(Op::Kind::kScan, scan.kind);
    reverse += scan.reverse;
    steps.insert(scan.steps);
  }
  EXPECT_NEAR(0.3, reverse / double{scans}, 0.015);
  EXPECT_EQ(10u, steps.size());
  EXPECT_EQ(1u, *steps.begin());
  EXPECT_EQ(10u, *steps.rbegin());
  EXPECT_EQ(Op::Kind::kGet, a.NextGet().kind);
  EXPECT_EQ(Op::Kind::kSnapshotGet, a.NextSnapshotGet().kind);
}

}  // namespace
}  // namespace workloads
