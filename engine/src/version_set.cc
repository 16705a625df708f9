#include "version_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "check.h"
#include "dbformat.h"
#include "fault_point.h"
#include "file_names.h"
#include "manifest_replay.h"
#include "table_cache.h"
#include "version_builder.h"

namespace engine {
namespace {

uint64_t MaxBytesForLevel(const Options& options, int level) {
  uint64_t bytes = options.level_base_bytes;
  for (int l = 1; l < level; l++) bytes *= static_cast<uint64_t>(options.level_size_multiplier);
  return bytes;
}

// The full state of `v` plus the counters, as one edit (the first record of a new MANIFEST).
VersionEdit SnapshotEdit(const Version& v) {
  VersionEdit edit;
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v.files(level)) edit.AddFile(level, f->table);
  }
  return edit;
}

}  // namespace

VersionSet::VersionSet(std::string db_path, const Options& options, FileSystem* fs,
                       TableCache* table_cache, EngineStats* stats)
    : db_path_(std::move(db_path)),
      options_(options),
      fs_(fs),
      table_cache_(table_cache),
      stats_(stats) {
  live_head_ = new Version(this, 0);
  live_head_->prev_ = live_head_;
  live_head_->next_ = live_head_;
}

VersionSet::~VersionSet() {
  if (current_ != nullptr) current_->Unref();
  {
    std::lock_guard<std::mutex> guard(live_mu_);
    // Every reader must have released its Version before the DB closes.
    VSTRESS_CHECK(live_head_->next_ == live_head_);
  }
  delete live_head_;
}

void VersionSet::MarkFileNumberUsed(uint64_t number) {
  if (next_file_number_ <= number) next_file_number_ = number + 1;
}

// ---- Creating and recovering ---------------------------------------------------------------

Status VersionSet::CreateNew() {
  VersionEdit edit;
  edit.SetLogNumber(0);
  edit.SetNextFileNumber(2);
  edit.SetLastSequence(0);
  const uint64_t number = 1;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<log::Writer> writer;
  Status s = StartNewManifest(number, &file, &writer);
  ManifestStage stage = ManifestStage::kNewFile;
  if (s.ok()) s = WriteManifestRecord(writer.get(), file.get(), edit, true, number, &stage);
  if (!s.ok()) {
    fs_->DeleteFile(ManifestFileName(db_path_, number));
    return s;
  }
  return file->Close();
}

Status VersionSet::Recover() {
  std::string current;
  Status s = ReadFileToString(fs_, CurrentFileName(db_path_), &current);
  if (!s.ok()) return s.WithContext("reading CURRENT");
  uint64_t manifest_number = 0;
  FileType type;
  if (current.empty() || current.back() != '\n' ||
      !ParseFileName(std::string_view(current).substr(0, current.size() - 1), &manifest_number,
                     &type) ||
      type != FileType::kManifest) {
    return Status::Corruption("CURRENT does not name a MANIFEST (content '" +
                              current.substr(0, 64) + "')");
  }
  current.pop_back();
  VersionBuilder builder(nullptr);
  VersionEdit counters;
  s = engine::ReplayManifest(fs_, db_path_, current, &builder, &counters, nullptr,
                             options_.mutations.Has(Mutation::kTruncatedManifestIsCorruption));
  if (!s.ok()) return s;
  auto built = builder.Build(this, next_version_id_++);
  if (!built.ok()) return built.status().WithContext(current);
  Version* v = built.value();
  s = CheckTablesExist(v);
  if (!s.ok()) {
    v->Ref();
    v->Unref();
    return s;
  }
  manifest_file_number_ = manifest_number;
  log_number_ = *counters.log_number();
  next_file_number_ = *counters.next_file_number();
  MarkFileNumberUsed(manifest_number);
  SetLastSequence(*counters.last_sequence());
  InstallLocked(v);
  return Status::Ok();
}

Status VersionSet::CheckTablesExist(const Version* v) const {
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v->files(level)) {
      auto size = fs_->GetFileSize(TableFileName(db_path_, f->table.number));
      if (!size.ok()) {
        return Status::Corruption(fmt::format("missing table {} (L{}) listed in MANIFEST",
                                              TableBaseName(f->table.number), level));
      }
      if (size.value() != f->table.file_bytes) {
        return Status::Corruption(fmt::format("table {} has {} bytes, MANIFEST says {}",
                                              TableBaseName(f->table.number), size.value(),
                                              f->table.file_bytes));
      }
    }
  }
  return Status::Ok();
}

// ---- Writing the MANIFEST ----------------------------------------------------------------

