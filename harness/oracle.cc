#include "harness/oracle.h"

#include <fmt/format.h>

#include <algorithm>

#include "workloads/workload_spec.h"

namespace harness {

Oracle::Oracle(uint64_t key_space)
    : key_space_(key_space), keys_(key_space), stripes_(new std::mutex[kStripes]) {}

bool Oracle::RecordWrite(uint64_t key, SequenceNumber seq, std::optional<ValueId> value) {
  if (writes_since_refresh_.fetch_add(1, std::memory_order_relaxed) % kLowWaterRefreshWrites == 0) {
    cached_low_water_.store(LowWater(), std::memory_order_relaxed);
  }
  {
    std::lock_guard<std::mutex> guard(StripeFor(key));
    KeyHistory& h = keys_.at(key);
    KeyVersion v{seq, !value.has_value(), value.value_or(ValueId{})};
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
  const KeyVersion& v = history->versions.back();
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

void Oracle::Acknowledge(SequenceNumber last) {
  SequenceNumber current = acknowledged_.load(std::memory_order_relaxed);
  while (current < last &&
         !acknowledged_.compare_exchange_weak(current, last, std::memory_order_acq_rel)) {
  }
}

void Oracle::RecordFailedWrite(ValueId value) {
  std::lock_guard<std::mutex> guard(failed_mu_);
  failed_.insert(value);
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
  std::lock_guard<std::mutex> guard(slots_mu_);
  for (const auto& slot : slots_) low = std::min(low, slot->pinned());
  return low;
}

}  // namespace harness
