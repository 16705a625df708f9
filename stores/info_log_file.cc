#include "stores/info_log_file.h"

#include <sys/time.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string_view>
#include <thread>
#include <utility>

namespace stores {

InfoLogFile::InfoLogFile(std::unique_ptr<engine::WritableFile> file) : file_(std::move(file)) {}

InfoLogFile::~InfoLogFile() { file_->Close(); }

void InfoLogFile::Logv(const char* format, std::va_list ap) {
  struct ::timeval now;
  ::gettimeofday(&now, nullptr);
  struct std::tm t;
  ::localtime_r(&now.tv_sec, &t);
  char line[1024];
  int n = std::snprintf(line, sizeof(line), "%04d/%02d/%02d-%02d:%02d:%02d.%06d %zx ",
                        t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                        static_cast<int>(now.tv_usec),
                        std::hash<std::thread::id>()(std::this_thread::get_id()));
  std::va_list args;
  va_copy(args, ap);
  const int body = std::vsnprintf(line + n, sizeof(line) - static_cast<size_t>(n), format, args);
  va_end(args);
  n = std::min<int>(n + std::max(body, 0), static_cast<int>(sizeof(line)) - 2);
  if (line[n - 1] != '\n') line[n++] = '\n';
  std::lock_guard<std::mutex> lock(mu_);
  file_->Append(std::string_view(line, static_cast<size_t>(n)));
}

}  // namespace stores
