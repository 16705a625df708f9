#include "harness/model/run_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "workloads/key_chooser.h"

namespace harness::model {

void OpNote::SetValue(std::string_view value) {
  const std::string_view id = value.substr(0, std::min(value.find('#'), value_prefix.size()));
  value_prefix_bytes = static_cast<uint8_t>(id.size());
  std::copy(id.begin(), id.end(), value_prefix.begin());
}

std::string OpNote::ToString() const {
  static constexpr const char* kNames[] = {"put", "delete", "batch", "get", "snapshot-get", "scan"};
  std::string out = kNames[static_cast<int>(kind)];
  if (kind == Kind::kBatch) {
    out += fmt::format(" ({} entries, first {})", entries, workloads::KeyName(key));
  } else {
    out += " " + workloads::KeyName(key);
  }
  const std::string_view value(value_prefix.data(), value_prefix_bytes);
  if (kind == Kind::kPut) out += fmt::format(" {}", value);
  if (kind == Kind::kScan) out += reverse ? " rev" : " fwd";
  out += " // ";
  if (!ok) {
    out += fmt::format("{}{}", engine::Status::CodeName(code), injected ? " [injected]" : "");
  } else if (kind == Kind::kGet || kind == Kind::kSnapshotGet) {
    out += found ? std::string(value) : "not-found";
  } else {
    out += "ok";
  }
  return out + fmt::format(" seq={}", seq);
}

std::vector<std::string> ThreadState::RecentOps(size_t max) const {
  std::vector<std::string> out;
  const uint64_t kept = std::min<uint64_t>({recent_count, kRecentOpsMax, max});
  const uint64_t first = recent_count - kept;
  for (uint64_t i = first; i < recent_count; i++)
    out.push_back(recent[i % kRecentOpsMax].ToString());
  return out;
}

void RunState::Report(Violation v, ThreadState* thread) {
  if (thread != nullptr && powered_off_ && powered_off_()) {
    dropped_at_power_loss_.fetch_add(1);
    return;
  }
  v.seconds = Seconds();
  v.step = step_.load(std::memory_order_relaxed);
  // Located only for the violations that are kept: the locator reads every table of the key.
  if (key_locator_ && !v.key.empty() && v.key_locations.empty() &&
      violation_count_.load() < kViolationsMax) {
    v.key_locations = key_locator_(v.key);
  }
  if (thread != nullptr) {
    v.thread = thread->name;
    v.thread_recent_ops = thread->RecentOps();
  }
  violation_count_.fetch_add(1);
  {
    std::lock_guard<std::mutex> guard(mu_);
    violations_by_kind_[v.kind]++;
    if (violations_.size() < kViolationsMax) violations_.push_back(std::move(v));
  }
  if (!keep_going_) Stop();
}

std::vector<std::string> RunState::MergedHistory() const {
  struct Entry {
    SequenceNumber seq;
    bool read;
    const std::string* thread;
    const OpNote* note;
  };
  std::vector<Entry> entries;
  std::lock_guard<std::mutex> guard(mu_);
  for (const auto& t : threads_) {
    const uint64_t kept = std::min<uint64_t>(t->recent_count, ThreadState::kRecentOpsMax);
    for (uint64_t i = t->recent_count - kept; i < t->recent_count; i++) {
      const OpNote& note = t->recent[i % ThreadState::kRecentOpsMax];
      const bool read = note.kind == OpNote::Kind::kGet ||
                        note.kind == OpNote::Kind::kSnapshotGet || note.kind == OpNote::Kind::kScan;
      entries.push_back({note.seq, read, &t->name, &note});
    }
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.seq != b.seq ? a.seq < b.seq : (a.read != b.read ? !a.read : *a.thread < *b.thread);
  });
  std::vector<std::string> lines;
  for (const Entry& e : entries) lines.push_back(*e.thread + " " + e.note->ToString());
  return lines;
}

std::vector<Violation> RunState::violations() const {
  std::lock_guard<std::mutex> guard(mu_);
  return violations_;
}

uint64_t RunState::Sum(OpCounter c) const {
  std::lock_guard<std::mutex> guard(mu_);
  uint64_t total = 0;
  for (const auto& t : threads_) total += t->counters[c].load(std::memory_order_relaxed);
  return total;
}

OpResult ResultOf(const engine::Status& s) {
  if (s.ok()) return OpResult::kOk;
  if (s.IsNotFound()) return OpResult::kNotFound;
  return s.injected() ? OpResult::kInjectedError : OpResult::kError;
}

size_t LatencyBucket(uint64_t nanos) {
  // Whole microseconds, rounded up: bucket i holds (2^(i-1), 2^i] µs, bucket 0 up to 1 µs.
  const uint64_t micros = (nanos + 999) / 1000;
  const size_t i = micros <= 1 ? 0 : static_cast<size_t>(std::bit_width(micros - 1));
  return std::min(i, reports::kLatencyBounds);
}

void RunState::Snapshot(reports::MetricsSnapshot* m) const {
  std::lock_guard<std::mutex> guard(mu_);
  m->ops = {};
  m->latency = {};
  uint64_t checked[kOpCounterCount] = {};
  for (const auto& t : threads_) {
    for (size_t op = 0; op < reports::kOpKindCount; op++) {
      for (size_t r = 0; r < reports::kOpResultCount; r++) {
        m->ops[op][r] += t->ops[op][r].load(std::memory_order_relaxed);
      }
      for (size_t b = 0; b <= reports::kLatencyBounds; b++) {
        m->latency[op].buckets[b] += t->latency[op][b].load(std::memory_order_relaxed);
      }
      m->latency[op].sum_seconds +=
          static_cast<double>(t->latency_nanos[op].load(std::memory_order_relaxed)) / 1e9;
    }
    for (size_t c = 0; c < kOpCounterCount; c++) {
      checked[c] += t->counters[c].load(std::memory_order_relaxed);
    }
  }
  m->reads_checked = {{"point_read", checked[kReadsChecked]},
                      {"scan", checked[kScansChecked]},
                      {"scan_key", checked[kScanKeysChecked]},
                      {"snapshot_read", checked[kSnapshotReadsChecked]}};
  m->violations = violations_by_kind_;
}

}  // namespace harness::model
