// EngineFileSystem: a rocksdb::FileSystem whose file operations go through an engine::FileSystem —
// the run's FaultFS over the real file system — so RocksDB's files meet the same fault rules and
// the same power-loss bookkeeping as the vstress engine's and LevelDB's. It is put under RocksDB
// with rocksdb::NewCompositeEnv, so RocksDB's threads and clock stay its default Env's.
//
// Through the engine file system: sequential, random-access and writable files (append, flush,
// sync, fsync, close), directories (NewDirectory's Fsync is SyncDir: RocksDB syncs the DB
// directory itself after creating, renaming and deleting files), existence, children, deletion,
// creation of a directory, sizes, renames, the LOCK file and the info LOG.
//
// Not through it: questions that change nothing on disk and that engine::FileSystem cannot answer
// (GetAbsolutePath, IsDirectory, GetFreeSpace, GetFileModificationTime, NumFileLinks,
// AreFilesSame, GetTestDirectory) go to RocksDB's default file system. Calls RocksDB makes only
// with options vstress never sets answer NotSupported rather than write behind FaultFS's back:
// ReopenWritableFile (truncating a preallocated WAL on recovery, "not a critical error" to
// RocksDB), ReuseWritableFile (recycle_log_file_num), NewRandomRWFile, LinkFile (checkpoints,
// ingestion), Truncate, DeleteDir.
//
// Thread contract: thread-safe, as rocksdb::FileSystem requires (engine::FileSystem is).
#pragma once

#include <rocksdb/file_system.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/file_system.h"

namespace stores {

class EngineFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit EngineFileSystem(std::shared_ptr<engine::FileSystem> fs);

  static const char* kClassName() { return "VstressEngineFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewSequentialFile(const std::string& path, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& path,
                                        const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& path, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus FileExists(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& options,
                                std::vector<std::string>* names,
                                rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& path, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& dir, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& dir, const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& dir, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileSize(const std::string& path, const rocksdb::IOOptions& options,
                                uint64_t* size, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LockFile(const std::string& path, const rocksdb::IOOptions& options,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewLogger(const std::string& path, const rocksdb::IOOptions& options,
                              std::shared_ptr<rocksdb::Logger>* result,
                              rocksdb::IODebugContext* dbg) override;

 private:
  const std::shared_ptr<engine::FileSystem> fs_;
};

// engine::Status as RocksDB spells it: NotFound stays NotFound (RocksDB tests for it), NoSpace
// stays NoSpace, every other failure is an IOError carrying the message (tagged when injected:
// stores::MessageForEngine).
rocksdb::IOStatus ToRocksDbStatus(const engine::Status& s);

}  // namespace stores
