// DBImpl's background work: flushing the immutable memtable, compacting, retrying failed deletes.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "check.h"
#include "db_impl.h"
#include "dbformat.h"
#include "fault_point.h"
#include "file_names.h"
#include "table_builder.h"
#include "table_options.h"

namespace engine {
namespace {

// After this many background failures in a row (each retried), the failure becomes permanent.
constexpr int kBackgroundRetriesMax = 8;
constexpr int kBackgroundRetryWaitMsMax = 200;

// Writes the entries of `iter` to a new table file; stops at `limit_bytes` only between user keys.
// The caller supplies the file; `meta` receives size and key range.
class OutputTable {
 public:
  OutputTable(const Options& options, std::unique_ptr<WritableFile> file, TableFile* meta)
      : file_(std::move(file)),
        builder_(TableOptionsFromDbOptions(options), file_.get()),
        meta_(meta) {}

  void Add(std::string_view key, std::string_view value) {
    if (builder_.NumEntries() == 0) meta_->smallest.assign(key);
    meta_->largest.assign(key);
    builder_.Add(key, value);
  }
  uint64_t FileSize() const { return builder_.FileSize(); }
  uint64_t NumEntries() const { return builder_.NumEntries(); }
  Status Finish() {
    Status s = builder_.Finish();
    if (s.ok()) s = file_->Sync();
    if (s.ok()) s = file_->Close();
    meta_->file_bytes = builder_.FileSize();
    return s;
  }
  void Abandon() {
    builder_.Abandon();
    file_->Close();
  }

 private:
  std::unique_ptr<WritableFile> file_;
  TableBuilder builder_;
  TableFile* meta_;
};

}  // namespace

void DBImpl::BackgroundThreadMain() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!shutting_down_) {
    if (!HasBackgroundWorkLocked()) {
      bg_cv_.wait(lock);
      continue;
    }
    if (bg_failures_in_a_row_ > 0) {
      // Back off before retrying failed work, so a persistent fault does not spin the CPU.
      const int wait_ms = std::min(kBackgroundRetryWaitMsMax, 5 << bg_failures_in_a_row_);
      bg_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms));
      if (shutting_down_) break;
    }
    BackgroundStepLocked(&lock);
  }
}

bool DBImpl::HasBackgroundWorkLocked() const {
  if (!bg_error_.ok()) return false;
  return imm_ != nullptr || manual_compaction_ != nullptr ||
         versions_->current()->compaction_score() >= 1;
}

bool DBImpl::RunBackgroundStep() {
  std::unique_lock<std::mutex> lock(mu_);
  const bool did_work = BackgroundStepLocked(&lock);
  lock.unlock();
  versions_->RetryFailedDeletions();
  return did_work;
}

void DBImpl::BackgroundStepInlineLocked(std::unique_lock<std::mutex>* lock) {
  // The work this call waits for would be this thread's own, further up the stack (a driver ran
  // the call at a yield site inside background work): it could never finish, and the caller's
  // wait loop would spin for ever.
  VSTRESS_CHECK(!bg_running_ && "a call waited for background work it runs inside (manual mode)");
  BackgroundStepLocked(lock);
}

bool DBImpl::BackgroundStepLocked(std::unique_lock<std::mutex>* lock) {
  if (!HasBackgroundWorkLocked() || bg_running_) return false;
  bg_running_ = true;
  Status s;
  if (imm_ != nullptr) {
    s = FlushImmLocked(lock);
  } else if (manual_compaction_ != nullptr) {
    ManualCompaction* m = manual_compaction_;
    auto c = PickRangeCompaction(versions_.get(), m->level, m->begin, m->end);
    if (c == nullptr) {
      m->done = true;
      manual_compaction_ = nullptr;
    } else {
      s = CompactLocked(lock, std::move(c));
      if (s.ok()) {
        m->done = true;
        manual_compaction_ = nullptr;
      }
    }
  } else if (auto c = PickCompaction(versions_.get())) {
    s = CompactLocked(lock, std::move(c));
  }
  RecordBackgroundFailureLocked(s);
  bg_running_ = false;
  bg_cv_.notify_all();
  // Deletes that failed earlier get another try after every unit of background work.
  versions_->RetryFailedDeletions();
  DeleteObsoleteWalsLocked(lock);
  return true;
}

