#include "harness/model/oracle.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "workloads/workload_spec.h"

namespace harness::model {

Oracle::Oracle(uint64_t key_space)
    : key_space_(key_space), keys_(key_space), stripes_(new std::mutex[kStripes]) {}

bool Oracle::RecordWrite(uint64_t key, SequenceNumber seq, std::optional<ValueId> value,
                         bool batch_inner) {
  if (writes_since_refresh_.fetch_add(1, std::memory_order_relaxed) % kLowWaterRefreshWrites == 0) {
    cached_low_water_.store(LowWater(), std::memory_order_relaxed);
  }
  {
    std::lock_guard<std::mutex> guard(StripeFor(key));
    KeyHistory& h = keys_.at(key);
    KeyVersion v{seq, !value.has_value(), batch_inner, value.value_or(ValueId{})};
    auto pos = std::upper_bound(h.versions.begin(), h.versions.end(), seq,
                                [](SequenceNumber s, const KeyVersion& kv) { return s < kv.seq; });
    const bool newest = pos == h.versions.end();
    h.versions.insert(pos, v);
    versions_held_.fetch_add(1, std::memory_order_relaxed);
    PruneLocked(&h, cached_low_water_.load(std::memory_order_relaxed));
    if (newest) PublishNewestLocked(&h);
  }
  // Marked only once the version is in the history: a reader at the prefix must find it. A
  // sequence recorded twice would hold the prefix back forever (readers would wait for it); it is
  // refused, so the caller reports the engine's duplicate.
  return MarkRecorded(seq);
}

// Drops versions no reader can ask for: everything older than the newest version at or below the
// low-water mark.
void Oracle::PruneLocked(KeyHistory* history, SequenceNumber low_water) {
  auto& v = history->versions;
  auto first_above =
      std::upper_bound(v.begin(), v.end(), low_water,
                       [](SequenceNumber s, const KeyVersion& kv) { return s < kv.seq; });
  if (first_above - v.begin() <= 1) return;
  const auto drop = (first_above - v.begin()) - 1;
  v.erase(v.begin(), v.begin() + drop);
  versions_held_.fetch_sub(static_cast<uint64_t>(drop), std::memory_order_relaxed);
}

// A seqlock without fences (ThreadSanitizer does not model them): the odd count is stored before
// the fields, whose release stores keep it first; a reader's acquire loads of the fields keep its
// second load of the count after them, so a reader that saw any new field sees the count changed.
void Oracle::PublishNewestLocked(KeyHistory* history) {
  static_assert(workloads::kValueBytesMax < (1u << 31), "a value's size is packed in 31 bits");
  // No version left (a crash took every write of the key): absent, as if never written.
  static const KeyVersion kNeverWritten{0, true, false, {}};
  const KeyVersion& v = history->versions.empty() ? kNeverWritten : history->versions.back();
  const uint64_t change = history->change.load(std::memory_order_relaxed);
  history->change.store(change + 1, std::memory_order_relaxed);
  history->newest_seq.store(v.seq, std::memory_order_release);
  history->newest_index.store(v.value.index, std::memory_order_release);
  history->newest_packed.store(
      uint64_t{v.value.writer} << 32 | uint64_t{v.value.bytes} << 1 | (v.deleted ? 1 : 0),
      std::memory_order_release);
  history->change.store(change + 2, std::memory_order_release);
}

std::optional<KeyVersion> Oracle::NewestIfVisible(const KeyHistory& history, SequenceNumber seq) {
  const uint64_t before = history.change.load(std::memory_order_acquire);
  if (before & 1) return std::nullopt;
  KeyVersion v;
  v.seq = history.newest_seq.load(std::memory_order_acquire);
  v.value.index = history.newest_index.load(std::memory_order_acquire);
  const uint64_t packed = history.newest_packed.load(std::memory_order_acquire);
  if (history.change.load(std::memory_order_relaxed) != before || v.seq > seq) return std::nullopt;
  v.value.writer = static_cast<uint32_t>(packed >> 32);
  v.value.bytes = static_cast<uint32_t>(packed >> 1) & 0x7fffffffu;
  v.deleted = (packed & 1) != 0;
  return v;
}

bool Oracle::MarkRecorded(SequenceNumber seq) {
  std::lock_guard<std::mutex> guard(recorded_mu_);
  SequenceNumber through = recorded_through_.load(std::memory_order_relaxed);
  if (seq <= through) return false;
  if (seq != through + 1) return recorded_ahead_.insert(seq).second;
  through = seq;
  while (!recorded_ahead_.empty() && *recorded_ahead_.begin() == through + 1) {
    through++;
    recorded_ahead_.erase(recorded_ahead_.begin());
  }
  recorded_through_.store(through, std::memory_order_release);
  return true;
}

void Oracle::AcknowledgeSynced(SequenceNumber last) {
  SequenceNumber current = synced_.load(std::memory_order_relaxed);
  while (current < last &&
         !synced_.compare_exchange_weak(current, last, std::memory_order_acq_rel)) {
  }
}

Oracle::PrefixMatch Oracle::ClosestPrefix(const std::vector<std::optional<ValueId>>& state,
                                          SequenceNumber lo, SequenceNumber hi) const {
  // Absent compared as a value no write has (index ~0 is never reached).
  static constexpr ValueId kAbsent{~uint32_t{0}, ~uint64_t{0}, 1};
  const auto found_at = [&](uint64_t key) {
    return key < state.size() && state[key].has_value() ? *state[key] : kAbsent;
  };
  const auto expected_at = [&](uint64_t key, SequenceNumber seq) {
    const std::optional<ValueId> v = ValueAt(key, seq);
    return v.has_value() ? *v : kAbsent;
  };
  // differs[key]: the key's state at the current candidate differs from `state`.
  std::vector<bool> differs(key_space_);
  uint64_t differing = 0;
  struct Write {
    SequenceNumber seq;
    uint64_t key;
    bool batch_inner;
    bool operator<(const Write& o) const { return seq < o.seq; }
  };
  std::vector<Write> writes;  // in (lo, hi]
  for (uint64_t key = 0; key < key_space_; key++) {
    differs[key] = found_at(key) != kUncertain && expected_at(key, lo) != found_at(key);
    differing += differs[key] ? 1 : 0;
    std::lock_guard<std::mutex> guard(StripeFor(key));
    for (const KeyVersion& v : keys_[key].versions) {
      if (v.seq > lo && v.seq <= hi) writes.push_back({v.seq, key, v.batch_inner});
    }
  }
  std::sort(writes.begin(), writes.end());
  PrefixMatch best{lo, differing};
  for (size_t i = 0; i < writes.size(); i++) {
    const auto [seq, key, batch_inner] = writes[i];
    const bool now_differs = found_at(key) != kUncertain && expected_at(key, seq) != found_at(key);
    if (now_differs != differs[key]) {
      differing += now_differs ? 1 : -1;
      differs[key] = now_differs;
    }
    // Between this write and the next one the state stays the same: the highest such sequence.
    // Not a candidate inside a batch: a batch is recovered whole or not at all.
    const SequenceNumber through = i + 1 < writes.size() ? writes[i + 1].seq - 1 : hi;
    if (!batch_inner && differing <= best.differing) best = {through, differing};
  }
  if (writes.empty()) best.seq = hi;
  return best;
}

uint64_t Oracle::TruncateTo(SequenceNumber seq, SequenceNumber resume) {
  resume = std::max(resume, seq);
  uint64_t dropped = 0;
  std::vector<ValueId> lost;
  for (uint64_t key = 0; key < key_space_; key++) {
    std::lock_guard<std::mutex> guard(StripeFor(key));
    KeyHistory& h = keys_[key];
    auto& v = h.versions;
    const auto first_above = std::upper_bound(
        v.begin(), v.end(), seq, [](SequenceNumber s, const KeyVersion& kv) { return s < kv.seq; });
    if (first_above == v.end()) continue;
    for (auto it = first_above; it != v.end(); ++it) {
      if (!it->deleted) lost.push_back(it->value);
    }
    const auto n = static_cast<uint64_t>(v.end() - first_above);
    dropped += n;
    versions_held_.fetch_sub(n, std::memory_order_relaxed);
    v.erase(first_above, v.end());
    PublishNewestLocked(&h);
  }
  for (const ValueId& value : lost) RecordFailedWrite(value);
  {
    std::lock_guard<std::mutex> guard(recorded_mu_);
    recorded_ahead_.clear();
    recorded_through_.store(resume, std::memory_order_release);
  }
  acknowledged_.store(resume, std::memory_order_release);
  synced_.store(resume, std::memory_order_release);
  cached_low_water_.store(std::min(cached_low_water_.load(), seq), std::memory_order_relaxed);
  return dropped;
}

void Oracle::Adopt(uint64_t key, std::optional<ValueId> value, SequenceNumber seq) {
  if (key >= key_space_) return;
  std::lock_guard<std::mutex> guard(StripeFor(key));
  KeyHistory& h = keys_[key];
  auto& v = h.versions;
  const auto first_at = std::lower_bound(
      v.begin(), v.end(), seq, [](const KeyVersion& kv, SequenceNumber s) { return kv.seq < s; });
  versions_held_.fetch_sub(static_cast<uint64_t>(v.end() - first_at), std::memory_order_relaxed);
  v.erase(first_at, v.end());
  // Absent where the oracle already says absent: nothing to add.
  const bool absent_already = v.empty() || v.back().deleted;
  if (value || !absent_already) {
    v.push_back(KeyVersion{seq, !value.has_value(), false, value.value_or(ValueId{})});
    versions_held_.fetch_add(1, std::memory_order_relaxed);
  }
  PublishNewestLocked(&h);
}

void Oracle::Acknowledge(SequenceNumber last) {
  SequenceNumber current = acknowledged_.load(std::memory_order_relaxed);
  while (current < last &&
         !acknowledged_.compare_exchange_weak(current, last, std::memory_order_acq_rel)) {
  }
}

void Oracle::RecordVoid(SequenceNumber first, SequenceNumber last) {
  for (SequenceNumber seq = first; seq <= last; seq++) MarkRecorded(seq);
}

void Oracle::RecordFailedWrite(ValueId value) {
  std::lock_guard<std::mutex> guard(failed_mu_);
  failed_.insert(value);
}

void Oracle::RecordFailedWrite(std::span<const WriteEntry> entries, SequenceNumber after) {
  std::lock_guard<std::mutex> guard(failed_mu_);
  for (const WriteEntry& e : entries) {
    if (e.value) failed_.insert(*e.value);
  }
  failed_writes_.push_back({after, {entries.begin(), entries.end()}});
}

SequenceNumber Oracle::NewestWriteTo(uint64_t key) const {
  if (key >= key_space_) return 0;
  std::lock_guard<std::mutex> guard(StripeFor(key));
  const auto& v = keys_[key].versions;
  return v.empty() ? 0 : v.back().seq;
}

std::vector<Oracle::FailedWrite> Oracle::TakeFailedWrites() {
  std::lock_guard<std::mutex> guard(failed_mu_);
  return std::exchange(failed_writes_, {});
}

void Oracle::ForgetFailedWrite(std::span<const WriteEntry> entries) {
  std::lock_guard<std::mutex> guard(failed_mu_);
  for (const WriteEntry& e : entries) {
    if (e.value) failed_.erase(*e.value);
  }
}

bool Oracle::IsFailedWrite(const ValueId& value) const {
  std::lock_guard<std::mutex> guard(failed_mu_);
  return failed_.count(value) != 0;
}

std::optional<ValueId> Oracle::ValueAt(uint64_t key, SequenceNumber seq) const {
  if (key >= key_space_) return std::nullopt;  // never written
  // Most reads are at or above the key's newest version: no lock.
  if (const auto newest = NewestIfVisible(keys_.at(key), seq)) {
    if (newest->deleted) return std::nullopt;
    return newest->value;
  }
  std::lock_guard<std::mutex> guard(StripeFor(key));
  const auto& v = keys_.at(key).versions;
  auto first_above = std::upper_bound(
      v.begin(), v.end(), seq, [](SequenceNumber s, const KeyVersion& kv) { return s < kv.seq; });
  if (first_above == v.begin()) return std::nullopt;
  const KeyVersion& visible = *(first_above - 1);
  if (visible.deleted) return std::nullopt;
  return visible.value;
}

std::vector<SeqInterval> Oracle::SequencesShowing(uint64_t key, const std::optional<ValueId>& value,
                                                  SequenceNumber lo, SequenceNumber hi) const {
  std::vector<SeqInterval> out;
  if (lo > hi) return out;
  const auto shows = [&value](const KeyVersion* v) {
    const bool absent = v == nullptr || v->deleted;
    return value ? !absent && v->value == *value : absent;
  };
  if (key >= key_space_) {
    if (!value) out.push_back({lo, hi});  // never written: absent throughout
    return out;
  }
  std::lock_guard<std::mutex> guard(StripeFor(key));
  const auto& v = keys_.at(key).versions;
  auto next = std::upper_bound(v.begin(), v.end(), lo,
                               [](SequenceNumber s, const KeyVersion& kv) { return s < kv.seq; });
  // The version visible at lo, then each one that takes over inside (lo, hi].
  const KeyVersion* visible = next == v.begin() ? nullptr : &*(next - 1);
  SequenceNumber from = lo;
  while (true) {
    const SequenceNumber until = next != v.end() && next->seq <= hi ? next->seq - 1 : hi;
    if (shows(visible) && from <= until) {
      if (!out.empty() && out.back().high + 1 == from) {
        out.back().high = until;
      } else {
        out.push_back({from, until});
      }
    }
    if (next == v.end() || next->seq > hi) break;
    visible = &*next;
    from = next->seq;
    ++next;
  }
  return out;
}

std::string Oracle::HistoryString(uint64_t key) const {
  if (key >= key_space_) return "(outside the key space: never written)\n";
  std::lock_guard<std::mutex> guard(StripeFor(key));
  std::string out;
  for (const auto& v : keys_.at(key).versions) {
    out += v.deleted ? fmt::format("seq={} delete\n", v.seq)
                     : fmt::format("seq={} put v{}.{} ({} bytes)\n", v.seq, v.value.writer,
                                   v.value.index, v.value.bytes);
  }
  return out;
}

ReaderSlot* Oracle::NewReaderSlot() {
  std::lock_guard<std::mutex> guard(slots_mu_);
  slots_.push_back(std::make_unique<ReaderSlot>());
  return slots_.back().get();
}

SequenceNumber Oracle::LowWater() const {
  // Read the prefix first: a reader pinning later pins at or above it.
  SequenceNumber low = recorded_through_.load(std::memory_order_seq_cst);
  // A crash may land anywhere from the durable floor on: keep what each such state needs.
  if (keep_for_crashes_) low = std::min(low, synced_.load(std::memory_order_acquire));
  std::lock_guard<std::mutex> guard(slots_mu_);
  for (const auto& slot : slots_) low = std::min(low, slot->pinned());
  return low;
}

}  // namespace harness::model
