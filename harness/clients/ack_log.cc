#include "harness/clients/ack_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <memory>

#include "reports/run_files.h"

namespace harness::clients {
namespace {

namespace fs = std::filesystem;

bool ParseNumber(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// KEY=WRITER.INDEX.BYTES or KEY=-
bool ParseEntry(std::string_view token, AckEntry* entry) {
  const size_t eq = token.find('=');
  if (eq == std::string_view::npos || !ParseNumber(token.substr(0, eq), &entry->key)) return false;
  const std::string_view rest = token.substr(eq + 1);
  if (rest == "-") {
    entry->value.reset();
    return true;
  }
  const size_t dot1 = rest.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : rest.find('.', dot1 + 1);
  uint64_t writer;
  uint64_t index;
  uint64_t bytes;
  if (dot2 == std::string_view::npos || !ParseNumber(rest.substr(0, dot1), &writer) ||
      !ParseNumber(rest.substr(dot1 + 1, dot2 - dot1 - 1), &index) ||
      !ParseNumber(rest.substr(dot2 + 1), &bytes) || writer > UINT32_MAX || bytes > UINT32_MAX) {
    return false;
  }
  entry->value = model::ValueId{static_cast<uint32_t>(writer), index, static_cast<uint32_t>(bytes)};
  return true;
}

std::vector<std::string_view> Tokens(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    const size_t space = line.find(' ', i);
    const size_t end = space == std::string_view::npos ? line.size() : space;
    if (end > i) out.push_back(line.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

}  // namespace

engine::Result<std::unique_ptr<AckLog>> AckLog::Create(const std::string& dir,
                                                       uint32_t first_writer, uint32_t writers) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return engine::Status::IOError(dir + ": " + ec.message());
  std::vector<int> fds;
  for (uint32_t w = 0; w < writers; w++) {
    const std::string path = fmt::format("{}/writer-{}.log", dir, first_writer + w);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      const std::string why = std::strerror(errno);
      for (int open_fd : fds) ::close(open_fd);
      return engine::Status::IOError(path + ": " + why);
    }
    fds.push_back(fd);
  }
  return std::unique_ptr<AckLog>(new AckLog(first_writer, std::move(fds)));
}

AckLog::~AckLog() {
  for (int fd : fds_) ::close(fd);
}

void AckLog::Append(uint32_t writer, const std::string& line) {
  const size_t slot = writer - first_writer_;
  if (slot >= fds_.size()) return;
  // One write(2): the line is in the page cache whole, or not at all, whenever the kill comes.
  const ssize_t n = ::write(fds_[slot], line.data(), line.size());
  (void)n;  // a full disk loses the log line; the parent then sees a write it cannot place
}

void AckLog::Intent(uint32_t writer, const std::vector<AckEntry>& entries) {
  std::string line = "w";
  for (const AckEntry& e : entries) {
    line += e.value ? fmt::format(" {}={}.{}.{}", e.key, e.value->writer, e.value->index,
                                  e.value->bytes)
                    : fmt::format(" {}=-", e.key);
  }
  line += '\n';
  Append(writer, line);
}

void AckLog::Acknowledged(uint32_t writer, engine::SequenceNumber last, bool synced) {
  Append(writer, fmt::format("a {} {}\n", last, synced ? 's' : 'u'));
}

void AckLog::Failed(uint32_t writer) { Append(writer, "f\n"); }

engine::Result<std::vector<LoggedWrite>> ReadAckLogs(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> paths;
  // A child killed before it created its logs (it had not opened the DB yet) wrote nothing.
  if (!fs::exists(dir, ec) && !ec) return std::vector<LoggedWrite>();
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("writer-") && name.ends_with(".log")) paths.push_back(entry.path());
  }
  if (ec) return engine::Status::IOError(dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<LoggedWrite> writes;
  for (const std::string& path : paths) {
    const std::string name = fs::path(path).filename().string();
    uint64_t writer = 0;
    if (!ParseNumber(std::string_view(name).substr(7, name.size() - 11), &writer) ||
        writer > UINT32_MAX) {
      return engine::Status::InvalidArgument(path + ": not a writer-<id>.log name");
    }
    std::string text;
    if (engine::Status s = reports::ReadFile(path, &text); !s.ok()) return s;
    std::optional<LoggedWrite> open;  // the intent awaiting its outcome
    size_t line_number = 0;
    size_t start = 0;
    while (start < text.size()) {
      const size_t newline = text.find('\n', start);
      if (newline == std::string::npos) break;  // cut short by the kill: never written whole
      const std::string_view line(text.data() + start, newline - start);
      start = newline + 1;
      line_number++;
      const auto bad = [&](std::string_view why) {
        return engine::Status::InvalidArgument(
            fmt::format("{}:{}: {}: '{}'", path, line_number, why, line));
      };
      const std::vector<std::string_view> tokens = Tokens(line);
      if (tokens.empty()) return bad("empty line");
      if (tokens[0] == "w") {
        if (open) writes.push_back(std::move(*open));  // never finished: the next intent came
        open = LoggedWrite();
        open->writer = static_cast<uint32_t>(writer);
        for (size_t i = 1; i < tokens.size(); i++) {
          AckEntry entry;
          if (!ParseEntry(tokens[i], &entry)) return bad("malformed entry");
          open->entries.push_back(entry);
        }
        if (open->entries.empty()) return bad("an intent with no entries");
      } else if (tokens[0] == "a" || tokens[0] == "f") {
        if (!open) return bad("an outcome with no intent before it");
        if (tokens[0] == "a") {
          if (tokens.size() != 3 || !ParseNumber(tokens[1], &open->last) ||
              (tokens[2] != "s" && tokens[2] != "u") || open->last < open->entries.size()) {
            return bad("malformed acknowledgement");
          }
          open->synced = tokens[2] == "s";
          open->state = LoggedWrite::State::kAcknowledged;
        } else {
          open->state = LoggedWrite::State::kFailed;
        }
        writes.push_back(std::move(*open));
        open.reset();
      } else {
        return bad("unknown record");
      }
    }
    if (open) writes.push_back(std::move(*open));
  }
  return writes;
}

}  // namespace harness::clients
