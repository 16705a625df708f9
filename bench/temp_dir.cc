#include "bench/temp_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace bench {

engine::Result<std::unique_ptr<TempDir>> TempDir::Create(std::string_view prefix) {
  std::string pattern = "/tmp/";
  pattern.append(prefix);
  pattern.append("XXXXXX");
  // mkdtemp rewrites the Xs in place, so it needs a writable, NUL-terminated buffer.
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) return engine::Status::FromErrno(errno, pattern);
  return std::unique_ptr<TempDir>(new TempDir(std::string(buffer.data())));
}

TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
  if (error) std::fprintf(stderr, "removing %s: %s\n", path_.c_str(), error.message().c_str());
}

}  // namespace bench
