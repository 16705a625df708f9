// Unit tests of FaultController: trigger semantics, determinism, windows, and libfiu wiring.
#include "faults/fault_controller.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/db.h"

namespace faults {
namespace {

FaultControllerOptions WithRules(uint64_t seed, std::initializer_list<const char*> texts) {
  FaultControllerOptions o;
  o.seed = seed;
  for (const char* t : texts) {
    auto r = ParseRule(t);
    EXPECT_TRUE(r.ok()) << t;
    o.rules.push_back(r.value());
  }
  return o;
}

// Hits 1..n of `point`, returning the hit numbers that fired.
std::vector<uint64_t> FiredHits(FaultController* c, const char* point, int n) {
  std::vector<uint64_t> fired;
  for (int hit = 1; hit <= n; hit++) {
    if (c->OnHit(point)) fired.push_back(hit);
  }
  return fired;
}

// nth fires exactly at that hit, every at each multiple, from at that hit and after, once
// exactly once.
TEST(FaultControllerTest, TriggersFireAtTheRightHits) {
  FaultController c(WithRules(1, {"fs/wal/append:error:nth=3", "fs/wal/sync:error:every=4",
                                  "fs/table/sync:error:once", "fs/current/sync:error:from=8"}));
  EXPECT_EQ(std::vector<uint64_t>({8, 9, 10}), FiredHits(&c, "fs/current/sync", 10));
  EXPECT_EQ(std::vector<uint64_t>({3}), FiredHits(&c, "fs/wal/append", 10));
  EXPECT_EQ(std::vector<uint64_t>({4, 8}), FiredHits(&c, "fs/wal/sync", 10));
  EXPECT_EQ(std::vector<uint64_t>({1}), FiredHits(&c, "fs/table/sync", 10));
  EXPECT_EQ(std::vector<uint64_t>{}, FiredHits(&c, "fs/manifest/sync", 10));
  EXPECT_EQ(7u, c.fires_total());
  auto counts = c.Counts();
  EXPECT_EQ(10u, counts["fs/wal/sync"].hits);
  EXPECT_EQ(2u, counts["fs/wal/sync"].fires_by_action["error"]);
}

// During a recovery the rules are off; every fs/ hit counts, and the armed one fires.
TEST(FaultControllerTest, RecoveryFaultFiresAtItsHitOfAnyFsPoint) {
  FaultController c(WithRules(1, {"fs/wal/append:error:from=1"}));
  c.BeginRecovery(RecoveryFault{3, Action::kCrash});
  EXPECT_EQ(std::nullopt, c.OnHit("fs/wal/append"));  // the run's rule does not fire
  EXPECT_EQ(std::nullopt, c.OnHit("fs/manifest/append"));
  EXPECT_EQ(std::optional<Action>(Action::kCrash), c.OnHit("fs/current/sync"));
  EXPECT_EQ(std::nullopt, c.OnHit("fs/table/sync"));
  const RecoveryHits hits = c.EndRecovery();
  EXPECT_EQ(4u, hits.hits);
  EXPECT_EQ("fs/current/sync", hits.fired_point);
  EXPECT_EQ(1u, c.Counts()["fs/current/sync"].fires_by_action["crash"]);
  // After it the run's rules fire again.
  EXPECT_EQ(std::optional<Action>(Action::kError), c.OnHit("fs/wal/append"));
  c.BeginRecovery(std::nullopt);
  EXPECT_EQ(std::nullopt, c.OnHit("fs/wal/append"));
  EXPECT_EQ(1u, c.EndRecovery().hits);
}

// The same seed fires at the same hits; another seed fires elsewhere; the rate matches p.
TEST(FaultControllerTest, ProbabilityIsSeededAndReproducible) {
  FaultController a(WithRules(42, {"fs/wal/append:error:p=0.1"}));
  FaultController b(WithRules(42, {"fs/wal/append:error:p=0.1"}));
  FaultController other(WithRules(43, {"fs/wal/append:error:p=0.1"}));
  const auto fired_a = FiredHits(&a, "fs/wal/append", 5000);
  EXPECT_EQ(fired_a, FiredHits(&b, "fs/wal/append", 5000));
  EXPECT_NE(fired_a, FiredHits(&other, "fs/wal/append", 5000));
  EXPECT_GT(fired_a.size(), 400u);
  EXPECT_LT(fired_a.size(), 600u);
}

// A path glob limits an fs/ rule to matching files (by full path or base name); hits still count
// per point.
TEST(FaultControllerTest, PathGlobSelectsFiles) {
  FaultController c(WithRules(1, {"fs/table/sync:error:every=1@path=*000012.sst"}));
  EXPECT_FALSE(c.OnHit("fs/table/sync", "/db/000011.sst"));
  EXPECT_TRUE(c.OnHit("fs/table/sync", "/db/000012.sst"));
  EXPECT_FALSE(c.OnHit("fs/table/sync", "/db/000013.sst"));
  EXPECT_EQ(3u, c.Counts()["fs/table/sync"].hits);
}

// An op window holds a rule back until the op index enters it.
TEST(FaultControllerTest, OpWindowGatesFires) {
  FaultController c(WithRules(1, {"fs/wal/append:error:every=1@after_ops=100,before_ops=200"}));
  c.SetOpIndex(50);
  EXPECT_FALSE(c.OnHit("fs/wal/append"));
  c.SetOpIndex(150);
  EXPECT_TRUE(c.OnHit("fs/wal/append"));
  c.SetOpIndex(200);
  EXPECT_FALSE(c.OnHit("fs/wal/append"));
}

// Installed rules reach the engine through libfiu: the injected errno picks the Status code, the
// Status is flagged injected, each fire is logged, and Uninstall stops the faults.
TEST(FaultControllerTest, InstalledRulesFailEngineWritesWithInjectedStatus) {
  // Named by pid: two test runs on one machine must not share a directory.
  const std::string dir = ::testing::TempDir() + "fault-controller-db-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  const std::string log = dir + ".faults.log";
  auto options = WithRules(7, {"engine/wal/append:nospace:nth=2"});
  options.log_path = log;
  auto opened = engine::DB::Open(engine::Options(), dir);
  ASSERT_TRUE(opened.ok());
  auto db = std::move(opened).value();
  {
    FaultController c(options);
    ASSERT_TRUE(c.Install().ok());
    EXPECT_TRUE(db->Put(engine::WriteOptions(), "a", "1").ok());
    auto failed = db->Put(engine::WriteOptions(), "b", "2");
    ASSERT_FALSE(failed.ok());
    EXPECT_TRUE(failed.status().IsNoSpace()) << failed.status().ToString();
    EXPECT_TRUE(failed.status().injected());
    EXPECT_EQ(1u, c.fires_total());
    ASSERT_EQ(1u, c.Fires().size());
    EXPECT_EQ("engine/wal/append", c.Fires()[0].point);
    EXPECT_EQ(2u, c.Fires()[0].hit);
  }
  std::string value;
  EXPECT_TRUE(db->Get(engine::ReadOptions(), "b", &value).IsNotFound());
  std::ifstream in(log);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(std::string::npos, line.find("point=engine/wal/append hit=2 action=nospace")) << line;
  db.reset();
  std::filesystem::remove_all(dir);
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace faults
