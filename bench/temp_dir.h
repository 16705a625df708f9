// TempDir: a fresh directory under /tmp that is deleted, with everything in it, on destruction.
//
// Every data set a benchmark builds lives in its own TempDir, so runs never see each other's files
// and nothing is left behind in /tmp. The path is fixed at creation and never reused.
//
// Thread contract: thread-compatible.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace bench {

class TempDir {
 public:
  // Creates /tmp/<prefix>XXXXXX with mkdtemp.
  static engine::Result<std::unique_ptr<TempDir>> Create(std::string_view prefix);

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Removes the directory tree; a failure is reported on stderr, since a destructor cannot return
  // it and a leftover directory under /tmp is not worth crashing a benchmark run for.
  ~TempDir();

  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}

  const std::string path_;
};

}  // namespace bench
