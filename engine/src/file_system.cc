// The FileSystem helpers that every implementation shares: whole-file read and atomic replace.
//
// Thread contract: thread-safe (they hold no state; concurrent calls on one path race as the
// underlying renames do).
#include "engine/file_system.h"

namespace engine {
namespace {

// Large enough that CURRENT and small MANIFESTs take one Read, small enough not to matter.
constexpr size_t kReadChunkBytes = 64 * 1024;

// The temp file's name. Beside `path`, so the rename stays within one directory (and one
// file system, where rename is atomic).
std::string TempPathFor(const std::string& path) { return path + ".dbtmp"; }

Status WriteAndClose(FileSystem* fs, const std::string& path, std::string_view data) {
  Result<std::unique_ptr<WritableFile>> file = fs->NewWritableFile(path);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(data);
  if (s.ok()) s = (*file)->Sync();
  // Close even after a failure, so the descriptor is not held until the file is destroyed.
  const Status closed = (*file)->Close();
  return s.ok() ? closed : s;
}

}  // namespace

Status ReadFileToString(FileSystem* fs, const std::string& path, std::string* data) {
  data->clear();
  Result<std::unique_ptr<SequentialFile>> file = fs->NewSequentialFile(path);
  if (!file.ok()) return file.status();
  std::string scratch;
  while (true) {
    std::string_view chunk;
    Status s = (*file)->Read(kReadChunkBytes, &scratch, &chunk);
    if (!s.ok()) return s;
    if (chunk.empty()) return Status::Ok();
    data->append(chunk);
  }
}

Status WriteFileAtomically(FileSystem* fs, const std::string& dir, const std::string& path,
                           std::string_view data) {
  const std::string temp_path = TempPathFor(path);
  Status s = WriteAndClose(fs, temp_path, data);
  if (s.ok()) s = fs->RenameFile(temp_path, path);
  if (!s.ok()) {
    // Best effort: the first failure is the one worth reporting, and a leftover temp file is
    // truncated by the next attempt anyway.
    fs->DeleteFile(temp_path);
    return s;
  }
  // Without this the rename may not survive a power loss, and `path` would revert to its old
  // contents (or vanish) after the caller has acted on the new ones.
  return fs->SyncDir(dir);
}

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string TrimDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace engine
