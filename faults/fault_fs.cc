#include "faults/fault_fs.h"

#include <algorithm>
#include <string_view>

namespace faults {
namespace {

using engine::ParentDir;
using engine::Result;
using engine::Status;
using engine::TrimDir;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The kind of file a name belongs to, as the fs/ point names spell it. Mirrors the engine's file
// names (engine/src/file_names.h), which other modules may not include.
const char* FileKind(std::string_view name) {
  if (name == "CURRENT") return "current";
  if (name.starts_with("MANIFEST-")) return "manifest";
  const size_t dot = name.find('.');
  if (dot != std::string_view::npos && AllDigits(name.substr(0, dot))) {
    const std::string_view suffix = name.substr(dot + 1);
    if (suffix == "log") return "wal";
    if (suffix == "sst" || suffix == "ldb") return "table";  // LevelDB names its tables .ldb
  }
  return "other";
}

// splitmix64: a tiny, well-mixed PRNG step, so a torn length depends only on the seed and path.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashPath(const std::string& path) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : path) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

Status Injected(Status s) { return std::move(s.MarkInjected()); }

}  // namespace

// ---- Handles --------------------------------------------------------------------------------

// Forwards to the base file and keeps the FileState up to date; dead once a Crash happened after
// it was opened.
class FaultFS::Writer final : public engine::WritableFile {
 public:
  Writer(FaultFS* fs, std::string path, std::unique_ptr<engine::WritableFile> base,
         std::shared_ptr<FileState> state, uint64_t epoch)
      : fs_(fs),
        path_(std::move(path)),
        append_point_(PointName(path_, "append")),
        sync_point_(PointName(path_, "sync")),
        base_(std::move(base)),
        state_(std::move(state)),
        epoch_(epoch) {}

  Status Append(std::string_view data) override {
    bool torn = false;
    Status s = fs_->Decide(append_point_, path_, /*append=*/true, &torn);
    if (!s.ok()) return s;
    std::shared_lock<std::shared_mutex> io(fs_->io_mu_);
    if (!fs_->AliveLocked(epoch_)) return CrashedStatus(path_);
    // A strict prefix: a torn write never completes, whatever its length.
    const std::string_view written = torn ? data.substr(0, data.size() / 2) : data;
    s = base_->Append(written);
    if (s.ok()) fs_->RecordAppend(state_.get(), written.size());
    if (s.ok() && torn) {
      return Injected(Status::IOError(path_ + ": injected torn write at " + append_point_));
    }
    return s;
  }

  Status Sync() override {
    bool torn = false;
    Status s = fs_->Decide(sync_point_, path_, /*append=*/false, &torn);
    if (!s.ok()) return s;
    std::shared_lock<std::shared_mutex> io(fs_->io_mu_);
    if (!fs_->AliveLocked(epoch_)) return CrashedStatus(path_);
    s = base_->Sync();
    if (s.ok()) fs_->RecordSync(state_.get(), path_);
    return s;
  }

  Status Close() override {
    std::shared_lock<std::shared_mutex> io(fs_->io_mu_);
    const bool alive = fs_->AliveLocked(epoch_);
    // Closing the base changes no data, so a dead handle still releases its descriptor.
    Status s = base_->Close();
    return alive ? s : CrashedStatus(path_);
  }

  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultFS* const fs_;
  const std::string path_;
  const std::string append_point_;
  const std::string sync_point_;
  const std::unique_ptr<engine::WritableFile> base_;
  const std::shared_ptr<FileState> state_;
  const uint64_t epoch_;
};

class FaultFS::SequentialReader final : public engine::SequentialFile {
 public:
  SequentialReader(const FaultFS* fs, std::string path,
                   std::unique_ptr<engine::SequentialFile> base, uint64_t epoch)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)), epoch_(epoch) {}

  Status Read(size_t n, std::string* scratch, std::string_view* result) override {
    // Reads change nothing, so a racing Crash only decides which status this read gets.
    if (!fs_->AliveUnlocked(epoch_)) {
      *result = {};
      return CrashedStatus(path_);
    }
    return base_->Read(n, scratch, result);
  }

 private:
  const FaultFS* const fs_;
  const std::string path_;
  const std::unique_ptr<engine::SequentialFile> base_;
  const uint64_t epoch_;
};

class FaultFS::RandomReader final : public engine::RandomAccessFile {
 public:
  RandomReader(const FaultFS* fs, std::string path, std::unique_ptr<engine::RandomAccessFile> base,
               uint64_t epoch)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)), epoch_(epoch) {}

  Status Read(uint64_t offset, size_t n, std::string* scratch,
              std::string_view* result) const override {
    if (!fs_->AliveUnlocked(epoch_)) {
      *result = {};
      return CrashedStatus(path_);
    }
    return base_->Read(offset, n, scratch, result);
  }

 private:
  const FaultFS* const fs_;
  const std::string path_;
  const std::unique_ptr<engine::RandomAccessFile> base_;
  const uint64_t epoch_;
};

