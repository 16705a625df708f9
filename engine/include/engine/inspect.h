// Offline inspection of a DB directory: what CURRENT, the MANIFEST and the WALs say, and whether
// every file the MANIFEST needs exists with every block checksum intact.
//
// Inspect never opens the DB for writing and never modifies a file; it works on a DB another
// process has open (reading may then race with its writes). Problems are collected, not thrown:
// a damaged file gives a problem line naming the file (and offset, where known).
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/options.h"
#include "engine/status.h"

namespace engine {

struct InspectedTable {
  int level = 0;
  uint64_t number = 0;
  uint64_t file_bytes = 0;
  std::string smallest_user_key;
  std::string largest_user_key;
  uint64_t entries = 0;
};

struct InspectedWal {
  std::string name;
  uint64_t records = 0;
  uint64_t entries = 0;  // puts and deletes in those records
  bool torn_tail = false;
};

struct InspectReport {
  std::string current;             // the MANIFEST CURRENT names
  std::vector<std::string> edits;  // one text block per MANIFEST record
  uint64_t log_number = 0;
  uint64_t next_file_number = 0;
  uint64_t last_sequence = 0;
  std::vector<InspectedTable> tables;  // the current Version's tables, by level
  std::vector<InspectedWal> wals;
  std::vector<std::string> unreferenced_files;  // engine files the current state does not need
  std::vector<std::string> problems;            // empty means consistent
  bool consistent() const { return problems.empty(); }
};

// Fills `report`. Returns a non-ok Status only when the directory cannot be read at all.
Status InspectDB(const Options& options, const std::string& path, InspectReport* report);

}  // namespace engine