Status VersionSet::StartNewManifest(uint64_t number, std::unique_ptr<WritableFile>* file,
                                    std::unique_ptr<log::Writer>* writer) const {
  Status s = CheckFaultPoint("engine/manifest/new_file");
  if (!s.ok()) return s;
  auto created = fs_->NewWritableFile(ManifestFileName(db_path_, number));
  if (!created.ok()) return created.status();
  *file = std::move(created).value();
  *writer = std::make_unique<log::Writer>(file->get());
  return Status::Ok();
}

Status VersionSet::WriteManifestRecord(log::Writer* writer, WritableFile* file,
                                       const VersionEdit& edit, bool new_manifest,
                                       uint64_t manifest_number, ManifestStage* stage) const {
  std::string record;
  edit.EncodeTo(&record);
  *stage = ManifestStage::kAppend;
  Status s = CheckFaultPoint("engine/manifest/append");
  if (s.ok()) s = writer->AddRecord(record);
  if (!s.ok()) return s;
  *stage = ManifestStage::kSync;
  s = CheckFaultPoint("engine/manifest/sync");
  // Planted bug (leveldb #189): a new MANIFEST's first record is left unsynced.
  const bool skip_sync = new_manifest && options_.mutations.Has(Mutation::kCurrentNotSynced);
  if (s.ok() && !skip_sync) s = file->Sync();
  if (!s.ok()) return s;
  if (new_manifest) {
    *stage = ManifestStage::kSetCurrent;
    s = SetCurrentFile(manifest_number);
    if (!s.ok()) return s;
  }
  *stage = ManifestStage::kDone;
  return s;
}

Status VersionSet::SetCurrentFile(uint64_t manifest_number) const {
  Status s = CheckFaultPoint("engine/manifest/set_current");
  if (!s.ok()) return s;
  const std::string name = ManifestFileName(db_path_, manifest_number);
  const std::string contents = name.substr(db_path_.size() + 1) + "\n";
  if (options_.mutations.Has(Mutation::kCurrentNotSynced)) {
    // Planted bug (leveldb #189): CURRENT is switched with neither the new contents nor the rename
    // made durable.
    const std::string temp = CurrentFileName(db_path_) + ".dbtmp";
    auto file = fs_->NewWritableFile(temp);
    if (!file.ok()) return file.status();
    s = file.value()->Append(contents);
    if (s.ok()) s = file.value()->Close();
    if (s.ok()) s = fs_->RenameFile(temp, CurrentFileName(db_path_));
    return s;
  }
  return WriteFileAtomically(fs_, db_path_, CurrentFileName(db_path_), contents);
}

Status VersionSet::LogAndApply(VersionEdit* edit, std::unique_lock<std::mutex>* lock) {
  VSTRESS_CHECK(lock->owns_lock());
  VSTRESS_CHECK(!manifest_write_in_progress_);
  if (!edit->log_number()) edit->SetLogNumber(log_number_);
  VersionBuilder builder(current_);
  Status s = builder.Apply(*edit);
  if (!s.ok()) return s;
  auto built = builder.Build(this, next_version_id_++);
  if (!built.ok()) return built.status();
  Version* v = built.value();
  ComputeCompactionScore(v);

  // A MANIFEST past its size limit is replaced by a new one holding the whole state.
  const bool rollover =
      manifest_log_ != nullptr && manifest_file_->Size() >= options_.max_manifest_bytes;
  const bool new_manifest = manifest_log_ == nullptr || rollover;
  const uint64_t manifest_number = new_manifest ? NewFileNumber() : manifest_file_number_;
  if (rollover && options_.mutations.Has(Mutation::kGcDeletesLiveManifest)) {
    // Planted bug (rocksdb PR #12865): the number moves on before the new MANIFEST exists, and
    // stays moved if it never does; file GC keeps only the MANIFEST with this number.
    manifest_file_number_ = manifest_number;
  }
  last_failure_retryable_ = false;
  edit->SetNextFileNumber(next_file_number_);
  edit->SetLastSequence(last_sequence());
  VersionEdit record = new_manifest ? SnapshotEdit(*v) : *edit;
  if (new_manifest) {
    record.SetLogNumber(*edit->log_number());
    record.SetNextFileNumber(next_file_number_);
    record.SetLastSequence(last_sequence());
  }
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<log::Writer> writer;

  manifest_write_in_progress_ = true;
  lock->unlock();
  ManifestStage stage = ManifestStage::kNewFile;
  if (new_manifest) s = StartNewManifest(manifest_number, &file, &writer);
  if (s.ok()) {
    s = WriteManifestRecord(new_manifest ? writer.get() : manifest_log_.get(),
                            new_manifest ? file.get() : manifest_file_.get(), record, new_manifest,
                            manifest_number, &stage);
  }
  if (rollover && !s.ok() && stage != ManifestStage::kSetCurrent) {
    // The new MANIFEST failed before CURRENT named it: CURRENT still names the old one, intact, so
    // the edit goes there and the next edit tries the rollover again. The new file is garbage for
    // file GC (its number is not the MANIFEST's).
    file.reset();
    writer.reset();
    stage = ManifestStage::kNewFile;
    s = WriteManifestRecord(manifest_log_.get(), manifest_file_.get(), *edit,
                            /*new_manifest=*/false, manifest_file_number_, &stage);
  }
  lock->lock();
  manifest_write_in_progress_ = false;

  if (!s.ok()) {
    // Nothing is installed.
    v->Ref();
    v->Unref();
    const bool planted_sync =
        stage == ManifestStage::kSync &&
        options_.mutations.Has(Mutation::kManifestRecordOnDiskAfterSyncFailure);
    const bool planted_append = stage == ManifestStage::kAppend &&
                                options_.mutations.Has(Mutation::kManifestAppendAfterError);
    if (manifest_log_ != nullptr && (planted_sync || planted_append)) {
      // Planted bugs (rocksdb #4990, #6316): the failure is taken as an edit that never reached the
      // MANIFEST, which stays in use; later edits follow the record (or its torn remains).
      last_failure_retryable_ = true;
      return s;
    }
    // The MANIFEST may now end in a torn or unsynced record, so it is never appended to again; the
    // number it was given is not reused as "the" MANIFEST (rocksdb #12865).
    manifest_log_.reset();
    manifest_file_.reset();
    return s;
  }
  if (new_manifest && file != nullptr) {
    manifest_file_ = std::move(file);
    manifest_log_ = std::move(writer);
    manifest_file_number_ = manifest_number;
  }
  log_number_ = *edit->log_number();
  InstallLocked(v);
  return Status::Ok();
}

