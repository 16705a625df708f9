// DBImpl's open path: locking, MANIFEST and WAL recovery, and open-time file GC.
#include <fmt/format.h>

#include <algorithm>

#include "db_impl.h"
#include "file_names.h"
#include "log_reader.h"
#include "write_batch_internal.h"

namespace engine {

Status DBImpl::OpenImpl() {
  Status s = fs_->CreateDirIfMissing(path_);
  if (!s.ok()) return s.WithContext("creating the DB directory");
  auto lock_file = fs_->LockFile(LockFileName(path_));
  if (!lock_file.ok()) return lock_file.status();
  db_lock_ = std::move(lock_file).value();

  std::lock_guard<std::mutex> write_guard(write_mu_);
  std::unique_lock<std::mutex> lock(mu_);
  if (!fs_->FileExists(CurrentFileName(path_))) {
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(path_ +
                                     ": no DB here (CURRENT missing) and "
                                     "create_if_missing is off");
    }
    s = versions_->CreateNew();
    if (!s.ok()) return s.WithContext("creating a new DB");
  } else if (options_.error_if_exists) {
    return Status::InvalidArgument(path_ + ": DB exists and error_if_exists is on");
  }
  s = RecoverLocked(&lock);
  if (!s.ok()) return s;
  RemoveObsoleteFilesLocked(&lock);
  if (options_.background == BackgroundMode::kThread) {
    bg_thread_ = std::thread([this] { BackgroundThreadMain(); });
  }
  return Status::Ok();
}

Status DBImpl::RecoverLocked(std::unique_lock<std::mutex>* lock) {
  Status s = versions_->Recover();
  if (!s.ok()) return s;
  // Never reuse a number that any file in the directory carries (rocksdb #7607, #7621): an
  // unsynced edit naming it might still exist.
  std::vector<std::string> names;
  s = fs_->GetChildren(path_, &names);
  if (!s.ok()) return s;
  std::vector<uint64_t> wals;
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    // Planted bug (rocksdb #7607, #7621): the next file number comes from the MANIFEST alone, so a
    // WAL or table written after the MANIFEST's last record gets its number reused.
    if (!options_.mutations.Has(Mutation::kReuseFileNumberAfterRecovery)) {
      versions_->MarkFileNumberUsed(number);
    }
    if (type == FileType::kWal && number >= versions_->log_number()) wals.push_back(number);
  }
  std::sort(wals.begin(), wals.end());
  VersionEdit edit;
  SequenceNumber max_sequence = versions_->last_sequence();
  for (uint64_t number : wals) {
    s = ReplayWal(number, &edit, &max_sequence);
    if (!s.ok()) return s;
  }
  versions_->SetLastSequence(max_sequence);
  // Every recovered write now lives in a table; start a fresh WAL and a fresh MANIFEST.
  const uint64_t wal_number = versions_->NewFileNumber();
  s = NewWal(wal_number);
  if (!s.ok()) return s.WithContext("creating the WAL");
  wal_number_ = wal_number;
  live_wals_.push_back(wal_number);
  edit.SetLogNumber(wal_number);
  s = versions_->LogAndApply(&edit, lock);
  if (!s.ok()) return s.WithContext("writing the MANIFEST at open");
  mem_ = new MemTable();
  mem_->Ref();
  InstallReadViewLocked();
  return Status::Ok();
}

// Replays one WAL into memtables, writing each full memtable (and the last) to a level-0 table
// recorded in `edit`.
Status DBImpl::ReplayWal(uint64_t number, VersionEdit* edit, SequenceNumber* max_sequence) {
  const std::string name = WalFileName("", number).substr(1);
  auto file = fs_->NewSequentialFile(WalFileName(path_, number));
  if (!file.ok()) return file.status();
  log::Reader reader(std::move(file).value(), name);
  MemTable* mem = nullptr;
  std::string record;
  Status s;
  auto flush = [&]() -> Status {
    TableFile meta;
    meta.number = versions_->NewFileNumber();
    Status fs = WriteLevel0Table(mem, &meta, false);
    mem->Unref();
    mem = nullptr;
    if (fs.ok()) edit->AddFile(0, meta);
    return fs;
  };
  while (s.ok() && reader.ReadRecord(&record)) {
    WriteBatch batch;
    s = WriteBatchInternal::SetContents(&batch, record);
    if (mem == nullptr) {
      mem = new MemTable();
      mem->Ref();
    }
    if (s.ok()) s = WriteBatchInternal::InsertInto(&batch, mem);
    if (s.ok()) EngineStats::Add(stats_.wal_batches_replayed, 1);
    if (!s.ok()) {
      s = Status::Corruption(fmt::format("{}: record at offset {}: {}", name,
                                         reader.last_record_offset(), s.message()));
      break;
    }
    const SequenceNumber last =
        WriteBatchInternal::Sequence(&batch) + WriteBatchInternal::Count(&batch) - 1;
    *max_sequence = std::max(*max_sequence, last);
    if (mem->ApproximateMemoryUsage() >= options_.memtable_bytes) s = flush();
  }
  if (s.ok()) s = reader.status();
  if (mem != nullptr) {
    if (s.ok() && mem->NumEntries() > 0) {
      s = flush();
    } else {
      mem->Unref();
    }
  }
  return s;
}

void DBImpl::RemoveObsoleteFilesLocked(std::unique_lock<std::mutex>* lock) {
  if (versions_->deletions_suspended()) return;
  std::set<uint64_t> keep = versions_->LiveTableNumbers();
  if (!options_.mutations.Has(Mutation::kSkipProtectedOutputs)) {
    keep.insert(pending_outputs_.begin(), pending_outputs_.end());
  }
  const uint64_t number_limit = versions_->next_file_number();
  std::vector<std::string> names;
  if (!fs_->GetChildren(path_, &names).ok()) return;
  std::vector<std::string> doomed;
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (name == "CURRENT.dbtmp") {
      doomed.push_back(name);
      continue;
    }
    if (!ParseFileName(name, &number, &type) || number >= number_limit) continue;
    bool needed = true;
    switch (type) {
      case FileType::kWal:
        needed = number >= versions_->log_number();
        break;
      case FileType::kManifest:
        needed = number == versions_->manifest_file_number();
        break;
      case FileType::kTable:
        needed = keep.count(number) != 0;
        break;
      case FileType::kTemp:
        needed = false;
        break;
      case FileType::kCurrent:
      case FileType::kLock:
        break;
    }
    if (!needed) doomed.push_back(name);
  }
  lock->unlock();
  for (const auto& name : doomed) versions_->DeleteFile(path_ + "/" + name);
  lock->lock();
}

Status DestroyDB(const Options& options, const std::string& path) {
  std::shared_ptr<FileSystem> fs = options.file_system ? options.file_system : NewPosixFileSystem();
  std::vector<std::string> names;
  if (!fs->GetChildren(path, &names).ok()) return Status::Ok();  // nothing to destroy
  auto lock = fs->LockFile(LockFileName(path));
  if (!lock.ok()) return lock.status();
  Status result;
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type) || type == FileType::kLock) continue;
    Status s = fs->DeleteFile(path + "/" + name);
    if (result.ok() && !s.ok()) result = s;
  }
  lock.value().reset();
  fs->DeleteFile(LockFileName(path));
  return result;
}

}  // namespace engine
