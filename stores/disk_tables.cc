#include "stores/disk_tables.h"

#include <charconv>
#include <filesystem>

namespace stores {

void SetDeferredTables(const std::string& dir, const std::set<uint64_t>& current,
                       StoreStats* stats) {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t dot = name.find('.');
    if (dot == std::string::npos) continue;
    const std::string_view extension = std::string_view(name).substr(dot);
    if (extension != ".ldb" && extension != ".sst") continue;
    uint64_t number = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + dot, number);
    if (error != std::errc() || end != name.data() + dot || current.count(number) != 0) continue;
    std::error_code size_error;
    const uintmax_t size = entry.file_size(size_error);
    files++;
    if (!size_error) bytes += size;  // deleted between the listing and the stat: no bytes
  }
  stats->deferred_deletions = files;
  stats->deferred_deletion_bytes = bytes;
}

}  // namespace stores
