// VersionBuilder: applies VersionEdits to a base Version's file lists and builds a new Version.
//
// Used by LogAndApply (base = current, one edit) and by MANIFEST replay (base = empty, every edit).
// Apply() reports an edit that deletes a file the state does not hold, or adds one twice, as
// Corruption; the built Version holds a version reference on every file it lists.
//
// Thread contract: thread-compatible.
#pragma once

#include <array>
#include <map>
#include <memory>

#include "engine/status.h"
#include "version.h"
#include "version_edit.h"

namespace engine {

class VersionBuilder {
 public:
  // `base` may be null (an empty state); it must outlive the builder.
  explicit VersionBuilder(const Version* base);

  Status Apply(const VersionEdit& edit);
  // A new Version (refs 0) listing the resulting files; levels >= 1 are checked for overlap.
  Result<Version*> Build(VersionSet* vset, uint64_t id) const;

 private:
  std::array<std::map<uint64_t, std::shared_ptr<FileMetaData>>, kNumLevels> levels_;
};

}  // namespace engine
