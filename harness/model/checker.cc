#include "harness/model/checker.h"

#include <fmt/format.h>

namespace harness::model {
namespace {

std::string Spell(std::optional<ValueId> v) {
  return v ? fmt::format("v{}.{} ({} bytes)", v->writer, v->index, v->bytes) : "not-found";
}

}  // namespace

std::string Checker::SpellObserved(std::string_view value) const {
  uint32_t writer = 0;
  uint64_t index = 0;
  if (!codec_.parse_value(value, &writer, &index)) {
    // Not a write's value: show its leading bytes, never a write id it does not carry.
    return fmt::format("unparseable value '{}' ({} bytes)",
                       value.substr(0, std::min<size_t>(value.size(), 32)), value.size());
  }
  return fmt::format("v{}.{} ({} bytes)", writer, index, value.size());
}

std::string Checker::Expected(uint64_t key, SequenceNumber seq) const {
  return Spell(oracle_->ValueAt(key, seq));
}

Checker::ValueProblem Checker::CompareValue(std::optional<ValueId> expected,
                                            std::string_view value) const {
  uint32_t writer;
  uint64_t index;
  if (!codec_.parse_value(value, &writer, &index)) {
    return {fmt::format("value '{}' is not one any writer wrote (torn, corrupt or foreign)",
                        value.substr(0, std::min<size_t>(value.size(), 32)))};
  }
  const ValueId got{writer, index, static_cast<uint32_t>(value.size())};
  if (!expected) {
    if (oracle_->IsFailedWrite(got)) return {"a write that failed became visible", true};
    return {"found a value where the key must be absent"};
  }
  if (got.writer != expected->writer || got.index != expected->index) {
    if (oracle_->IsFailedWrite(got)) return {"a write that failed became visible", true};
    return {"stale or future value"};
  }
  // parse_value accepted the bytes as exactly that write's value at this length, so only the
  // length can still be wrong (a value cut short at a filler boundary).
  if (got.bytes != expected->bytes) {
    return {"value bytes differ from what was written (torn or corrupt value)"};
  }
  return {};
}

Violation Checker::MakeViolation(std::string_view kind, uint64_t key, SequenceNumber seq,
                                 std::string expected, std::string observed,
                                 std::string message) const {
  Violation v;
  v.kind = std::string(kind);
  v.key = codec_.key_name(key);
  v.read_sequence = seq;
  v.expected = std::move(expected);
  v.observed = std::move(observed);
  v.key_history = oracle_->HistoryString(key);
  v.message = std::move(message);
  return v;
}

std::optional<Violation> Checker::CheckGet(std::string_view kind, uint64_t key, SequenceNumber seq,
                                           const engine::Status& status, std::string_view value,
                                           SequenceNumber lower, SequenceNumber upper) const {
  const std::optional<ValueId> expected = oracle_->ValueAt(key, seq);
  std::string problem;
  std::string observed;
  if (seq < lower || seq > upper) {
    problem =
        fmt::format("read at seq {} outside its real-time bounds [{}, {}]", seq, lower, upper);
  }
  std::string_view violation_kind = kind;
  if (status.IsNotFound()) {
    observed = "not-found";
    if (problem.empty() && expected) problem = "key missing: a visible write was not returned";
  } else if (status.ok()) {
    if (problem.empty()) {
      ValueProblem p = CompareValue(expected, value);
      problem = std::move(p.message);
      if (p.failed_write) violation_kind = kFailedWriteVisible;
    }
    // Spelled only for a violation: this path runs on every checked read.
    if (!problem.empty()) observed = SpellObserved(value);
  } else {
    // Callers drop injected failures first; any other error is the engine failing on its own.
    observed = status.ToString();
    problem = "read failed: " + status.ToString();
    violation_kind = kUnexpectedError;
  }
  if (problem.empty()) return std::nullopt;
  Violation v = MakeViolation(violation_kind, key, seq, Spell(expected), observed, problem);
  v.lower_bound = lower;
  v.upper_bound = upper;
  return v;
}

std::optional<Violation> Checker::CheckScanStep(SequenceNumber seq, bool reverse,
                                                std::optional<uint64_t> previous,
                                                std::optional<uint64_t> key,
                                                std::string_view value) const {
  if (key && *key >= oracle_->key_space()) {
    return MakeViolation("scan", *key, seq, "a key below " + codec_.key_name(oracle_->key_space()),
                         codec_.key_name(*key), "scan returned a key outside the key space");
  }
  // The keys the iterator stepped over, in key-index order: (previous, key) exclusive.
  uint64_t lo;
  uint64_t hi;  // exclusive
  if (!reverse) {
    lo = previous ? *previous + 1 : 0;
    hi = key ? *key : oracle_->key_space();
  } else {
    lo = key ? *key + 1 : 0;
    hi = previous ? *previous : oracle_->key_space();
  }
  for (uint64_t skipped = lo; skipped < hi; skipped++) {
    const auto expected = oracle_->ValueAt(skipped, seq);
    if (expected) {
      return MakeViolation("scan", skipped, seq, Spell(expected), "skipped",
                           "scan skipped a key that holds a value");
    }
  }
  if (!key) return std::nullopt;
  if (previous && ((!reverse && *key <= *previous) || (reverse && *key >= *previous))) {
    return MakeViolation("scan", *key, seq, "keys in order",
                         codec_.key_name(*previous) + " then " + codec_.key_name(*key),
                         "scan returned keys out of order");
  }
  const auto expected = oracle_->ValueAt(*key, seq);
  ValueProblem problem = CompareValue(expected, value);
  if (problem.message.empty()) return std::nullopt;
  return MakeViolation(problem.failed_write ? kFailedWriteVisible : "scan", *key, seq,
                       Spell(expected), SpellObserved(value), std::move(problem.message));
}

Checker::ValueProblem Checker::Observed(const engine::Status& status, std::string_view value,
                                        std::optional<ValueId>* observed) const {
  observed->reset();
  if (status.IsNotFound()) return {};
  uint32_t writer = 0;
  uint64_t index = 0;
  if (!codec_.parse_value(value, &writer, &index)) {
    return {fmt::format("value '{}' is not one any writer wrote (torn, corrupt or foreign)",
                        value.substr(0, std::min<size_t>(value.size(), 32)))};
  }
  *observed = ValueId{writer, index, static_cast<uint32_t>(value.size())};
  if (oracle_->IsFailedWrite(**observed)) return {"a write that failed became visible", true};
  return {};
}

std::optional<Violation> Checker::Narrow(std::string_view kind, uint64_t key, CutSet* cuts,
                                         const std::optional<ValueId>& observed,
                                         std::string observed_text, std::string_view what) const {
  const std::string before = cuts->ToString();
  const SequenceNumber high = cuts->highest();
  cuts->Keep(oracle_->SequencesShowing(key, observed, cuts->lowest(), high));
  if (!cuts->empty()) return std::nullopt;
  return MakeViolation(
      kind, key, high, Spell(oracle_->ValueAt(key, high)), std::move(observed_text),
      fmt::format("{} at no sequence the read can have observed ({})", what, before));
}

std::optional<Violation> Checker::CheckGetIn(std::string_view kind, uint64_t key, CutSet* cuts,
                                             const engine::Status& status,
                                             std::string_view value) const {
  if (cuts->exact()) {
    const SequenceNumber seq = cuts->lowest();
    return CheckGet(kind, key, seq, status, value, seq, seq);
  }
  if (!status.ok() && !status.IsNotFound()) {
    // Callers drop injected failures first; any other error is the engine failing on its own.
    return MakeViolation(kUnexpectedError, key, cuts->highest(), "a value or not-found",
                         status.ToString(), "read failed: " + status.ToString());
  }
  std::optional<ValueId> observed;
  if (ValueProblem p = Observed(status, value, &observed); !p.message.empty()) {
    return MakeViolation(p.failed_write ? kFailedWriteVisible : kind, key, cuts->highest(),
                         Expected(key, cuts->highest()), SpellObserved(value), p.message);
  }
  return Narrow(kind, key, cuts, observed, observed ? SpellObserved(value) : "not-found",
                observed ? "the key held this value" : "the key was absent");
}

std::optional<Violation> Checker::CheckScanStepIn(CutSet* cuts, bool reverse,
                                                  std::optional<uint64_t> previous,
                                                  std::optional<uint64_t> key,
                                                  std::string_view value) const {
  if (cuts->exact()) return CheckScanStep(cuts->lowest(), reverse, previous, key, value);
  if (key && *key >= oracle_->key_space()) {
    return MakeViolation("scan", *key, cuts->highest(),
                         "a key below " + codec_.key_name(oracle_->key_space()),
                         codec_.key_name(*key), "scan returned a key outside the key space");
  }
  if (key && previous && ((!reverse && *key <= *previous) || (reverse && *key >= *previous))) {
    return MakeViolation("scan", *key, cuts->highest(), "keys in order",
                         codec_.key_name(*previous) + " then " + codec_.key_name(*key),
                         "scan returned keys out of order");
  }
  // The keys stepped over: (previous, key) exclusive, in key-index order.
  const uint64_t lo = !reverse ? (previous ? *previous + 1 : 0) : (key ? *key + 1 : 0);
  const uint64_t hi = !reverse ? (key ? *key : oracle_->key_space())
                               : (previous ? *previous : oracle_->key_space());
  for (uint64_t skipped = lo; skipped < hi; skipped++) {
    if (auto v = Narrow("scan", skipped, cuts, std::nullopt, "skipped",
                        "scan skipped the key: it was absent")) {
      return v;
    }
  }
  if (!key) return std::nullopt;
  std::optional<ValueId> observed;
  if (ValueProblem p = Observed(engine::Status::Ok(), value, &observed); !p.message.empty()) {
    return MakeViolation(p.failed_write ? kFailedWriteVisible : "scan", *key, cuts->highest(),
                         Expected(*key, cuts->highest()), SpellObserved(value), p.message);
  }
  return Narrow("scan", *key, cuts, observed, SpellObserved(value), "the key held this value");
}

}  // namespace harness::model
