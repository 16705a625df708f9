#include "db_impl.h"

#include <fmt/format.h>

#include <chrono>

#include "check.h"
#include "db_iter.h"
#include "dbformat.h"
#include "fault_point.h"
#include "file_names.h"
#include "table_options.h"
#include "write_batch_internal.h"

namespace engine {

class DBImpl::SnapshotImpl : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : Snapshot(seq) {}
};

Result<std::unique_ptr<DB>> DB::Open(const Options& options, const std::string& path) {
  Status s = options.Validate();
  if (!s.ok()) return s;
  auto db = std::make_unique<DBImpl>(options, path);
  s = db->OpenImpl();
  if (!s.ok()) return s;
  return std::unique_ptr<DB>(std::move(db));
}

namespace {

// `options` with its defaults resolved: a null clock is the real one.
Options ResolveDefaults(Options options) {
  if (!options.clock) options.clock = RealClock();
  return options;
}

}  // namespace

DBImpl::DBImpl(const Options& options, std::string path)
    : path_(std::move(path)), options_(ResolveDefaults(options)) {
  fs_owner_ = options.file_system ? options.file_system : NewPosixFileSystem();
  fs_ = fs_owner_.get();
  table_cache_ = std::make_unique<TableCache>(path_, fs_, TableOptionsFromDbOptions(options_),
                                              options_.table_cache_entries_max);
  versions_ = std::make_unique<VersionSet>(path_, options_, fs_, table_cache_.get(), &stats_);
}

DBImpl::~DBImpl() { Close(); }

void DBImpl::StopBackgroundWork() {
  {
    std::lock_guard<std::mutex> guard(mu_);
    shutting_down_ = true;
    bg_cv_.notify_all();
  }
  if (bg_thread_.joinable()) bg_thread_.join();
}

std::vector<testing::LiveVersion> DBImpl::VersionsLeftAtClose() {
  StopBackgroundWork();
  // What the DB itself holds on the current Version: current_, and the current read view's — and
  // that view stays alive past the close if readers still hold it.
  int own_refs = 1;
  int view_held_by_readers = 0;
  {
    std::lock_guard<std::mutex> guard(read_view_mu_);
    if (read_view_ != nullptr && read_view_->version() == versions_->current()) {
      own_refs++;
      view_held_by_readers = read_view_->refs() - 1;
    }
  }
  std::vector<testing::LiveVersion> left;
  for (testing::LiveVersion& v : versions_->LiveVersions()) {
    if (v.is_current) {
      const int beyond = v.refs - own_refs + view_held_by_readers;
      if (beyond <= 0) continue;
      v.refs = beyond;  // the references beyond the DB's own
    }
    left.push_back(std::move(v));
  }
  return left;
}

Status DBImpl::Close() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_) return Status::Ok();
    closed_ = true;
  }
  StopBackgroundWork();
  Status s;
  {
    std::lock_guard<std::mutex> guard(write_mu_);
    if (wal_file_) s = wal_file_->Close();
    wal_.reset();
    wal_file_.reset();
  }
  {
    std::lock_guard<std::mutex> guard(read_view_mu_);
    if (read_view_ != nullptr) read_view_->Unref();
    read_view_ = nullptr;
  }
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (mem_ != nullptr) mem_->Unref();
    if (imm_ != nullptr) imm_->Unref();
    mem_ = imm_ = nullptr;
  }
  versions_.reset();
  table_cache_.reset();
  db_lock_.reset();
  return s;
}

// ---- Read path ------------------------------------------------------------------------------

ReadView* DBImpl::PinReadView(SequenceNumber* sequence) {
  std::lock_guard<std::mutex> guard(read_view_mu_);
  read_view_->Ref();
  *sequence = versions_->last_sequence();
  return read_view_;
}

