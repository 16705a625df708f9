// FileSystemEnv: a leveldb::Env whose every file operation goes through an engine::FileSystem —
// the run's FaultFS, over the real file system or an in-memory one — so LevelDB's files meet the
// same fault rules and the same power-loss model as the vstress engine's. Threads, the clock and
// sleeping stay LevelDB's default Env's.
//
// What LevelDB's own POSIX Env does beyond plain calls, and this one therefore does too: syncing a
// MANIFEST file also syncs its directory first (env_posix.cc, SyncDirIfManifest), which is what
// makes a new MANIFEST's and its tables' creation durable. Nothing else syncs a directory: the
// rename that installs CURRENT is durable only once a later MANIFEST sync syncs the directory,
// exactly as on LevelDB's own Env (doc/design.md, "LevelDB's durability model").
//
// Not supported (LevelDB does not call them with vstress's options): NewAppendableFile (only with
// reuse_logs), RemoveDir (only DestroyDB). Both answer NotSupported rather than reaching the real
// file system behind FaultFS's back.
//
// Thread contract: thread-safe, as leveldb::Env requires (engine::FileSystem is).
#pragma once

#include <leveldb/env.h>

#include <memory>

#include "engine/file_system.h"

namespace stores {

class FileSystemEnv final : public leveldb::EnvWrapper {
 public:
  explicit FileSystemEnv(std::shared_ptr<engine::FileSystem> fs);

  leveldb::Status NewSequentialFile(const std::string& path,
                                    leveldb::SequentialFile** result) override;
  leveldb::Status NewRandomAccessFile(const std::string& path,
                                      leveldb::RandomAccessFile** result) override;
  leveldb::Status NewWritableFile(const std::string& path, leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& path,
                                    leveldb::WritableFile** result) override;
  bool FileExists(const std::string& path) override;
  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;
  leveldb::Status RemoveFile(const std::string& path) override;
  leveldb::Status CreateDir(const std::string& dir) override;
  leveldb::Status RemoveDir(const std::string& dir) override;
  leveldb::Status GetFileSize(const std::string& path, uint64_t* size) override;
  leveldb::Status RenameFile(const std::string& from, const std::string& to) override;
  leveldb::Status LockFile(const std::string& path, leveldb::FileLock** lock) override;
  leveldb::Status UnlockFile(leveldb::FileLock* lock) override;
  leveldb::Status NewLogger(const std::string& path, leveldb::Logger** result) override;

 private:
  const std::shared_ptr<engine::FileSystem> fs_;
};

// engine::Status as LevelDB spells it: NotFound stays NotFound (LevelDB tests for it), every other
// failure is an IOError carrying the message (tagged when injected: stores::MessageForEngine).
leveldb::Status ToLevelDbStatus(const engine::Status& s);

}  // namespace stores
