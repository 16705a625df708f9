#include "stores/vstress/vstress_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>

#include "engine/db.h"
#include "engine/testing.h"
#include "workloads/value.h"

namespace stores::vstress {
namespace {

class VstressIterator final : public Iterator {
 public:
  explicit VstressIterator(std::unique_ptr<engine::Iterator> it) : it_(std::move(it)) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(target); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  Status status() const override { return it_->status(); }
  Position position() const override { return Position::Exact(it_->sequence()); }

 private:
  std::unique_ptr<engine::Iterator> it_;
};

class VstressSnapshot final : public Snapshot {
 public:
  VstressSnapshot(engine::DB* db, const engine::Snapshot* snapshot)
      : db_(db), snapshot_(snapshot) {}
  ~VstressSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  Position position() const override { return Position::Exact(snapshot_->sequence()); }
  const engine::Snapshot* engine_snapshot() const { return snapshot_; }

 private:
  engine::DB* const db_;
  const engine::Snapshot* const snapshot_;
};

engine::ReadOptions EngineReadOptions(const ReadOptions& options) {
  engine::ReadOptions r;
  if (options.snapshot != nullptr) {
    r.snapshot = static_cast<const VstressSnapshot*>(options.snapshot)->engine_snapshot();
  }
  return r;
}

YieldSite SiteOf(engine::testing::YieldSite site) {
  switch (site) {
    case engine::testing::YieldSite::kGetAfterPin:
      return YieldSite::kGetAfterPin;
    case engine::testing::YieldSite::kIteratorAfterPin:
      return YieldSite::kIteratorAfterPin;
    case engine::testing::YieldSite::kCompactionNewOutput:
      return YieldSite::kCompactionNewOutput;
  }
  return YieldSite::kGetAfterPin;
}

class VstressStore final : public Store, EngineView, Invariants, Simulation, Maintenance {
 public:
  VstressStore(std::unique_ptr<engine::DB> db, std::shared_ptr<engine::FileSystem> fs,
               std::string path)
      : db_(std::move(db)), fs_(std::move(fs)), path_(std::move(path)) {}

  Result<SequenceNumber> Write(
      bool sync, std::span<const BatchEntry> batch,
      SequenceNumber* /*voided: never, it uses no sequence on failure*/) override {
    engine::WriteBatch b;
    for (const BatchEntry& e : batch) e.deletion ? b.Delete(e.key) : b.Put(e.key, e.value);
    engine::WriteOptions wo;
    wo.sync = sync ? engine::WriteOptions::Sync::kYes : engine::WriteOptions::Sync::kNo;
    return db_->Write(wo, &b);
  }

  Status Get(const ReadOptions& options, std::string_view key, std::string* value,
             Position* at) override {
    SequenceNumber observed = 0;
    Status s = db_->Get(EngineReadOptions(options), key, value, &observed);
    *at = Position::Exact(observed);
    return s;
  }

  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override {
    return std::make_unique<VstressIterator>(db_->NewIterator(EngineReadOptions(options)));
  }

  std::unique_ptr<Snapshot> GetSnapshot() override {
    return std::make_unique<VstressSnapshot>(db_.get(), db_->GetSnapshot());
  }

  SequenceNumber LastSequence() const override { return db_->GetLatestSequenceNumber(); }
  Status BackgroundError() const override { return db_->BackgroundErrorStatus(); }
  Status WaitForBackgroundIdle() override { return db_->WaitForBackgroundIdle(); }

  StoreStats Stats() const override {
    const engine::StatsSnapshot s = db_->GetStats();
    StoreStats out;
    out.live_versions = s.live_versions;
    out.deferred_deletions = s.deferred_deletions;
    out.deferred_deletion_bytes = s.deferred_deletion_bytes;
    out.oldest_version_age_seconds = s.oldest_version_age_seconds;
    out.files_deleted = s.files_deleted;
    out.version_installs = s.version_installs;
    out.flushes = s.flushes;
    out.compactions = s.compactions;
    out.background_errors = s.background_errors;
    out.background_retries = s.background_retries;
    out.deepest_level = s.deepest_level;
    out.wal_batches_replayed = s.wal_batches_replayed;
    return out;
  }

  EngineView* engine_view() override { return this; }
  Invariants* invariants() override { return this; }
  Simulation* simulation() override { return this; }
  Maintenance* maintenance() override { return this; }

  // ---- Maintenance ----
  Status Flush() override { return db_->Flush(); }
  Status Resume() override {
    return Status::InvalidArgument("vstress keeps a background error until it is reopened");
  }
  Status CompactRange(std::string_view begin, std::string_view end) override {
    Status s = db_->CompactRange(begin, end);
    return s.ok() ? db_->WaitForBackgroundIdle() : s;
  }
  std::map<int, uint64_t> TablesPerLevel() override {
    std::map<int, uint64_t> out;
    const auto versions = engine::testing::LiveVersions(db_.get());
    if (versions.empty()) return out;
    const auto& levels = versions.back().files_per_level;  // the current Version
    for (size_t level = 0; level < levels.size(); level++) {
      if (!levels[level].empty()) out[static_cast<int>(level)] = levels[level].size();
    }
    return out;
  }