// ---- Control --------------------------------------------------------------------------------

FaultFS::FaultFS(std::shared_ptr<engine::FileSystem> base) : base_(std::move(base)) {}

FaultFS::~FaultFS() = default;

void FaultFS::SetDecider(Decider decider) {
  std::lock_guard<std::mutex> guard(mu_);
  decider_ = decider ? std::make_shared<const Decider>(std::move(decider)) : nullptr;
}

void FaultFS::TearNextAppendOnThisThread() {
  std::lock_guard<std::mutex> guard(mu_);
  torn_armed_.insert(std::this_thread::get_id());
}

std::string FaultFS::PointName(const std::string& path, const char* op) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string::npos
                                    ? std::string_view(path)
                                    : std::string_view(path).substr(slash + 1);
  return std::string("fs/") + FileKind(name) + "/" + op;
}

Status FaultFS::CrashedStatus(const std::string& path) {
  return Injected(Status::IOError(path + ": file system frozen by a simulated power loss"));
}

bool FaultFS::AliveLocked(uint64_t epoch) const { return AliveUnlocked(epoch); }

bool FaultFS::AliveUnlocked(uint64_t epoch) const {
  return !crashed_.load(std::memory_order_acquire) &&
         epoch == epoch_.load(std::memory_order_acquire);
}

Status FaultFS::Decide(const std::string& point, const std::string& path, bool append, bool* torn) {
  std::shared_ptr<const Decider> decider;
  {
    // One lock for the torn arm and the Decider: this runs before every append, sync, rename and
    // delete.
    std::lock_guard<std::mutex> guard(mu_);
    if (append && torn_armed_.erase(std::this_thread::get_id()) > 0) {
      *torn = true;  // armed by TearNextAppendOnThisThread; consumed once
      return Status::Ok();
    }
    decider = decider_;
  }
  const std::optional<Action> action = decider ? (*decider)(point, path) : std::nullopt;
  if (!action) return Status::Ok();
  switch (*action) {
    case Action::kDelay:
      return Status::Ok();  // the Decider slept; the op goes on
    case Action::kTorn:
      if (append) {
        *torn = true;
        return Status::Ok();
      }
      break;  // nothing to tear: an error
    case Action::kNoSpace:
      return Injected(Status::NoSpace(path + ": injected ENOSPC at " + point));
    case Action::kCrash:
      Crash(CrashMode::kDropUnsynced, 0);
      return Injected(Status::IOError(path + ": injected power loss at " + point));
    case Action::kError:
    case Action::kHang:   // never returns from the Decider
    case Action::kAbort:  // never returns from the Decider
      break;
  }
  return Injected(Status::IOError(path + ": injected EIO at " + point));
}

void FaultFS::Crash(CrashMode mode, uint64_t seed) {
  std::unique_lock<std::shared_mutex> io(io_mu_);
  if (crashed_.load(std::memory_order_acquire)) return;
  crashed_.store(true, std::memory_order_release);
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  std::lock_guard<std::mutex> guard(mu_);
  pending_loss_ = {mode, seed};
  torn_armed_.clear();
}

void FaultFS::Restart() {
  std::unique_lock<std::shared_mutex> io(io_mu_);
  std::lock_guard<std::mutex> guard(mu_);
  if (pending_loss_) {
    // Renames first (newest first), so each undone rename brings back a name a creation may own;
    // then creations; then bytes, on whatever names are left.
    UndoRenamesLocked();
    RemoveUnsyncedCreationsLocked();
    CutUnsyncedBytesLocked(pending_loss_->first, pending_loss_->second);
    pending_loss_.reset();
  }
  crashed_.store(false, std::memory_order_release);
}

