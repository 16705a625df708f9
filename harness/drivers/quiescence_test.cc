#include "harness/drivers/quiescence.h"

#include <gtest/gtest.h>

#include "engine/db.h"
#include "engine/file_system.h"
#include "engine/testing.h"
#include "harness/process/leak_on_purpose.h"

namespace harness::drivers {
namespace {

engine::Options MemOptions() {
  engine::Options o;
  o.file_system = engine::NewMemFileSystem();
  o.background = engine::BackgroundMode::kManual;
  return o;
}

// Proves: a DB whose Versions drain closes, and nothing is reported.
TEST(CloseCheckedTest, ClosesADbThatDrains) {
  auto opened = engine::DB::Open(MemOptions(), "/db");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<engine::DB> db = std::move(opened).value();
  ASSERT_TRUE(db->Put(engine::WriteOptions(), "k", "v").ok());
  { auto it = db->NewIterator(engine::ReadOptions()); }
  model::RunState run(/*keep_going=*/true, engine::RealClock().get());
  EXPECT_TRUE(CloseChecked(&db, "end of run", &run));
  EXPECT_EQ(db, nullptr);
  EXPECT_EQ(run.violation_count(), 0u);
}

// Proves: a Version reference that was never released (a leaked iterator) is an invariant
// violation naming the Version, and the DB is left open — closing it would abort inside the
// engine (~VersionSet), which would lose the run's outputs.
TEST(CloseCheckedTest, ALeakedReferenceIsAViolationNotAnAbort) {
  auto opened = engine::DB::Open(MemOptions(), "/db");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<engine::DB> db = std::move(opened).value();
  ASSERT_TRUE(db->Put(engine::WriteOptions(), "k", "v").ok());
  // Never destroyed: its read view pins the current Version for good.
  process::LeakOnPurpose(db->NewIterator(engine::ReadOptions()).release());
  model::RunState run(/*keep_going=*/true, engine::RealClock().get());
  EXPECT_FALSE(CloseChecked(&db, "end of run", &run));
  EXPECT_EQ(db, nullptr);  // let go of, not closed
  ASSERT_EQ(run.violation_count(), 1u);
  const reports::Violation v = run.violations().front();
  EXPECT_EQ(v.kind, "invariant");
  EXPECT_NE(v.message.find("end of run: closing the DB would leave 1 Version linked"),
            std::string::npos)
      << v.message;
  EXPECT_NE(v.message.find("(current) with 1 reference"), std::string::npos) << v.message;
  EXPECT_TRUE(run.stopping());
}

}  // namespace
}  // namespace harness::drivers