// ---- Installing and releasing Versions ----------------------------------------------------

void VersionSet::InstallLocked(Version* v) {
  std::vector<FileMetaData*> dropped;
  if (current_ != nullptr) {
    std::set<uint64_t> kept;
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : v->files(level)) kept.insert(f->table.number);
    }
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : current_->files(level)) {
        if (kept.count(f->table.number) != 0) continue;
        f->obsolete.store(true, std::memory_order_release);
        EngineStats::Add(stats_->deferred_deletions, 1);
        EngineStats::Add(stats_->deferred_deletion_bytes, f->table.file_bytes);
        dropped.push_back(f.get());
      }
    }
  }
  v->Ref();
  {
    std::lock_guard<std::mutex> guard(live_mu_);
    v->prev_ = live_head_->prev_;
    v->next_ = live_head_;
    v->prev_->next_ = v;
    live_head_->prev_ = v;
  }
  EngineStats::Add(stats_->live_versions, 1);
  EngineStats::Add(stats_->version_installs, 1);
  uint64_t deepest = 0;
  for (int level = kNumLevels - 1; level > 0 && deepest == 0; level--) {
    if (v->NumFiles(level) > 0) deepest = static_cast<uint64_t>(level);
  }
  stats_->deepest_level.store(deepest, std::memory_order_relaxed);
  Version* old = current_;
  current_ = v;
  if (options_.mutations.Has(Mutation::kDeleteObsoleteImmediately)) {
    // Planted bug: ignore the older Versions that still list the dropped tables.
    for (FileMetaData* f : dropped) DeleteObsoleteTable(f);
  }
  if (old != nullptr) old->Unref();
}

void VersionSet::ReleaseVersion(Version* v) {
  bool linked;
  {
    std::lock_guard<std::mutex> guard(live_mu_);
    linked = v->next_ != nullptr;
    if (linked) {
      v->prev_->next_ = v->next_;
      v->next_->prev_ = v->prev_;
    }
  }
  if (linked) EngineStats::Sub(stats_->live_versions, 1);
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v->files(level)) {
      if (f->version_refs.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
          f->obsolete.load(std::memory_order_acquire)) {
        DeleteObsoleteTable(f.get());
      }
    }
  }
  // Under the unref-twice mutant a Version can reach zero while still current or read; keeping the
  // object turns that planted bug into missing files and an underflow count, not a use after free.
  if (!options_.mutations.Has(Mutation::kUnrefTwice)) delete v;
}

