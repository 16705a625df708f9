#include "file_names.h"

#include <charconv>
#include <cstdio>

namespace engine {
namespace {

std::string Numbered(uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%06llu.%s", static_cast<unsigned long long>(number), suffix);
  return buf;
}

bool ParseNumber(std::string_view digits, uint64_t* number) {
  if (digits.empty()) return false;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *number);
  return ec == std::errc() && end == digits.data() + digits.size();
}

}  // namespace

std::string WalFileName(const std::string& db_path, uint64_t number) {
  return db_path + "/" + Numbered(number, "log");
}
std::string TableFileName(const std::string& db_path, uint64_t number) {
  return db_path + "/" + TableBaseName(number);
}
std::string TableBaseName(uint64_t number) { return Numbered(number, "sst"); }
std::string ManifestFileName(const std::string& db_path, uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return db_path + buf;
}
std::string CurrentFileName(const std::string& db_path) { return db_path + "/CURRENT"; }
std::string LockFileName(const std::string& db_path) { return db_path + "/LOCK"; }
std::string TempFileName(const std::string& db_path, uint64_t number) {
  return db_path + "/" + Numbered(number, "dbtmp");
}

bool ParseFileName(std::string_view name, uint64_t* number, FileType* type) {
  if (name == "CURRENT") {
    *number = 0;
    *type = FileType::kCurrent;
    return true;
  }
  if (name == "LOCK") {
    *number = 0;
    *type = FileType::kLock;
    return true;
  }
  constexpr std::string_view kManifestPrefix = "MANIFEST-";
  if (name.starts_with(kManifestPrefix)) {
    *type = FileType::kManifest;
    return ParseNumber(name.substr(kManifestPrefix.size()), number);
  }
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || !ParseNumber(name.substr(0, dot), number)) return false;
  const std::string_view suffix = name.substr(dot + 1);
  if (suffix == "log") {
    *type = FileType::kWal;
  } else if (suffix == "sst") {
    *type = FileType::kTable;
  } else if (suffix == "dbtmp") {
    *type = FileType::kTemp;
  } else {
    return false;
  }
  return true;
}

}  // namespace engine
