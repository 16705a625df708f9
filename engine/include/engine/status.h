// Status and Result<T>: how every fallible engine operation reports its outcome.
//
// A Status is either ok or carries a Code and a message. It also remembers whether the failure was
// injected by a fault point (libfiu or FaultFS), so a checker can tell an injected failure from a
// real bug. Statuses never cross a module boundary as exceptions.
//
// Thread contract: immutable (a Status is a value; copies are independent).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace engine {

class Status {
 public:
  enum class Code : uint8_t {
    kOk = 0,
    kNotFound,
    kCorruption,
    kIOError,
    kNoSpace,
    kInvalidArgument,
    kBackgroundError,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status NoSpace(std::string_view msg) { return Status(Code::kNoSpace, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status BackgroundError(std::string_view msg) {
    return Status(Code::kBackgroundError, msg);
  }
  // Maps an errno value to IOError or NoSpace, naming `context` (usually a path).
  static Status FromErrno(int error_number, std::string_view context);

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsNoSpace() const { return code_ == Code::kNoSpace; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsBackgroundError() const { return code_ == Code::kBackgroundError; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // True when a fault point (not the real system) produced this failure, directly or as the
  // background error it caused.
  bool injected() const { return injected_; }
  Status& MarkInjected() {
    injected_ = true;
    return *this;
  }
  // The same failure with `context` prepended to the message ("context: message").
  Status WithContext(std::string_view context) const;

  std::string ToString() const;
  static const char* CodeName(Code code);
  // What ToString appends to an injected failure; a fault layer under another engine puts it in
  // the message it hands that engine, so the flag survives the engine's own Status.
  static constexpr std::string_view kInjectedTag = "[injected]";

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  bool injected_ = false;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace engine