void VersionSet::ReportRefcountUnderflow(Version* v) {
  // Said once; refcount_underflows() (engine/testing.h) counts them all.
  if (refcount_underflows_.fetch_add(1) == 0) {
    std::fprintf(stderr, "engine: Version %llu released more often than referenced\n",
                 static_cast<unsigned long long>(v->id()));
  }
}

// ---- Deleting files -------------------------------------------------------------------------

Status VersionSet::DeleteFile(const std::string& path) {
  Status s = CheckFaultPoint("engine/file/delete");
  if (s.ok()) s = fs_->DeleteFile(path);
  if (s.ok()) EngineStats::Add(stats_->files_deleted, 1);
  return s;
}

void VersionSet::DeleteObsoleteTable(FileMetaData* f) {
  if (f->deleted.exchange(true, std::memory_order_acq_rel)) return;
  // Invariant 1 (doc/design.md): a table a live Version lists is never deleted. A planted bug may
  // break it on purpose; then the harness, not this check, must notice.
  if (kInvariantsEnabled && options_.mutations.empty()) {
    VSTRESS_DCHECK(LiveTableNumbers().count(f->table.number) == 0);
  }
  DeleteDeferredTable(f->table.number, f->table.file_bytes);
}

void VersionSet::DeleteDeferredTable(uint64_t number, uint64_t file_bytes) {
  if (!deletions_suspended()) {
    table_cache_->Evict(number);
    const std::string path = TableFileName(db_path_, number);
    // A table already gone (open-time or post-flush GC got there first) counts as deleted.
    if (DeleteFile(path).ok() || !fs_->FileExists(path)) {
      EngineStats::Sub(stats_->deferred_deletions, 1);
      EngineStats::Sub(stats_->deferred_deletion_bytes, file_bytes);
      return;
    }
  }
  std::lock_guard<std::mutex> guard(pending_mu_);
  pending_deletions_.push_back({number, file_bytes});
}

size_t VersionSet::RetryFailedDeletions() {
  std::vector<PendingDeletion> retry;
  {
    std::lock_guard<std::mutex> guard(pending_mu_);
    if (deletions_suspended()) return pending_deletions_.size();
    retry.swap(pending_deletions_);
  }
  for (const auto& p : retry) DeleteDeferredTable(p.number, p.file_bytes);
  std::lock_guard<std::mutex> guard(pending_mu_);
  return pending_deletions_.size();
}

// ---- Introspection and scoring ------------------------------------------------------------

std::vector<LiveVersionInfo> VersionSet::LiveVersions() const {
  std::vector<LiveVersionInfo> out;
  std::lock_guard<std::mutex> guard(live_mu_);
  for (Version* v = live_head_->next_; v != live_head_; v = v->next_) {
    LiveVersionInfo info;
    info.id = v->id();
    info.refs = v->refs();
    info.is_current = v->next_ == live_head_;
    info.files_per_level.resize(kNumLevels);
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : v->files(level)) info.files_per_level[level].push_back(f->table.number);
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<VersionSet::LiveTable> VersionSet::LiveTables() const {
  std::vector<LiveTable> out;
  std::lock_guard<std::mutex> guard(live_mu_);
  for (Version* v = live_head_->next_; v != live_head_; v = v->next_) {
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : v->files(level)) {
        out.push_back({v->id(), v->next_ == live_head_, level, f});
      }
    }
  }
  return out;
}

std::set<uint64_t> VersionSet::LiveTableNumbers() const {
  std::set<uint64_t> live;
  std::lock_guard<std::mutex> guard(live_mu_);
  for (Version* v = live_head_->next_; v != live_head_; v = v->next_) {
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : v->files(level)) live.insert(f->table.number);
    }
  }
  return live;
}

double VersionSet::OldestVersionAgeSeconds() const {
  std::lock_guard<std::mutex> guard(live_mu_);
  if (live_head_->next_ == live_head_) return 0;
  const uint64_t now = clock()->NowNanos();
  const uint64_t created = live_head_->next_->created_nanos();
  return now > created ? static_cast<double>(now - created) / 1e9 : 0;
}

void VersionSet::ComputeCompactionScore(Version* v) const {
  double best_score = -1;
  int best_level = 0;
  for (int level = 0; level < kNumLevels - 1; level++) {
    double score;
    if (level == 0) {
      score = static_cast<double>(v->NumFiles(0)) / options_.level0_compaction_trigger;
    } else {
      score = static_cast<double>(v->LevelBytes(level)) /
              static_cast<double>(MaxBytesForLevel(options_, level));
    }
    if (score > best_score) {
      best_score = score;
      best_level = level;
    }
  }
  v->compaction_score_ = best_score;
  v->compaction_level_ = best_level;
}

}  // namespace engine
