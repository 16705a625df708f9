#include "harness/model/key_locations.h"

#include <fmt/format.h>

#include "engine/testing.h"
#include "workloads/value.h"

namespace harness::model {

std::string DescribeKeyLocations(engine::DB* db, std::string_view key) {
  if (db == nullptr) return "";
  const std::vector<engine::testing::KeyEntry> entries = engine::testing::LocateKey(db, key);
  if (entries.empty()) return "nowhere: no memtable and no table of a live Version holds the key\n";
  std::string out;
  for (const engine::testing::KeyEntry& e : entries) {
    std::string where = e.location;
    if (!e.versions.empty()) {
      std::string ids;
      for (uint64_t id : e.versions) {
        ids += fmt::format("{}{}{}", ids.empty() ? "" : ", ", id,
                           e.in_current && id == e.versions.back() ? "*" : "");
      }
      where += fmt::format(" (Version{} {})", e.versions.size() == 1 ? "" : "s", ids);
    }
    if (!e.error.empty()) {
      out += fmt::format("{:<36} unreadable: {}\n", where, e.error);
      continue;
    }
    std::string what = "delete";
    if (!e.deletion) {
      what = "put " + workloads::CompactValueText(e.value).value_or(
                          fmt::format("({} bytes vstress did not write)", e.value.size()));
    }
    out += fmt::format("{:<36} seq={} {}\n", where, e.sequence, what);
  }
  return out;
}

}  // namespace harness::model