void DBImpl::RecordBackgroundFailureLocked(const Status& s) {
  if (s.ok()) {
    bg_failures_in_a_row_ = 0;
    return;
  }
  if (!bg_error_.ok()) return;  // already permanent
  if (++bg_failures_in_a_row_ > kBackgroundRetriesMax) {
    SetBackgroundErrorLocked(s.WithContext(
        fmt::format("background work failed {} times in a row", kBackgroundRetriesMax)));
    return;
  }
  EngineStats::Add(stats_.background_retries, 1);
}

// ---- Flush ----------------------------------------------------------------------------------

Status DBImpl::WriteLevel0Table(MemTable* mem, TableFile* meta, bool with_fault_point) {
  Status s = with_fault_point ? CheckFaultPoint("engine/flush/write_table") : Status::Ok();
  if (!s.ok()) return s;
  auto file = fs_->NewWritableFile(TableFileName(path_, meta->number));
  if (!file.ok()) return file.status();
  OutputTable out(options_, std::move(file).value(), meta);
  auto iter = mem->NewIterator();
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) out.Add(iter->key(), iter->value());
  s = out.Finish();
  if (s.ok()) s = fs_->SyncDir(path_);
  return s;
}

Status DBImpl::FlushImmLocked(std::unique_lock<std::mutex>* lock) {
  MemTable* imm = imm_;
  TableFile meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  lock->unlock();
  Status s = WriteLevel0Table(imm, &meta, true);
  lock->lock();
  if (!s.ok()) {
    AbandonOutputsLocked(lock, {meta.number});
    return s;
  }
  VersionEdit edit;
  edit.AddFile(0, meta);
  // Every WAL older than the one behind mem_ now lives on in tables.
  edit.SetLogNumber(wal_number_);
  s = versions_->LogAndApply(&edit, lock);
  if (!s.ok() && versions_->last_failure_retryable()) {
    // No MANIFEST on disk names the table: drop it; the flush is tried again.
    AbandonOutputsLocked(lock, {meta.number});
    return s;
  }
  if (!s.ok()) {
    SetBackgroundErrorLocked(s.WithContext("MANIFEST write for a flush"));
    if (options_.mutations.Has(Mutation::kGcAfterManifestFailure)) {
      // Planted bug (leveldb d84c825): treat the output as abandoned although the MANIFEST on
      // disk may name it.
      pending_outputs_.erase(meta.number);
      lock->unlock();
      fs_->DeleteFile(TableFileName(path_, meta.number));
      lock->lock();
    }
    return s;
  }
  pending_outputs_.erase(meta.number);
  imm_->Unref();
  imm_ = nullptr;
  has_imm_.store(false, std::memory_order_release);
  InstallReadViewLocked();
  EngineStats::Add(stats_.flushes, 1);
  bg_cv_.notify_all();  // writers waiting for room
  DeleteObsoleteWalsLocked(lock);
  // Like LevelDB after a memtable compaction: collect every file nothing needs. This may run in the
  // middle of a compaction, whose outputs only pending_outputs_ protects.
  RemoveObsoleteFilesLocked(lock);
  return Status::Ok();
}

void DBImpl::DeleteObsoleteWalsLocked(std::unique_lock<std::mutex>* lock) {
  while (!live_wals_.empty() && live_wals_.front() < versions_->log_number()) {
    obsolete_wals_.push_back(live_wals_.front());
    live_wals_.pop_front();
  }
  if (obsolete_wals_.empty() || versions_->deletions_suspended()) return;
  std::vector<uint64_t> attempt;
  attempt.swap(obsolete_wals_);
  lock->unlock();
  // Recovery skips WALs below the log number, so a WAL whose delete fails is harmless; it is
  // retried after the next unit of background work and when the DB goes idle.
  std::vector<uint64_t> failed;
  for (uint64_t number : attempt) {
    const std::string path = WalFileName(path_, number);
    if (!versions_->DeleteFile(path).ok() && fs_->FileExists(path)) failed.push_back(number);
  }
  lock->lock();
  obsolete_wals_.insert(obsolete_wals_.end(), failed.begin(), failed.end());
}

void DBImpl::AbandonOutputsLocked(std::unique_lock<std::mutex>* lock,
                                  const std::vector<uint64_t>& numbers) {
  lock->unlock();
  for (uint64_t number : numbers) {
    const std::string path = TableFileName(path_, number);
    if (fs_->FileExists(path)) versions_->DeleteFile(path);
  }
  lock->lock();
  for (uint64_t number : numbers) pending_outputs_.erase(number);
}

// ---- Compaction -----------------------------------------------------------------------------