void DBImpl::InstallReadViewLocked() {
  auto* view = new ReadView(mem_, imm_, versions_->current());
  view->Ref();
  ReadView* old;
  {
    std::lock_guard<std::mutex> guard(read_view_mu_);
    old = read_view_;
    read_view_ = view;
  }
  if (old != nullptr) old->Unref();
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value,
                   SequenceNumber* observed) {
  SequenceNumber seq;
  ReadView* view = PinReadView(&seq);
  Yield(testing::YieldSite::kGetAfterPin);
  if (options.snapshot != nullptr) seq = options.snapshot->sequence();
  if (observed != nullptr) *observed = seq;
  const LookupKey lookup(key, seq);
  bool found = false;
  bool deleted = false;
  Status s;
  if (options_.mutations.Has(Mutation::kGetReadsLiveMemtable)) {
    s = GetFromLiveMemtables(view, lookup, value, &found, &deleted);
  } else {
    s = GetFrom(view->mem(), view->imm(), view->version(), lookup, value, &found, &deleted);
  }
  ReleaseReadView(view);
  if (!s.ok()) return s;
  // No message: a miss is the common case, and copying the key into it cost a heap allocation.
  if (!found || deleted) return Status::NotFound({});
  return Status::Ok();
}

Status DBImpl::GetFrom(MemTable* mem, MemTable* imm, Version* version, const LookupKey& lookup,
                       std::string* value, bool* found, bool* deleted) {
  SequenceNumber entry_seq = 0;  // MemTable::Get reports it; a point read has no use for it.
  *found = mem->Get(lookup, value, deleted, &entry_seq);
  if (!*found && imm != nullptr) *found = imm->Get(lookup, value, deleted, &entry_seq);
  if (*found) return Status::Ok();
  return version->Get(lookup, found, deleted, value);
}

void DBImpl::RefLiveMemtables(MemTable** mem, MemTable** imm) {
  std::lock_guard<std::mutex> guard(mu_);
  *mem = mem_;
  *imm = imm_;
  (*mem)->Ref();
  if (*imm != nullptr) (*imm)->Ref();
}

// Planted bug (leveldb 7263023): the memtables searched are the live ones, not the pinned ones, so
// a flush that finishes after the pin hides the writes it moved into a table the pinned Version
// does not list. They are referenced while searched, so the bug shows as wrong data, not a crash.
Status DBImpl::GetFromLiveMemtables(ReadView* view, const LookupKey& lookup, std::string* value,
                                    bool* found, bool* deleted) {
  MemTable* mem;
  MemTable* imm;
  RefLiveMemtables(&mem, &imm);
  Status s = GetFrom(mem, imm, view->version(), lookup, value, found, deleted);
  mem->Unref();
  if (imm != nullptr) imm->Unref();
  return s;
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  SequenceNumber seq;
  ReadView* view = PinReadView(&seq);
  Yield(testing::YieldSite::kIteratorAfterPin);
  if (options.snapshot != nullptr) seq = options.snapshot->sequence();
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(view->mem()->NewIterator());
  if (view->imm() != nullptr) children.push_back(view->imm()->NewIterator());
  view->version()->AddIterators(&children);
  auto merged = NewMergingIterator(std::move(children));
  if (options_.mutations.Has(Mutation::kIteratorNoPin)) {
    // Planted bug: the iterator lets go of its read view at once, so compaction may delete tables
    // it has yet to open. (Its children keep their memory alive; only the files go.)
    view->Unref();
    return NewDBIterator(std::move(merged), seq, nullptr);
  }
  if (options_.mutations.Has(Mutation::kUnrefTwice)) {
    // Planted bug: releasing the iterator drops two references on its Version.
    return NewDBIterator(std::move(merged), seq, [view] {
      view->version()->Unref();
      view->Unref();
    });
  }
  return NewDBIterator(std::move(merged), seq, [this, view] { ReleaseReadView(view); });
}

void DBImpl::ReleaseReadView(ReadView* view) {
  if (options_.mutations.Has(Mutation::kLockOrderInversion)) {
    // Planted bug (rocksdb PR #3510): the Version-list mutex, then the DB mutex — installing a
    // Version takes them the other way round, so a release racing an install deadlocks.
    auto live = versions_->LockLiveListForMutant();
    std::lock_guard<std::mutex> guard(mu_);
  }
  view->Unref();
}

const Snapshot* DBImpl::GetSnapshot() {
  std::lock_guard<std::mutex> guard(mu_);
  const SequenceNumber seq = versions_->last_sequence();
  snapshots_.insert(seq);
  return new SnapshotImpl(seq);
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = snapshots_.find(snapshot->sequence());
    VSTRESS_CHECK(it != snapshots_.end());
    snapshots_.erase(it);
  }
  delete static_cast<const SnapshotImpl*>(snapshot);
}

