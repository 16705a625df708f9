#include "harness/model/run_state.h"

#include <gtest/gtest.h>

namespace harness::model {
namespace {

TEST(LatencyBucketTest, EachOpLandsInTheFirstBucketAtOrAboveIt) {
  EXPECT_EQ(LatencyBucket(0), 0u);
  EXPECT_EQ(LatencyBucket(1000), 0u);  // 1 µs: le=1e-06
  EXPECT_EQ(LatencyBucket(1001), 1u);  // just over: le=2e-06
  EXPECT_EQ(LatencyBucket(2000), 1u);
  EXPECT_EQ(LatencyBucket(2001), 2u);
  EXPECT_EQ(LatencyBucket(1'000'000), 10u);  // 1 ms <= 1024 µs
  for (uint64_t nanos : {1ull, 999ull, 1500ull, 3000ull, 70'000ull, 5'000'000ull}) {
    const size_t b = LatencyBucket(nanos);
    EXPECT_LE(static_cast<double>(nanos) * 1e-9, reports::LatencyBound(b) + 1e-12) << nanos;
    if (b > 0) {
      EXPECT_GT(static_cast<double>(nanos) * 1e-9, reports::LatencyBound(b - 1) - 1e-9);
    }
  }
  EXPECT_EQ(LatencyBucket(3'000'000'000ull), reports::kLatencyBounds);  // 3 s: +Inf
}

TEST(ResultOfTest, NamesEachWayAnOpEnds) {
  EXPECT_EQ(ResultOf(engine::Status::Ok()), OpResult::kOk);
  EXPECT_EQ(ResultOf(engine::Status::NotFound("k")), OpResult::kNotFound);
  EXPECT_EQ(ResultOf(engine::Status::IOError("disk")), OpResult::kError);
  EXPECT_EQ(ResultOf(engine::Status::IOError("disk").MarkInjected()), OpResult::kInjectedError);
}

TEST(RunStateTest, SnapshotSumsEveryThreadsOpsLatencyChecksAndViolations) {
  RunState run(/*keep_going=*/true, engine::RealClock().get());
  ThreadState* a = run.NewThread("reader-0");
  ThreadState* b = run.NewThread("writer-0");
  a->RecordOp(OpKind::kGet, OpResult::kOk, 500);
  a->RecordOp(OpKind::kGet, OpResult::kNotFound, 3000);
  b->RecordOp(OpKind::kPut, OpResult::kInjectedError, 2'000'000);
  a->Count(kReadsChecked, 2);
  Violation v;
  v.kind = "scan";
  run.Report(v, a);
  run.Report(v, nullptr);

  reports::MetricsSnapshot m;
  run.Snapshot(&m);
  const auto get = static_cast<size_t>(OpKind::kGet);
  const auto put = static_cast<size_t>(OpKind::kPut);
  EXPECT_EQ(m.ops[get][static_cast<size_t>(OpResult::kOk)], 1u);
  EXPECT_EQ(m.ops[get][static_cast<size_t>(OpResult::kNotFound)], 1u);
  EXPECT_EQ(m.ops[put][static_cast<size_t>(OpResult::kInjectedError)], 1u);
  EXPECT_EQ(m.latency[get].count(), 2u);
  EXPECT_EQ(m.latency[get].buckets[0], 1u);
  EXPECT_EQ(m.latency[get].buckets[2], 1u);
  EXPECT_NEAR(m.latency[put].sum_seconds, 0.002, 1e-12);
  EXPECT_EQ(m.reads_checked.at("point_read"), 2u);
  EXPECT_EQ(m.violations.at("scan"), 2u);
  EXPECT_EQ(m.OpsTotal(), 3u);
  EXPECT_EQ(m.OpsOf(OpKind::kGet), 2u);
}

}  // namespace
}  // namespace harness::model
