#include "harness/drivers/quiescence.h"

#include <gtest/gtest.h>

#include "engine/file_system.h"
#include "harness/process/leak_on_purpose.h"
#include "stores/registry.h"

namespace harness::drivers {
namespace {

// A vstress store in memory, background work only when stepped.
std::unique_ptr<stores::Store> OpenMemStore() {
  stores::StoreConfig config;
  config.file_system = engine::NewMemFileSystem();
  config.engine.background = engine::BackgroundMode::kManual;
  auto opened = stores::FindStore("vstress")->open(config, "/db");
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Proves: a DB whose Versions drain closes, and nothing is reported.
TEST(CloseCheckedTest, ClosesADbThatDrains) {
  std::unique_ptr<stores::Store> db = OpenMemStore();
  ASSERT_NE(db, nullptr);
  const stores::BatchEntry put{false, "k", "v"};
  stores::SequenceNumber voided = 0;
  ASSERT_TRUE(db->Write(false, {&put, 1}, &voided).ok());
  { auto it = db->NewIterator(stores::ReadOptions()); }
  model::RunState run(/*keep_going=*/true, engine::RealClock().get());
  EXPECT_TRUE(CloseChecked(&db, "end of run", &run));
  EXPECT_EQ(db, nullptr);
  EXPECT_EQ(run.violation_count(), 0u);
}

// Proves: a Version reference that was never released (a leaked iterator) is an invariant
// violation naming the Version, and the DB is left open — closing it would abort inside the
// engine (~VersionSet), which would lose the run's outputs.
TEST(CloseCheckedTest, ALeakedReferenceIsAViolationNotAnAbort) {
  std::unique_ptr<stores::Store> db = OpenMemStore();
  ASSERT_NE(db, nullptr);
  const stores::BatchEntry put{false, "k", "v"};
  stores::SequenceNumber voided = 0;
  ASSERT_TRUE(db->Write(false, {&put, 1}, &voided).ok());
  // Never destroyed: its read view pins the current Version for good.
  process::LeakOnPurpose(db->NewIterator(stores::ReadOptions()).release());
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