// ---- Write path -----------------------------------------------------------------------------

Result<SequenceNumber> DBImpl::Put(const WriteOptions& options, std::string_view key,
                                   std::string_view value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(options, &batch);
}

Result<SequenceNumber> DBImpl::Delete(const WriteOptions& options, std::string_view key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, &batch);
}

Result<SequenceNumber> DBImpl::Write(const WriteOptions& options, WriteBatch* batch) {
  const bool manual = options_.background == BackgroundMode::kManual;
  // With manual background work one thread drives the DB: a write reached from inside another
  // write (a driver's yield hook running a step there) would wait on write_mu_ forever.
  VSTRESS_CHECK(
      !(manual && write_owner_.load(std::memory_order_relaxed) == std::this_thread::get_id()) &&
      "a write ran inside another write (manual background mode)");
  std::lock_guard<std::mutex> write_guard(write_mu_);
  if (manual) write_owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  // Cleared on every return below, with write_mu_ still held.
  struct OwnerReset {
    std::atomic<std::thread::id>* owner;
    bool manual;
    ~OwnerReset() {
      if (manual) owner->store(std::thread::id(), std::memory_order_relaxed);
    }
  } owner_reset{&write_owner_, manual};
  MemTable* mem;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_) return Status::InvalidArgument("DB is closed");
    Status s = MakeRoomForWriteLocked(&lock);
    if (!s.ok()) return s;
    mem = mem_;
  }
  const uint32_t count = WriteBatchInternal::Count(batch);
  if (count == 0) return versions_->last_sequence();
  const SequenceNumber first = versions_->last_sequence() + 1;
  WriteBatchInternal::SetSequence(batch, first);
  const bool sync = options.sync == WriteOptions::Sync::kDefault
                        ? options_.sync_writes_default
                        : options.sync == WriteOptions::Sync::kYes;
  Status s = AppendToWal(*batch, sync);
  if (!s.ok()) return s;
  s = WriteBatchInternal::InsertInto(batch, mem);
  VSTRESS_CHECK(s.ok());  // the batch was built in memory, so it cannot be malformed
  const SequenceNumber last = first + count - 1;
  // Publish only after the memtable holds the batch: a reader that sees `last` finds its data.
  versions_->SetLastSequence(last);
  return last;
}

// REQUIRES: write_mu_ held.
Status DBImpl::AppendToWal(const WriteBatch& batch, bool sync) {
  const uint64_t size_before = wal_file_->Size();
  Status s = CheckFaultPoint("engine/wal/append");
  if (s.ok()) s = wal_->AddRecord(WriteBatchInternal::Contents(&batch));
  if (s.ok() && sync) {
    s = CheckFaultPoint("engine/wal/sync");
    // Planted bug: the sync write is acknowledged with its record still only in the page cache.
    if (s.ok() && !options_.mutations.Has(Mutation::kWalSyncSkipped)) s = wal_file_->Sync();
  }
  if (s.ok()) return s;
  // The write failed, so it must never become visible, not even after a restart: cut the record
  // (or whatever part of it reached the file) back off the WAL.
  wal_file_->Close();
  wal_.reset();
  wal_file_.reset();
  Status t = fs_->Truncate(wal_path_, size_before);
  std::lock_guard<std::mutex> guard(mu_);
  SetBackgroundErrorLocked(s);
  if (!t.ok()) SetBackgroundErrorLocked(t.WithContext("truncating the WAL after a failed write"));
  return s;
}

Status DBImpl::MakeRoomForWriteLocked(std::unique_lock<std::mutex>* lock) {
  bool allow_delay = true;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    const int level0_files = versions_->current()->NumFiles(0);
    const bool manual = options_.background == BackgroundMode::kManual;
    if (allow_delay && !manual && level0_files >= options_.level0_slowdown_trigger) {
      // Slow each writer down a little rather than stopping all of them later.
      lock->unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      lock->lock();
      allow_delay = false;
    } else if (mem_->ApproximateMemoryUsage() < options_.memtable_bytes) {
      return Status::Ok();
    } else if (imm_ != nullptr || level0_files >= options_.level0_stop_trigger) {
      if (manual) {
        BackgroundStepInlineLocked(lock);
      } else {
        bg_cv_.wait(*lock);
      }
    } else {
      Status s = SwitchMemtableLocked();
      if (!s.ok()) return s;
    }
  }
}

