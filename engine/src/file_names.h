// The names of the files in a DB directory, and parsing them back.
//
//   NNNNNN.log        WAL            NNNNNN.sst   table
//   MANIFEST-NNNNNN   VersionEdit log
//   CURRENT           names the live MANIFEST (one line, written via a synced temp file + rename)
//   LOCK              flock'ed by the process that has the DB open
//   NNNNNN.dbtmp      temp file (CURRENT being replaced)
// Every numbered file draws its number from one counter (VersionSet::NewFileNumber).
//
// Thread contract: immutable (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace engine {

// Do not change: on-disk format (file names).
enum class FileType { kWal, kTable, kManifest, kCurrent, kLock, kTemp };

std::string WalFileName(const std::string& db_path, uint64_t number);
std::string TableFileName(const std::string& db_path, uint64_t number);
std::string ManifestFileName(const std::string& db_path, uint64_t number);
std::string CurrentFileName(const std::string& db_path);
std::string LockFileName(const std::string& db_path);
std::string TempFileName(const std::string& db_path, uint64_t number);
// Just the table's name ("000012.sst"), for messages.
std::string TableBaseName(uint64_t number);

// Parses a directory entry name (not a path). False for names the engine does not own.
bool ParseFileName(std::string_view name, uint64_t* number, FileType* type);

}  // namespace engine