Status DBImpl::CompactLocked(std::unique_lock<std::mutex>* lock, std::unique_ptr<Compaction> c) {
  VersionEdit edit;
  c->AddInputDeletions(&edit);
  if (c->IsTrivialMove()) {
    edit.AddFile(c->output_level(), c->inputs[0][0]->table);
    Status s = versions_->LogAndApply(&edit, lock);
    ReleaseCompaction(std::move(c));
    if (!s.ok() && versions_->last_failure_retryable()) return s;  // tried again later
    if (!s.ok()) {
      SetBackgroundErrorLocked(s.WithContext("MANIFEST write for a trivial move"));
      return s;
    }
    InstallReadViewLocked();
    return s;
  }
  SequenceNumber smallest_snapshot = versions_->last_sequence();
  if (!snapshots_.empty() && !options_.mutations.Has(Mutation::kCompactionIgnoresSnapshots)) {
    smallest_snapshot = std::min(smallest_snapshot, *snapshots_.begin());
  }
  std::vector<TableFile> outputs;
  lock->unlock();
  Status s = RunCompaction(*c, smallest_snapshot, &outputs);
  if (s.ok()) s = CheckFaultPoint("engine/compaction/install");
  lock->lock();
  std::vector<uint64_t> numbers;
  for (const auto& out : outputs) numbers.push_back(out.number);
  if (!s.ok()) {
    AbandonOutputsLocked(lock, numbers);
    ReleaseCompaction(std::move(c));
    return s;
  }
  for (const auto& out : outputs) edit.AddFile(c->output_level(), out);
  s = versions_->LogAndApply(&edit, lock);
  ReleaseCompaction(std::move(c));
  if (!s.ok() && versions_->last_failure_retryable()) {
    // No MANIFEST on disk names the outputs: drop them; the compaction is tried again.
    AbandonOutputsLocked(lock, numbers);
    return s;
  }
  if (!s.ok()) {
    // The outputs stay protected: the MANIFEST on disk may name them (leveldb d84c825).
    SetBackgroundErrorLocked(s.WithContext("MANIFEST write for a compaction"));
    if (options_.mutations.Has(Mutation::kGcAfterManifestFailure)) {
      AbandonOutputsLocked(lock, numbers);
    }
    return s;
  }
  for (uint64_t number : numbers) pending_outputs_.erase(number);
  InstallReadViewLocked();
  EngineStats::Add(stats_.compactions, 1);
  return Status::Ok();
}

// Merges the inputs into new tables at the output level, dropping entries no reader can see.
// Runs without the DB mutex; takes it briefly to allocate each output's file number.
Status DBImpl::RunCompaction(const Compaction& c, SequenceNumber smallest_snapshot,
                             std::vector<TableFile>* outputs) {
  Status s = CheckFaultPoint("engine/compaction/read_input");
  if (!s.ok()) return s;
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (const auto& list : c.inputs) {
    for (const auto& f : list) {
      children.push_back(table_cache_->NewIterator(f->table.number, f->table.file_bytes));
    }
  }
  auto input = NewMergingIterator(std::move(children));
  std::unique_ptr<OutputTable> out;
  std::string current_user_key;
  bool has_current_user_key = false;
  SequenceNumber last_sequence_for_key = kMaxSequenceNumber;
  const bool drop_tombstones_early = options_.mutations.Has(Mutation::kDropTombstoneEarly);

  auto finish_output = [&]() -> Status {
    Status fs = CheckFaultPoint("engine/compaction/write_output");
    if (fs.ok()) fs = out->Finish();
    if (!fs.ok()) out->Abandon();
    out.reset();
    return fs;
  };

  for (input->SeekToFirst(); input->Valid() && s.ok(); input->Next()) {
    ParsedInternalKey ikey;
    if (!ParseInternalKey(input->key(), &ikey)) {
      s = Status::Corruption("malformed internal key in compaction input");
      break;
    }
    const bool new_user_key = !has_current_user_key || ikey.user_key != current_user_key;
    if (new_user_key) {
      current_user_key.assign(ikey.user_key);
      has_current_user_key = true;
      last_sequence_for_key = kMaxSequenceNumber;
    }
    bool drop = false;
    if (last_sequence_for_key <= smallest_snapshot) {
      drop = true;  // a newer entry for this key is visible to every reader
    } else if (ikey.type == ValueType::kDeletion && ikey.sequence <= smallest_snapshot &&
               (drop_tombstones_early ||
                c.input_version->IsBaseLevelForKey(c.output_level(), ikey.user_key))) {
      drop = true;  // nothing older can lie below, so the tombstone hides nothing
    }
    last_sequence_for_key = ikey.sequence;
    if (drop) continue;
    // Outputs are split only between user keys, so no two files of a level share a user key.
    if (out && new_user_key && out->FileSize() >= options_.table_target_bytes) {
      s = finish_output();
      if (!s.ok()) break;
    }
    if (!out) {
      // Between two outputs of a long compaction, foreground work (writes filling and switching
      // the memtable) may go on; the check of has_imm_ below then flushes in the middle of it.
      Yield(testing::YieldSite::kCompactionNewOutput);
      TableFile meta;
      {
        std::lock_guard<std::mutex> guard(mu_);
        meta.number = versions_->NewFileNumber();
        pending_outputs_.insert(meta.number);
      }
      outputs->push_back(meta);
      auto file = fs_->NewWritableFile(TableFileName(path_, meta.number));
      if (!file.ok()) {
        s = file.status();
        break;
      }
      out = std::make_unique<OutputTable>(options_, std::move(file).value(), &outputs->back());
    }
    out->Add(input->key(), input->value());
    if (has_imm_.load(std::memory_order_acquire)) {
      // Writers wait for the immutable memtable: write it out first, as LevelDB does.
      std::unique_lock<std::mutex> lock(mu_);
      if (imm_ != nullptr) RecordBackgroundFailureLocked(FlushImmLocked(&lock));
    }
  }
  if (s.ok()) s = input->status();
  if (out) {
    if (s.ok()) {
      s = finish_output();
    } else {
      out->Abandon();
    }
  }
  if (s.ok() && !outputs->empty()) s = fs_->SyncDir(path_);
  return s;
}