// REQUIRES: write_mu_ and mu_ held, imm_ == nullptr.
Status DBImpl::SwitchMemtableLocked() {
  VSTRESS_CHECK(imm_ == nullptr);
  const uint64_t number = versions_->NewFileNumber();
  Status s = NewWal(number);
  if (!s.ok()) {
    SetBackgroundErrorLocked(s.WithContext("creating a new WAL"));
    return bg_error_;
  }
  wal_number_ = number;
  live_wals_.push_back(number);
  imm_ = mem_;
  has_imm_.store(true, std::memory_order_release);
  mem_ = new MemTable();
  mem_->Ref();
  InstallReadViewLocked();
  bg_cv_.notify_all();
  return Status::Ok();
}

// REQUIRES: write_mu_ held (or the DB not yet shared).
Status DBImpl::NewWal(uint64_t number) {
  const std::string path = WalFileName(path_, number);
  auto file = fs_->NewWritableFile(path);
  if (!file.ok()) return file.status();
  // The new WAL's directory entry must be durable before any synced write lands in it.
  Status s = fs_->SyncDir(path_);
  if (!s.ok()) return s;
  if (wal_file_) {
    // The old WAL's writes must be durable before any write in the new one can be: otherwise a
    // synced write could survive a power loss that drops unsynced writes acknowledged before it.
    s = wal_file_->Sync();
    if (!s.ok()) return s.WithContext("syncing the previous WAL");
    wal_file_->Close();
  }
  wal_file_ = std::move(file).value();
  wal_ = std::make_unique<log::Writer>(wal_file_.get());
  wal_path_ = path;
  return Status::Ok();
}

void DBImpl::SetBackgroundErrorLocked(const Status& s) {
  if (!bg_error_.ok()) return;
  Status error = Status::BackgroundError(s.ToString());
  if (s.injected()) error.MarkInjected();
  bg_error_ = error;
  versions_->SuspendDeletions();
  EngineStats::Add(stats_.background_errors, 1);
  bg_cv_.notify_all();
}

Status DBImpl::BackgroundErrorStatus() const {
  std::lock_guard<std::mutex> guard(mu_);
  return bg_error_;
}

StatsSnapshot DBImpl::GetStats() const {
  StatsSnapshot s;
  s.live_versions = stats_.live_versions.load(std::memory_order_relaxed);
  s.deferred_deletions = stats_.deferred_deletions.load(std::memory_order_relaxed);
  s.deferred_deletion_bytes = stats_.deferred_deletion_bytes.load(std::memory_order_relaxed);
  s.files_deleted = stats_.files_deleted.load(std::memory_order_relaxed);
  s.version_installs = stats_.version_installs.load(std::memory_order_relaxed);
  s.flushes = stats_.flushes.load(std::memory_order_relaxed);
  s.compactions = stats_.compactions.load(std::memory_order_relaxed);
  s.background_errors = stats_.background_errors.load(std::memory_order_relaxed);
  s.background_retries = stats_.background_retries.load(std::memory_order_relaxed);
  s.deepest_level = stats_.deepest_level.load(std::memory_order_relaxed);
  s.oldest_version_age_seconds = versions_->OldestVersionAgeSeconds();
  s.last_sequence = versions_->last_sequence();
  s.wal_batches_replayed = stats_.wal_batches_replayed.load(std::memory_order_relaxed);
  return s;
}

std::vector<uint64_t> DBImpl::ProtectedOutputs() {
  std::lock_guard<std::mutex> guard(mu_);
  return {pending_outputs_.begin(), pending_outputs_.end()};
}

std::vector<std::string> DBImpl::ExpectedFiles() {
  std::lock_guard<std::mutex> guard(mu_);
  std::vector<std::string> names = {"CURRENT", "LOCK"};
  names.push_back(ManifestFileName("", versions_->manifest_file_number()).substr(1));
  for (uint64_t wal : live_wals_) names.push_back(WalFileName("", wal).substr(1));
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : versions_->current()->files(level)) {
      names.push_back(TableBaseName(f->table.number));
    }
  }
  return names;
}

}  // namespace engine
