#include "faults/fault_rule.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "engine/fault_points.h"

namespace faults {
namespace {

using engine::Result;
using engine::Status;

constexpr std::string_view kFsKinds[] = {"wal", "table", "manifest", "current", "other"};
constexpr std::string_view kFsOps[] = {"append", "sync", "rename", "delete"};

Status Bad(std::string_view rule, std::string_view why) {
  return Status::InvalidArgument(fmt::format("fault rule '{}': {}", rule, why));
}

bool ParseUnsigned(std::string_view text, uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool ParseDouble(std::string_view text, double* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty() &&
         std::isfinite(*out);
}

Status ParseAction(std::string_view rule, std::string_view text, Rule* r) {
  if (text.starts_with("delay=")) {
    r->action = Action::kDelay;
    if (!ParseDuration(text.substr(6), &r->delay)) {
      return Bad(rule, fmt::format("bad delay '{}' (use e.g. 5ms, 200us, 1s)", text.substr(6)));
    }
    return Status::Ok();
  }
  for (Action a : {Action::kError, Action::kNoSpace, Action::kTorn, Action::kCrash, Action::kHang,
                   Action::kAbort}) {
    if (text == ActionName(a)) {
      r->action = a;
      return Status::Ok();
    }
  }
  if (text == "delay") return Bad(rule, "delay needs a duration, e.g. delay=5ms");
  return Bad(
      rule,
      fmt::format("unknown action '{}' (error, nospace, delay=DURATION, torn, crash; hang, abort)",
                  text));
}

Status ParseTrigger(std::string_view rule, std::string_view text, Trigger* t) {
  if (text == "once") {
    t->kind = Trigger::Kind::kOnce;
    return Status::Ok();
  }
  const size_t eq = text.find('=');
  const std::string_view key = text.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? "" : text.substr(eq + 1);
  if (key == "p") {
    t->kind = Trigger::Kind::kProbability;
    if (!ParseDouble(value, &t->probability) || t->probability < 0 || t->probability > 1) {
      return Bad(rule, fmt::format("probability '{}' is not a number in [0, 1]", value));
    }
  } else if (key == "nth" || key == "every" || key == "from") {
    t->kind = key == "nth"    ? Trigger::Kind::kNth
              : key == "from" ? Trigger::Kind::kFrom
                              : Trigger::Kind::kEvery;
    if (!ParseUnsigned(value, &t->n) || t->n == 0) {
      return Bad(rule, fmt::format("{} needs a whole number >= 1, got '{}'", key, value));
    }
  } else {
    return Bad(rule, fmt::format("unknown trigger '{}' (p=P, nth=N, every=K, from=N, once)", text));
  }
  return Status::Ok();
}

Status ParseWindowPart(std::string_view rule, std::string_view part, Window* w,
                       std::string* r_path_glob_out) {
  const size_t eq = part.find('=');
  const std::string_view key = part.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
  uint64_t ops;
  std::chrono::microseconds at;
  if (key == "path") {
    if (value.empty()) return Bad(rule, "path needs a glob, e.g. path=*.sst");
    r_path_glob_out->assign(value);
  } else if (key == "after_ops" || key == "before_ops") {
    if (!ParseUnsigned(value, &ops)) return Bad(rule, fmt::format("{} needs a count", key));
    (key == "after_ops" ? w->after_ops : w->before_ops) = ops;
  } else if (key == "after" || key == "before") {
    if (!ParseDuration(value, &at)) return Bad(rule, fmt::format("{} needs a duration", key));
    (key == "after" ? w->after_seconds : w->before_seconds) = at.count() / 1e6;
  } else {
    return Bad(rule, fmt::format("unknown window '{}' (after_ops=N, before_ops=N, after=2s, "
                                 "before=10s)",
                                 part));
  }
  return Status::Ok();
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string FormatDuration(std::chrono::microseconds d) {
  if (d.count() % 1000000 == 0) return fmt::format("{}s", d.count() / 1000000);
  if (d.count() % 1000 == 0) return fmt::format("{}ms", d.count() / 1000);
  return fmt::format("{}us", d.count());
}

bool PointTakesAppends(std::string_view point) {
  return point.ends_with("/append") || point == "engine/flush/write_table" ||
         point == "engine/compaction/write_output";
}

}  // namespace

// A century: far beyond any run, far below where a double loses whole microseconds.
constexpr double kDurationMicrosMax = 100.0 * 365 * 24 * 3600e6;

bool ParseDuration(std::string_view text, std::chrono::microseconds* out) {
  struct Unit {
    std::string_view suffix;
    double micros;
  };
  for (const Unit& u :
       {Unit{"us", 1}, Unit{"ms", 1e3}, Unit{"s", 1e6}, Unit{"m", 60e6}, Unit{"h", 3600e6}}) {
    if (!text.ends_with(u.suffix)) continue;
    double value;
    if (!ParseDouble(text.substr(0, text.size() - u.suffix.size()), &value) || value < 0) {
      return false;
    }
    // Converting a product beyond int64 to an integer is undefined: refuse it first (NaN too).
    const double micros = value * u.micros;
    if (!(micros <= kDurationMicrosMax)) return false;
    *out = std::chrono::microseconds(static_cast<int64_t>(micros));
    return true;
  }
  return false;
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kError:
      return "error";
    case Action::kNoSpace:
      return "nospace";
    case Action::kDelay:
      return "delay";
    case Action::kTorn:
      return "torn";
    case Action::kCrash:
      return "crash";
    case Action::kHang:
      return "hang";
    case Action::kAbort:
      return "abort";
  }
  return "?";
}

bool ParseActionName(std::string_view name, Action* out) {
  for (size_t a = 0; a < kActionCount; a++) {
    if (name == ActionName(static_cast<Action>(a))) {
      *out = static_cast<Action>(a);
      return true;
    }
  }
  return false;
}

bool IsFaultPoint(std::string_view point) {
  const auto& points = AllFaultPoints();
  return std::find(points.begin(), points.end(), point) != points.end();
}

const char* DescribeAction(Action action) {
  switch (action) {
    case Action::kError:
      return "fail with EIO";
    case Action::kNoSpace:
      return "fail with ENOSPC";
    case Action::kDelay:
      return "sleep for the given duration, then go on (widens race windows)";
    case Action::kTorn:
      return "write only part of the data being appended, then fail with EIO";
    case Action::kCrash:
      return "simulated power loss: freeze the file system, drop unsynced data and directory "
             "changes";
    case Action::kHang:
      return "(testing vstress) block the calling thread for ever: the watchdogs must end the run";
    case Action::kAbort:
      return "(testing vstress) abort the process: the run must still report a crash";
  }
  return "?";
}

const std::vector<std::string>& AllFaultPoints() {
  static const std::vector<std::string> kPoints = [] {
    std::vector<std::string> points;
    for (const auto& p : engine::FaultPointCatalogue()) points.emplace_back(p.name);
    for (std::string_view kind : kFsKinds) {
      for (std::string_view op : kFsOps) points.push_back(fmt::format("fs/{}/{}", kind, op));
    }
    return points;
  }();
  return kPoints;
}

std::string DescribePoint(std::string_view point) {
  for (const auto& p : engine::FaultPointCatalogue()) {
    if (p.name == point) return std::string(p.interrupts);
  }
  const auto parts = Split(point, '/');
  if (parts.size() == 3 && parts[0] == "fs") {
    return fmt::format("FaultFS: {} of a {} file", parts[2],
                       parts[1] == "other" ? "non-engine" : parts[1]);
  }
  return "unknown point";
}

bool Rule::MatchesPath(std::string_view path) const {
  if (path_glob.empty()) return true;
  // fnmatch wants NUL-terminated text; the base name is a suffix of the copy, so one copy serves
  // both (this runs at every hit of an fs/ point).
  const std::string full(path);
  const char* base = full.c_str() + (full.find_last_of('/') + 1);
  return fnmatch(path_glob.c_str(), full.c_str(), 0) == 0 ||
         fnmatch(path_glob.c_str(), base, 0) == 0;
}

bool Rule::Matches(std::string_view point) const {
  if (pattern.ends_with('*')) {
    return point.starts_with(std::string_view(pattern).substr(0, pattern.size() - 1));
  }
  return point == pattern;
}

std::string Rule::ToString() const {
  std::string out = pattern + ":";
  out += action == Action::kDelay ? "delay=" + FormatDuration(delay) : ActionName(action);
  switch (trigger.kind) {
    case Trigger::Kind::kProbability:
      out += fmt::format(":p={}", trigger.probability);
      break;
    case Trigger::Kind::kNth:
      out += fmt::format(":nth={}", trigger.n);
      break;
    case Trigger::Kind::kEvery:
      out += fmt::format(":every={}", trigger.n);
      break;
    case Trigger::Kind::kFrom:
      out += fmt::format(":from={}", trigger.n);
      break;
    case Trigger::Kind::kOnce:
      out += ":once";
      break;
  }
  std::vector<std::string> window;
  if (this->window.after_ops)
    window.push_back(fmt::format("after_ops={}", *this->window.after_ops));
  if (this->window.before_ops) {
    window.push_back(fmt::format("before_ops={}", *this->window.before_ops));
  }
  auto seconds = [](double s) {
    return FormatDuration(std::chrono::microseconds(static_cast<int64_t>(std::llround(s * 1e6))));
  };
  if (this->window.after_seconds) window.push_back("after=" + seconds(*this->window.after_seconds));
  if (this->window.before_seconds) {
    window.push_back("before=" + seconds(*this->window.before_seconds));
  }
  if (!path_glob.empty()) window.push_back("path=" + path_glob);
  for (size_t i = 0; i < window.size(); i++) out += (i == 0 ? "@" : ",") + window[i];
  return out;
}

Result<Rule> ParseRule(std::string_view text) {
  Rule r;
  const size_t at = text.find('@');
  const std::string_view head = text.substr(0, at);
  const auto fields = Split(head, ':');
  if (fields.size() < 2 || fields.size() > 3) {
    return Bad(text, "expected POINT:ACTION[:TRIGGER][@WINDOW]");
  }
  r.pattern = std::string(fields[0]);
  if (r.pattern.empty() || r.pattern == "*") return Bad(text, "empty point pattern");
  Status s = ParseAction(text, fields[1], &r);
  if (s.ok() && fields.size() == 3) s = ParseTrigger(text, fields[2], &r.trigger);
  if (s.ok() && at != std::string_view::npos) {
    for (std::string_view part : Split(text.substr(at + 1), ',')) {
      s = ParseWindowPart(text, part, &r.window, &r.path_glob);
      if (!s.ok()) break;
    }
  }
  if (s.ok()) s = ValidateRule(r);
  if (!s.ok()) return s;
  return r;
}

Status ValidateRule(const Rule& r) {
  const std::string text = r.ToString();
  if (r.pattern.empty() || r.pattern == "*") return Bad(text, "empty point pattern");
  const size_t star = r.pattern.find('*');
  if (star != std::string::npos && star != r.pattern.size() - 1) {
    return Bad(text, "'*' may only end a pattern");
  }
  bool matched = false;
  for (const auto& point : AllFaultPoints()) {
    if (!r.Matches(point)) continue;
    matched = true;
    if (r.action == Action::kTorn && !PointTakesAppends(point) && star == std::string::npos) {
      return Bad(text, fmt::format("torn needs a point that appends data, not {}", point));
    }
  }
  if (!r.path_glob.empty() && !r.pattern.starts_with("fs/")) {
    return Bad(text, "path=GLOB applies to fs/ points only");
  }
  if (!matched) {
    return Bad(
        text, fmt::format("pattern '{}' matches no fault point (see `vstress faults`)", r.pattern));
  }
  if (r.action == Action::kDelay && (r.delay.count() <= 0 || r.delay > kDelayMax)) {
    return Bad(text, "delay must be above 0 and at most 10s");
  }
  if (r.trigger.kind == Trigger::Kind::kProbability &&
      !(r.trigger.probability >= 0 && r.trigger.probability <= 1)) {
    return Bad(text, "probability must be in [0, 1]");
  }
  const Window& w = r.window;
  if (w.after_ops && w.before_ops && *w.after_ops >= *w.before_ops) {
    return Bad(text, "after_ops must be below before_ops");
  }
  if (w.after_seconds && w.before_seconds && *w.after_seconds >= *w.before_seconds) {
    return Bad(text, "after must be before before");
  }
  return Status::Ok();
}

}  // namespace faults