  // ---- EngineView ----
  std::string DescribeKey(std::string_view key) override {
    const std::vector<engine::testing::KeyEntry> entries =
        engine::testing::LocateKey(db_.get(), key);
    if (entries.empty()) {
      return "nowhere: no memtable and no table of a live Version holds the key\n";
    }
    std::string out;
    for (const engine::testing::KeyEntry& e : entries) out += DescribeEntry(e);
    return out;
  }

  // ---- Invariants ----
  std::vector<std::string> LiveTablesMissing() override {
    const auto check = engine::testing::CheckLiveTablesExist(db_.get());
    std::vector<std::string> out;
    for (const auto& m : check.missing) {
      out.push_back(fmt::format(
          "{} is listed at L{} by live Version {} (refs {}) but missing from "
          "disk",
          engine::testing::TableFileName(m.number), m.level, m.version_id, m.version_refs));
    }
    return out;
  }

  std::vector<std::string> AtRest(std::string_view when) override;

  std::vector<std::string> LeftAtClose() override {
    std::vector<std::string> out;
    for (const auto& v : engine::testing::VersionsLeftAtClose(db_.get())) {
      out.push_back(fmt::format("Version {}{} with {} reference{}", v.id,
                                v.is_current ? " (current)" : "", v.refs, v.refs == 1 ? "" : "s"));
    }
    return out;
  }

  uint64_t NextFileNumber() override { return engine::testing::NextFileNumber(db_.get()); }

  // ---- Simulation ----
  bool BackgroundWorkPending() override {
    return engine::testing::BackgroundWorkPending(db_.get());
  }
  bool RunBackgroundStep() override { return db_->RunBackgroundStep(); }
  bool WriteWouldWait() override { return engine::testing::WriteWouldWait(db_.get()); }
  void SetYieldHook(std::function<void(YieldSite)> hook) override {
    if (!hook) {
      engine::testing::SetYieldHook(db_.get(), nullptr);
      return;
    }
    engine::testing::SetYieldHook(
        db_.get(),
        [hook = std::move(hook)](engine::testing::YieldSite site) { hook(SiteOf(site)); });
  }

 private:
  static std::string DescribeEntry(const engine::testing::KeyEntry& e) {
    std::string where = e.location;
    if (!e.versions.empty()) {
      std::string ids;
      for (uint64_t id : e.versions) {
        ids += fmt::format("{}{}{}", ids.empty() ? "" : ", ", id,
                           e.in_current && id == e.versions.back() ? "*" : "");
      }
      where += fmt::format(" (Version{} {})", e.versions.size() == 1 ? "" : "s", ids);
    }
    if (!e.error.empty()) return fmt::format("{:<36} unreadable: {}\n", where, e.error);
    std::string what = "delete";
    if (!e.deletion) {
      what = "put " + workloads::CompactValueText(e.value).value_or(
                          fmt::format("({} bytes vstress did not write)", e.value.size()));
    }
    return fmt::format("{:<36} seq={} {}\n", where, e.sequence, what);
  }

  std::unique_ptr<engine::DB> db_;
  std::shared_ptr<engine::FileSystem> fs_;
  const std::string path_;
};

std::vector<std::string> VstressStore::AtRest(std::string_view when) {
  std::vector<std::string> out;
  if (const uint64_t n = engine::testing::RefcountUnderflows(db_.get()); n != 0) {
    out.push_back(fmt::format(
        "{}: a Version was released {} time(s) more often than it was referenced", when, n));
  }
  // After a background error deletions are suspended: only the underflow check applies.
  if (!db_->BackgroundErrorStatus().ok()) return out;
  const engine::StatsSnapshot stats = db_->GetStats();
  if (stats.live_versions != 1) {
    out.push_back(
        fmt::format("{}: {} live Versions at quiescence, expected 1", when, stats.live_versions));
  }
  if (stats.deferred_deletions != 0) {
    out.push_back(
        fmt::format("{}: {} deferred deletions at quiescence", when, stats.deferred_deletions));
  }
  std::vector<std::string> expected = engine::testing::ExpectedFiles(db_.get());
  std::vector<std::string> present;
  fs_->GetChildren(path_, &present);
  std::sort(expected.begin(), expected.end());
  std::sort(present.begin(), present.end());
  if (expected != present) {
    std::vector<std::string> differ;
    std::set_symmetric_difference(present.begin(), present.end(), expected.begin(), expected.end(),
                                  std::back_inserter(differ));
    out.push_back(fmt::format("{}: the directory differs from the files the DB needs: {}", when,
                              fmt::join(differ, ", ")));
  }
  return out;
}

Result<std::unique_ptr<Store>> Open(const StoreConfig& config, const std::string& path) {
  engine::Options options = config.engine.ToOptions();
  options.file_system = config.file_system ? config.file_system : engine::NewPosixFileSystem();
  options.clock = config.clock ? config.clock : engine::RealClock();
  auto db = engine::DB::Open(options, path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Store>(
      std::make_unique<VstressStore>(std::move(db).value(), options.file_system, path));
}

std::string Version() { return VSTRESS_VERSION; }

}  // namespace

StoreKind Kind() {
  StoreKind kind{"vstress", &Version, &Open};
  kind.runs_on_run_file_system = true;
  kind.file_faults = true;
  kind.takes_engine_mutations = true;
  return kind;
}

}  // namespace stores::vstress
