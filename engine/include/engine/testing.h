// Test-only introspection into a DB's Versions and files, for invariant checks, and the hooks a
// deterministic driver needs.
//
// A harness uses these to check the Version/file invariants without reading engine internals:
// every table listed by a live Version exists on disk; at quiescence exactly one Version lives and
// the directory holds only its tables plus the live WAL, MANIFEST, CURRENT and LOCK. A violation
// report shows where its key lives (LocateKey). A simulator asks whether background work is
// pending and runs other steps at yield sites inside engine operations.
//
// Thread contract: thread-safe (each call takes the locks it needs and returns a copy).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
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
// The close-time invariant, checked before closing: stops background work (as Close does first,
// so the DB takes no more work) and returns every Version that would stay linked once the DB let
// go of its own references — a non-current Version, or the current one with `refs` counting the
// references beyond the DB's own. Must be empty: closing a DB with any left aborts inside the
// engine (a reference leaked). Call with every reader released; afterwards only close the DB.
std::vector<LiveVersion> VersionsLeftAtClose(DB* db);
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

// The number the next new file will get. After a recovery it must exceed every number a file in
// the directory carries (rocksdb #7607, #7621: an unsynced edit naming it might still exist).
uint64_t NextFileNumber(DB* db);

// Whether background work (a flush or a compaction) is waiting: with BackgroundMode::kManual, a
// deterministic driver schedules a RunBackgroundStep only when this is true.
bool BackgroundWorkPending(DB* db);

// Points inside engine operations where a deterministic driver may run another step before the
// operation goes on (a simulated thread switch). At each the engine holds no lock. Do not change
// the names: recorded histories name them.
enum class YieldSite : uint8_t {
  kGetAfterPin,       // "get:after-pin": Get has pinned its read view and not read yet
  kIteratorAfterPin,  // "iterator:after-pin": NewIterator has pinned its read view
  // "compaction:new-output": a compaction (run by RunBackgroundStep) is about to start an output
  // table; its earlier outputs are written but not installed.
  kCompactionNewOutput,
};
const char* YieldSiteName(YieldSite site);
bool YieldSiteFromName(std::string_view name, YieldSite* site);
// Whether a write now would have to wait for background work (the memtable is full and an
// immutable one is still being flushed, or level 0 holds level0_stop_trigger files). Inside a
// background step a driver must not run such a write: with BackgroundMode::kManual it would wait
// for the step it runs inside.
bool WriteWouldWait(DB* db);
// Installs `hook`, called at every yield site (null removes it). Only for a DB driven from one
// thread: the hook runs on the thread of the operation that reached the site.
void SetYieldHook(DB* db, std::function<void(YieldSite)> hook);

// One entry for a user key somewhere in the engine: in a memtable, or in a table that live
// Versions list (with their ids; `in_current` if the current Version lists it).
struct KeyEntry {
  std::string location;  // "memtable", "immutable memtable", "L2 000012.sst"
  int level = -1;        // -1 for memtables
  uint64_t file_number = 0;
  std::vector<uint64_t> versions;  // live Versions listing the table, oldest first
  bool in_current = false;
  uint64_t sequence = 0;
  bool deletion = false;
  std::string value;  // a put's value
  std::string error;  // the table could not be read (e.g. deleted): why
};
// Every entry for `user_key` in the memtables and in each table of every live Version, newest
// first within each place. Thread-safe; for reporting a violation, not for a hot path.
std::vector<KeyEntry> LocateKey(DB* db, std::string_view user_key);

// The file name of table `number` ("000012.sst").
std::string TableFileName(uint64_t number);
// How many times a Version was released more often than referenced (must stay 0).
uint64_t RefcountUnderflows(DB* db);

}  // namespace engine::testing
