// Concurrency tests of Version reference counting: readers hold iterators and snapshots across many
// forced compactions while writers run. Run under ThreadSanitizer by `make test`.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "engine/db.h"
#include "engine/testing.h"
#include "tests/engine/db_test_util.h"

namespace vstress_test {
namespace {

using engine::DB;
using engine::ReadOptions;
using engine::SequenceNumber;
using engine::WriteOptions;

constexpr int kKeys = 600;
constexpr int kCompactions = 25;
constexpr int kIteratorThreads = 4;
constexpr int kSnapshotThreads = 2;
constexpr int kGetThreads = 2;
constexpr int kWriterThreads = 2;

struct Write {
  SequenceNumber seq;
  std::string key;
  std::optional<std::string> value;  // nullopt: delete
};

// What a reader saw at one sequence number: a whole scan, or one Get.
struct Observation {
  SequenceNumber seq;
  bool is_scan;
  Model scan;
  std::string key;
  std::optional<std::string> value;
  std::string who;
};

class Recorder {
 public:
  void AddWrites(std::vector<Write> w) {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& x : w) writes_.push_back(std::move(x));
  }
  void AddObservations(std::vector<Observation> o) {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& x : o) observations_.push_back(std::move(x));
  }
  // Replays the writes in sequence order and compares every observation with the state at its
  // sequence number. Returns the number of mismatches (each printed).
  int Verify() {
    std::sort(writes_.begin(), writes_.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
    for (size_t i = 0; i < writes_.size(); i++) {
      EXPECT_EQ(i + 1, writes_[i].seq) << "sequence numbers must be dense and unique";
    }
    std::sort(observations_.begin(), observations_.end(),
              [](auto& a, auto& b) { return a.seq < b.seq; });
    Model state;
    size_t next = 0;
    int mismatches = 0;
    for (const auto& o : observations_) {
      for (; next < writes_.size() && writes_[next].seq <= o.seq; next++) {
        if (writes_[next].value) {
          state[writes_[next].key] = *writes_[next].value;
        } else {
          state.erase(writes_[next].key);
        }
      }
      if (o.is_scan && o.scan != state) {
        ADD_FAILURE() << o.who << " scan at seq " << o.seq << " saw " << o.scan.size()
                      << " keys, state has " << state.size();
        mismatches++;
      } else if (!o.is_scan) {
        auto it = state.find(o.key);
        std::optional<std::string> expected;
        if (it != state.end()) expected = it->second;
        if (expected != o.value) {
          ADD_FAILURE() << o.who << " get " << o.key << " at seq " << o.seq << " saw "
                        << o.value.value_or("<none>") << " expected "
                        << expected.value_or("<none>");
          mismatches++;
        }
      }
    }
    return mismatches;
  }
  size_t observations() const { return observations_.size(); }

 private:
  std::mutex mu_;
  std::vector<Write> writes_;
  std::vector<Observation> observations_;
};

void WriterLoop(DB* db, int id, const std::atomic<bool>* stop, Recorder* rec) {
  std::mt19937 rng(1000 + id);
  std::vector<Write> log;
  for (uint64_t n = 0; !stop->load(); n++) {
    const std::string key = Key(static_cast<int>(rng() % kKeys));
    if (rng() % 5 == 0) {
      auto seq = db->Delete(WriteOptions(), key);
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      log.push_back({seq.value(), key, std::nullopt});
    } else {
      const std::string value =
          "w" + std::to_string(id) + "." + std::to_string(n) + std::string(40, 'x');
      auto seq = db->Put(WriteOptions(), key, value);
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      log.push_back({seq.value(), key, value});
    }
  }
  rec->AddWrites(std::move(log));
}

// Holds an iterator for a long time, stepping slowly in one direction, across compactions.
void IteratorLoop(DB* db, int id, const std::atomic<bool>* stop, Recorder* rec) {
  std::vector<Observation> seen;
  for (int round = 0; !stop->load(); round++) {
    auto it = db->NewIterator(ReadOptions());
    Observation o{it->sequence(), true, {}, {}, {}, "iterator" + std::to_string(id)};
    const bool forward = (round + id) % 2 == 0;
    int steps = 0;
    for (forward ? it->SeekToFirst() : it->SeekToLast(); it->Valid();
         forward ? it->Next() : it->Prev()) {
      o.scan.emplace(std::string(it->key()), std::string(it->value()));
      if (++steps % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    seen.push_back(std::move(o));
  }
  rec->AddObservations(std::move(seen));
}

// Takes a snapshot, reads through it with Gets and a scan spread over time, then releases it.
void SnapshotLoop(DB* db, int id, const std::atomic<bool>* stop, Recorder* rec) {
  std::mt19937 rng(2000 + id);
  std::vector<Observation> seen;
  while (!stop->load()) {
    const engine::Snapshot* snap = db->GetSnapshot();
    ReadOptions ro;
    ro.snapshot = snap;
    for (int i = 0; i < 200; i++) {
      const std::string key = Key(static_cast<int>(rng() % kKeys));
      std::string value;
      SequenceNumber observed = 0;
      engine::Status s = db->Get(ro, key, &value, &observed);
      ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
      ASSERT_EQ(snap->sequence(), observed);
      seen.push_back({observed,
                      false,
                      {},
                      key,
                      s.ok() ? std::optional(value) : std::nullopt,
                      "snapshot" + std::to_string(id)});
      if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    auto it = db->NewIterator(ro);
    seen.push_back(
        {snap->sequence(), true, ReadAll(it.get()), {}, {}, "snapshot-scan" + std::to_string(id)});
    it.reset();
    db->ReleaseSnapshot(snap);
  }
  rec->AddObservations(std::move(seen));
}

void GetLoop(DB* db, int id, const std::atomic<bool>* stop, Recorder* rec) {
  std::mt19937 rng(3000 + id);
  std::vector<Observation> seen;
  while (!stop->load()) {
    const std::string key = Key(static_cast<int>(rng() % kKeys));
    std::string value;
    SequenceNumber observed = 0;
    engine::Status s = db->Get(ReadOptions(), key, &value, &observed);
    ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
    seen.push_back({observed,
                    false,
                    {},
                    key,
                    s.ok() ? std::optional(value) : std::nullopt,
                    "get" + std::to_string(id)});
  }
  rec->AddObservations(std::move(seen));
}

// What the live-table check (engine::testing::CheckLiveTablesExist) saw over the test.
struct FileCheck {
  uint64_t versions_checked = 0;
  uint64_t max_live_versions = 0;
  uint64_t max_deferred = 0;
  std::vector<std::string> missing;
};

void CheckLiveFilesOnce(DB* db, FileCheck* check) {
  const auto live = engine::testing::CheckLiveTablesExist(db);
  check->versions_checked += live.versions_checked;
  for (const auto& m : live.missing) {
    check->missing.push_back(engine::testing::TableFileName(m.number));
  }
  const auto stats = db->GetStats();
  check->max_live_versions = std::max<uint64_t>(check->max_live_versions, stats.live_versions);
  check->max_deferred = std::max<uint64_t>(check->max_deferred, stats.deferred_deletions);
}

// 8 readers hold iterators and snapshots across 25 forced compactions while 2 writers run: every
// scan and Get equals the write log's state at its sequence, no live Version's table is ever
// missing, and at the end exactly one Version lives, nothing is deferred, no stray table remains.
TEST(VersionRefcountConcurrencyTest, ReadersHoldViewsAcrossForcedCompactions) {
  TempDir dir;
  std::unique_ptr<DB> db = OpenOrDie(SmallOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  Recorder rec;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriterThreads; i++)
    threads.emplace_back(WriterLoop, db.get(), i, &stop, &rec);
  for (int i = 0; i < kIteratorThreads; i++) {
    threads.emplace_back(IteratorLoop, db.get(), i, &stop, &rec);
  }
  for (int i = 0; i < kSnapshotThreads; i++) {
    threads.emplace_back(SnapshotLoop, db.get(), i, &stop, &rec);
  }
  for (int i = 0; i < kGetThreads; i++) threads.emplace_back(GetLoop, db.get(), i, &stop, &rec);

  FileCheck check;
  for (int c = 0; c < kCompactions; c++) {
    // Not an ASSERT: returning here would destroy the running threads unjoined.
    const engine::Status compacted = db->CompactRange("", "");
    EXPECT_TRUE(compacted.ok()) << compacted.ToString();
    if (!compacted.ok()) break;
    CheckLiveFilesOnce(db.get(), &check);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CheckLiveFilesOnce(db.get(), &check);
  }
  stop.store(true);
  for (auto& t : threads) t.join();

  EXPECT_TRUE(check.missing.empty()) << "first missing table: " << check.missing.front();
  EXPECT_GT(check.versions_checked, 0u);
  // The scenario really happened: older Versions were pinned and their tables deferred.
  EXPECT_GE(check.max_live_versions, 2u);
  EXPECT_GE(db->GetStats().compactions, static_cast<uint64_t>(kCompactions));
  EXPECT_EQ(0, rec.Verify());
  EXPECT_GT(rec.observations(), 100u);

  ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
  const auto stats = db->GetStats();
  EXPECT_EQ(1u, stats.live_versions);
  EXPECT_EQ(0u, stats.deferred_deletions);
  EXPECT_EQ(0u, stats.deferred_deletion_bytes);
  EXPECT_EQ(0u, engine::testing::RefcountUnderflows(db.get()));
  EXPECT_EQ(SortedExpectedFiles(db.get()), ListDir(dir.path()));
}

// Deferred deletion under contention: tables are deferred while iterators hold them and all are
// deleted once the last iterator goes, with many iterators released from different threads.
TEST(VersionRefcountConcurrencyTest, LastReleaseFromAnyThreadDeletesDeferredTables) {
  TempDir dir;
  std::unique_ptr<DB> db = OpenOrDie(SmallOptions(), dir.path());
  ASSERT_NE(nullptr, db);
  uint64_t max_deferred = 0;
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 300; i++) {
      ASSERT_TRUE(db->Put(WriteOptions(), Key(i), "r" + std::to_string(round)).ok());
    }
    std::vector<std::unique_ptr<engine::Iterator>> held;
    for (int i = 0; i < 8; i++) held.push_back(db->NewIterator(ReadOptions()));
    ASSERT_TRUE(db->CompactRange("", "").ok());
    max_deferred = std::max(max_deferred, db->GetStats().deferred_deletions);
    std::vector<std::thread> releasers;
    for (auto& it : held) {
      releasers.emplace_back([it = std::move(it), round]() mutable {
        auto all = ReadAll(it.get());
        EXPECT_EQ(300u, all.size());
        // The iterator was taken after this round's puts returned: it sees only this round.
        for (const auto& [k, v] : all) EXPECT_EQ("r" + std::to_string(round), v) << k;
        it.reset();
      });
    }
    for (auto& t : releasers) t.join();
    ASSERT_TRUE(db->WaitForBackgroundIdle().ok());
    EXPECT_EQ(0u, db->GetStats().deferred_deletions) << "round " << round;
  }
  EXPECT_GE(max_deferred, 1u);
  EXPECT_EQ(1u, db->GetStats().live_versions);
}

}  // namespace
}  // namespace vstress_test
