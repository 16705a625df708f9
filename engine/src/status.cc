#include "engine/status.h"

#include <cerrno>
#include <cstring>

namespace engine {

Status Status::FromErrno(int error_number, std::string_view context) {
  const std::string msg = std::string(context) + ": " + std::strerror(error_number);
  return error_number == ENOSPC ? NoSpace(msg) : IOError(msg);
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status s(code_, std::string(context) + ": " + message_);
  s.injected_ = injected_;
  return s;
}

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      return "NotFound";
    case Code::kCorruption:
      return "Corruption";
    case Code::kIOError:
      return "IOError";
    case Code::kNoSpace:
      return "NoSpace";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kBackgroundError:
      return "BackgroundError";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = std::string(CodeName(code_)) + ": " + message_;
  if (injected_) (s += " ") += kInjectedTag;
  return s;
}

}  // namespace engine
