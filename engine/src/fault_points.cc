#include "engine/fault_points.h"

#include <cerrno>
#include <string>

namespace engine {

const std::vector<FaultPointInfo>& FaultPointCatalogue() {
  static const std::vector<FaultPointInfo> kPoints = {
      {"engine/flush/write_table", "writing a flushed memtable's level-0 table"},
      {"engine/compaction/read_input", "reading a compaction's input tables"},
      {"engine/compaction/write_output", "writing a compaction's output table"},
      {"engine/compaction/install", "installing a compaction's result before its MANIFEST edit"},
      {"engine/manifest/new_file", "creating a new MANIFEST (at open and on roll-over)"},
      {"engine/manifest/append", "appending a VersionEdit record to the MANIFEST"},
      {"engine/manifest/sync", "syncing the MANIFEST after an append"},
      {"engine/manifest/set_current", "pointing CURRENT at a new MANIFEST (temp file + rename)"},
      {"engine/file/delete", "deleting an obsolete table, log or MANIFEST"},
      {"engine/wal/append", "appending a write's record to the WAL"},
      {"engine/wal/sync", "syncing the WAL for a sync write"},
      {"engine/table/open", "opening a table file into the table cache"},
  };
  return kPoints;
}

namespace {
thread_local int injected_errno = 0;
}  // namespace

void SetInjectedErrno(int error_number) { injected_errno = error_number; }

int TakeInjectedErrno() {
  const int e = injected_errno;
  injected_errno = 0;
  return e;
}

Status InjectedFaultStatus(std::string_view point, int error_number) {
  const std::string what = "injected fault at " + std::string(point);
  Status s = error_number == ENOSPC ? Status::NoSpace(what) : Status::IOError(what);
  return s.MarkInjected();
}

}  // namespace engine
