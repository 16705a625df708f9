// ReplayManifest: reads every record of a MANIFEST into a VersionBuilder — the one way both
// recovery (VersionSet::Recover) and offline inspection read a MANIFEST.
//
// A torn last record is the end of the log (leveldb #160); a bad record, an edit that does not
// decode or does not apply, and a MANIFEST without the counters (leveldb #189) are Corruption
// naming the MANIFEST and, for a record, its offset.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "engine/file_system.h"
#include "engine/status.h"
#include "version_builder.h"
#include "version_edit.h"

namespace engine {

// Replays MANIFEST `name` in `dir` into `builder`; `counters` receives the last log number, next
// file number and last sequence; `on_edit` (may be empty) sees each record with its offset.
// `torn_tail_is_corruption` plants the truncated-manifest-is-corruption bug (leveldb #160).
Status ReplayManifest(FileSystem* fs, const std::string& dir, const std::string& name,
                      VersionBuilder* builder, VersionEdit* counters,
                      const std::function<void(uint64_t offset, const VersionEdit&)>& on_edit,
                      bool torn_tail_is_corruption = false);

}  // namespace engine