// ---- Waiting and manual work ---------------------------------------------------------------

Status DBImpl::WaitForBackgroundIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  if (options_.background == BackgroundMode::kManual) {
    while (bg_error_.ok() && BackgroundStepLocked(&lock)) {
    }
  } else {
    bg_cv_.wait(lock, [this] {
      return !bg_error_.ok() || shutting_down_ || (!HasBackgroundWorkLocked() && !bg_running_);
    });
  }
  // Deletes that failed earlier get one more try, and a GC scan collects the outputs of failed
  // flushes and compactions whose delete failed, so an idle DB holds only the files it needs.
  lock.unlock();
  versions_->RetryFailedDeletions();
  lock.lock();
  DeleteObsoleteWalsLocked(&lock);
  RemoveObsoleteFilesLocked(&lock);
  return bg_error_;
}

Status DBImpl::Flush() {
  {
    std::lock_guard<std::mutex> write_guard(write_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    if (mem_->NumEntries() > 0) {
      // One immutable memtable at a time: the pending one must be written first.
      Status s = WaitForImmutableFlushLocked(&lock);
      if (s.ok()) s = SwitchMemtableLocked();
      if (!s.ok()) return s;
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  return WaitForImmutableFlushLocked(&lock);
}

Status DBImpl::WaitForImmutableFlushLocked(std::unique_lock<std::mutex>* lock) {
  while (imm_ != nullptr && bg_error_.ok() && !shutting_down_) {
    if (options_.background == BackgroundMode::kManual) {
      BackgroundStepInlineLocked(lock);
    } else {
      bg_cv_.wait(*lock);
    }
  }
  return bg_error_;
}

Status DBImpl::CompactRange(std::string_view begin, std::string_view end) {
  Status s = Flush();
  if (!s.ok()) return s;
  std::unique_lock<std::mutex> lock(mu_);
  for (int level = 0; level < kNumLevels - 1 && s.ok(); level++) {
    ManualCompaction m;
    m.level = level;
    m.begin.assign(begin);
    m.end.assign(end);
    s = WaitForManualCompaction(&lock, &m);
  }
  return s;
}

Status DBImpl::WaitForManualCompaction(std::unique_lock<std::mutex>* lock, ManualCompaction* m) {
  // One manual compaction at a time.
  while (manual_compaction_ != nullptr && bg_error_.ok()) bg_cv_.wait(*lock);
  if (!bg_error_.ok()) return bg_error_;
  manual_compaction_ = m;
  bg_cv_.notify_all();
  while (!m->done && bg_error_.ok() && !shutting_down_) {
    if (options_.background == BackgroundMode::kManual) {
      BackgroundStepInlineLocked(lock);
    } else {
      bg_cv_.wait(*lock);
    }
  }
  if (manual_compaction_ == m) manual_compaction_ = nullptr;
  return bg_error_;
}

}  // namespace engine
