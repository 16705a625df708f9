// Test-only introspection into a DB's Versions and files, for invariant checks.
//
// A harness uses these to check the Version/file invariants without reading engine internals:
// every table listed by a live Version exists on disk; at quiescence exactly one Version lives and
// the directory holds only its tables plus the live WAL, MANIFEST, CURRENT and LOCK.
//
// Thread contract: thread-safe (each call takes the locks it needs and returns a copy).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/db.h"

namespace engine::testing {

struct LiveVersion {
  uint64_t id = 0;
  int refs = 0;
  bool is_current = false;
  std::vector<std::vector<uint64_t>> files_per_level;  // table numbers, kNumLevels entries
};

// Every live Version, oldest first (the last one is the current Version).
std::vector<LiveVersion> LiveVersions(DB* db);
// Table numbers being written by a flush or compaction (protected from deletion until installed).
std::vector<uint64_t> ProtectedOutputs(DB* db);
// The file names the DB needs right now: current tables, live WALs, MANIFEST, CURRENT, LOCK.
std::vector<std::string> ExpectedFiles(DB* db);
// A table some live Version lists that is not on disk.
struct MissingTable {
  uint64_t number = 0;
  int level = 0;
  uint64_t version_id = 0;
  int version_refs = 0;
};
struct LiveTablesCheck {
  uint64_t versions_checked = 0;      // Versions that stayed live across the directory listing
  std::vector<MissingTable> missing;  // must stay empty
};
// Checks, while the DB runs, that no table a live Version lists is missing. Race-free: only a
// Version present in LiveVersions() both before and after the directory listing is checked, since
// it was live throughout (Version ids are never reused).
LiveTablesCheck CheckLiveTablesExist(DB* db);

// The file name of table `number` ("000012.sst").
std::string TableFileName(uint64_t number);
// How many times a Version was released more often than referenced (must stay 0).
uint64_t RefcountUnderflows(DB* db);

}  // namespace engine::testing