std::optional<std::pair<uint64_t, uint64_t>> FaultFS::SyncedAndWritten(
    const std::string& path) const {
  std::lock_guard<std::mutex> guard(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return std::make_pair(it->second->synced_bytes, it->second->written_bytes);
}

// ---- Crash's steps --------------------------------------------------------------------------

void FaultFS::UndoRenamesLocked() {
  for (auto r = renames_.rbegin(); r != renames_.rend(); ++r) {
    // A destination deleted after the rename: the delete stands (deletes are never undone), and
    // on a journaling file system a later unlink cannot persist without the earlier rename.
    if (!base_->FileExists(r->to)) continue;
    if (!base_->RenameFile(r->to, r->from).ok()) continue;
    auto moved = files_.find(r->to);
    if (moved != files_.end()) {
      files_[r->from] = moved->second;
      files_.erase(moved);
    } else {
      files_.erase(r->from);  // untracked data is durable data
    }
    if (r->previous_to) {
      Result<std::unique_ptr<engine::WritableFile>> file = base_->NewWritableFile(r->to);
      if (!file.ok()) continue;
      (*file)->Append(*r->previous_to);
      (*file)->Sync();
      (*file)->Close();
      const uint64_t bytes = r->previous_to->size();
      files_[r->to] = std::make_shared<FileState>(FileState{bytes, bytes});
    }
  }
  renames_.clear();
}

void FaultFS::RemoveUnsyncedCreationsLocked() {
  for (const auto& [dir, paths] : created_) {
    for (const std::string& path : paths) {
      if (base_->FileExists(path)) base_->DeleteFile(path);
      files_.erase(path);
    }
  }
  created_.clear();
}

void FaultFS::CutUnsyncedBytesLocked(CrashMode mode, uint64_t seed) {
  for (auto& [path, state] : files_) {
    Result<uint64_t> size = base_->GetFileSize(path);
    if (!size.ok()) continue;
    uint64_t keep = state->synced_bytes;
    if (mode == CrashMode::kTornUnsynced && state->written_bytes > state->synced_bytes) {
      const uint64_t unsynced = state->written_bytes - state->synced_bytes;
      keep += Mix(seed ^ HashPath(path)) % (unsynced + 1);
    }
    keep = std::min(keep, size.value());
    if (keep < size.value()) base_->Truncate(path, keep);
    // What is left is what the disk holds: durable by definition.
    state->synced_bytes = keep;
    state->written_bytes = keep;
  }
}

// ---- Bookkeeping ----------------------------------------------------------------------------

std::shared_ptr<FaultFS::FileState> FaultFS::TrackNewFile(const std::string& path, bool existed) {
  std::lock_guard<std::mutex> guard(mu_);
  if (!existed) created_[ParentDir(path)].insert(path);
  std::shared_ptr<FileState>& state = files_[path];
  if (state == nullptr) {
    state = std::make_shared<FileState>();
  } else {
    // Truncated in place (O_TRUNC on the same inode): an older writer shares the reset.
    state->written_bytes = 0;
    state->synced_bytes = 0;
  }
  return state;
}

void FaultFS::RecordAppend(FileState* state, uint64_t bytes) {
  std::lock_guard<std::mutex> guard(mu_);
  state->written_bytes += bytes;
}

void FaultFS::RecordSync(FileState* state, const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  if (mutations_.count(Mutation::kSyncDoesNothing) != 0) return;
  if (mutations_.count(Mutation::kManifestSyncLate) != 0 &&
      PointName(path, "sync") == "fs/manifest/sync") {
    state->synced_bytes = std::max(state->synced_bytes, state->late_sync_bytes);
    state->late_sync_bytes = state->written_bytes;
  } else {
    state->synced_bytes = state->written_bytes;
  }
  if (metadata_model_ == MetadataModel::kOrdered) CommitMetadataLocked();
}

std::optional<FaultFS::Mutation> FaultFS::MutationNamed(std::string_view name) {
  if (name == "sync-does-nothing") return Mutation::kSyncDoesNothing;
  if (name == "rename-not-durable") return Mutation::kRenameNotDurable;
  if (name == "delete-before-manifest-durable") return Mutation::kManifestSyncLate;
  return std::nullopt;
}

void FaultFS::Plant(Mutation mutation) {
  std::lock_guard<std::mutex> guard(mu_);
  mutations_.insert(mutation);
}

void FaultFS::SetMetadataModel(MetadataModel model) {
  std::lock_guard<std::mutex> guard(mu_);
  metadata_model_ = model;
}

void FaultFS::CommitMetadataLocked() {
  created_.clear();
  if (mutations_.count(Mutation::kRenameNotDurable) == 0) renames_.clear();
}

void FaultFS::RecordRename(const std::string& from, const std::string& to,
                           std::optional<std::string> previous_to) {
  std::lock_guard<std::mutex> guard(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(from);
  } else {
    files_.erase(to);  // `from` was durable and untracked; so is `to` now
  }
  renames_.push_back(PendingRename{from, to, std::move(previous_to)});
}

void FaultFS::RecordDelete(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  // A deletion is durable at once (see Limitations): in order, so is everything before it.
  if (metadata_model_ == MetadataModel::kOrdered) CommitMetadataLocked();
  files_.erase(path);
  auto it = created_.find(ParentDir(path));
  if (it != created_.end()) it->second.erase(path);
}

void FaultFS::RecordTruncate(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> guard(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    // An untracked (durable) file: its first size-changing op starts tracking it, durable as is.
    files_[path] = std::make_shared<FileState>(FileState{size, size});
    return;
  }
  it->second->written_bytes = size;
  it->second->synced_bytes = std::min(it->second->synced_bytes, size);
}

void FaultFS::RecordSyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> guard(mu_);
  created_.erase(dir);
  if (mutations_.count(Mutation::kRenameNotDurable) != 0) return;
  std::erase_if(renames_, [&](const PendingRename& r) { return ParentDir(r.to) == dir; });
}

