#include "engine/testing.h"

#include <set>

#include "db_impl.h"
#include "file_names.h"

namespace engine::testing {
namespace {

DBImpl* Impl(DB* db) { return static_cast<DBImpl*>(db); }

}  // namespace

std::vector<LiveVersion> LiveVersions(DB* db) { return Impl(db)->versions()->LiveVersions(); }

std::vector<uint64_t> ProtectedOutputs(DB* db) { return Impl(db)->ProtectedOutputs(); }

std::vector<std::string> ExpectedFiles(DB* db) { return Impl(db)->ExpectedFiles(); }

bool BackgroundWorkPending(DB* db) { return Impl(db)->BackgroundWorkPending(); }

bool WriteWouldWait(DB* db) { return Impl(db)->WriteWouldWait(); }

std::vector<LiveVersion> VersionsLeftAtClose(DB* db) { return Impl(db)->VersionsLeftAtClose(); }

uint64_t NextFileNumber(DB* db) { return Impl(db)->NextFileNumber(); }

const char* YieldSiteName(YieldSite site) {
  switch (site) {
    case YieldSite::kGetAfterPin:
      return "get:after-pin";
    case YieldSite::kIteratorAfterPin:
      return "iterator:after-pin";
    case YieldSite::kCompactionNewOutput:
      return "compaction:new-output";
  }
  return "?";
}

bool YieldSiteFromName(std::string_view name, YieldSite* site) {
  for (YieldSite s :
       {YieldSite::kGetAfterPin, YieldSite::kIteratorAfterPin, YieldSite::kCompactionNewOutput}) {
    if (name == YieldSiteName(s)) {
      *site = s;
      return true;
    }
  }
  return false;
}

void SetYieldHook(DB* db, std::function<void(YieldSite)> hook) {
  Impl(db)->SetYieldHook(std::move(hook));
}

std::vector<KeyEntry> LocateKey(DB* db, std::string_view user_key) {
  return Impl(db)->LocateKey(user_key);
}

LiveTablesCheck CheckLiveTablesExist(DB* db) {
  LiveTablesCheck check;
  const auto before = LiveVersions(db);
  std::vector<std::string> names;
  if (!Impl(db)->file_system()->GetChildren(Impl(db)->path(), &names).ok()) return check;
  const auto after = LiveVersions(db);
  const std::set<std::string> on_disk(names.begin(), names.end());
  std::set<uint64_t> still_live;
  for (const auto& v : after) still_live.insert(v.id);
  for (const auto& v : before) {
    if (still_live.count(v.id) == 0) continue;
    check.versions_checked++;
    for (size_t level = 0; level < v.files_per_level.size(); level++) {
      for (uint64_t number : v.files_per_level[level]) {
        if (on_disk.count(TableBaseName(number)) == 0) {
          check.missing.push_back({number, static_cast<int>(level), v.id, v.refs});
        }
      }
    }
  }
  return check;
}

std::string TableFileName(uint64_t number) { return TableBaseName(number); }

uint64_t RefcountUnderflows(DB* db) { return Impl(db)->versions()->refcount_underflows(); }

}  // namespace engine::testing