std::optional<std::string> FaultFS::DurableContents(const std::string& path) {
  if (!base_->FileExists(path)) return std::nullopt;
  std::string data;
  if (!engine::ReadFileToString(base_.get(), path, &data).ok()) return std::nullopt;
  std::lock_guard<std::mutex> guard(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) data.resize(std::min<uint64_t>(data.size(), it->second->synced_bytes));
  return data;
}

// ---- engine::FileSystem ---------------------------------------------------------------------

Result<std::unique_ptr<engine::WritableFile>> FaultFS::NewWritableFile(const std::string& path) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  if (crashed()) return CrashedStatus(path);
  const bool existed = base_->FileExists(path);
  Result<std::unique_ptr<engine::WritableFile>> file = base_->NewWritableFile(path);
  if (!file.ok()) return file.status();
  std::shared_ptr<FileState> state = TrackNewFile(path, existed);
  return std::unique_ptr<engine::WritableFile>(std::make_unique<Writer>(
      this, path, std::move(file).value(), std::move(state), epoch_.load()));
}

Result<std::unique_ptr<engine::SequentialFile>> FaultFS::NewSequentialFile(
    const std::string& path) {
  const uint64_t epoch = epoch_.load(std::memory_order_acquire);
  if (crashed()) return CrashedStatus(path);
  Result<std::unique_ptr<engine::SequentialFile>> file = base_->NewSequentialFile(path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<engine::SequentialFile>(
      std::make_unique<SequentialReader>(this, path, std::move(file).value(), epoch));
}

Result<std::unique_ptr<engine::RandomAccessFile>> FaultFS::NewRandomAccessFile(
    const std::string& path) {
  const uint64_t epoch = epoch_.load(std::memory_order_acquire);
  if (crashed()) return CrashedStatus(path);
  Result<std::unique_ptr<engine::RandomAccessFile>> file = base_->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<engine::RandomAccessFile>(
      std::make_unique<RandomReader>(this, path, std::move(file).value(), epoch));
}

bool FaultFS::FileExists(const std::string& path) { return !crashed() && base_->FileExists(path); }

Status FaultFS::GetChildren(const std::string& dir, std::vector<std::string>* names) {
  if (crashed()) {
    names->clear();
    return CrashedStatus(dir);
  }
  return base_->GetChildren(dir, names);
}

Status FaultFS::DeleteFile(const std::string& path) {
  bool torn = false;
  Status s = Decide(PointName(path, "delete"), path, /*append=*/false, &torn);
  if (!s.ok()) return s;
  std::shared_lock<std::shared_mutex> io(io_mu_);
  if (crashed()) return CrashedStatus(path);
  s = base_->DeleteFile(path);
  if (s.ok()) RecordDelete(path);
  return s;
}

Status FaultFS::RenameFile(const std::string& from, const std::string& to) {
  bool torn = false;
  Status s = Decide(PointName(to, "rename"), to, /*append=*/false, &torn);
  if (!s.ok()) return s;
  std::shared_lock<std::shared_mutex> io(io_mu_);
  if (crashed()) return CrashedStatus(from);
  // Captured before the rename replaces it: what `to` would revert to if the rename is lost.
  std::optional<std::string> previous_to = from == to ? std::nullopt : DurableContents(to);
  s = base_->RenameFile(from, to);
  if (s.ok() && from != to) RecordRename(from, to, std::move(previous_to));
  return s;
}

Result<uint64_t> FaultFS::GetFileSize(const std::string& path) {
  if (crashed()) return CrashedStatus(path);
  return base_->GetFileSize(path);
}

Status FaultFS::Truncate(const std::string& path, uint64_t size) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  if (crashed()) return CrashedStatus(path);
  Status s = base_->Truncate(path, size);
  if (s.ok()) RecordTruncate(path, size);
  return s;
}

Status FaultFS::CreateDirIfMissing(const std::string& dir) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  if (crashed()) return CrashedStatus(dir);
  return base_->CreateDirIfMissing(dir);
}

Status FaultFS::SyncDir(const std::string& dir) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  if (crashed()) return CrashedStatus(dir);
  Status s = base_->SyncDir(dir);
  if (s.ok()) RecordSyncDir(TrimDir(dir));
  return s;
}

Result<std::unique_ptr<engine::FileLock>> FaultFS::LockFile(const std::string& path) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  if (crashed()) return CrashedStatus(path);
  return base_->LockFile(path);
}

}  // namespace faults
