#include "stores/mutants/mutant_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace stores::mutants {
namespace {

enum class Kind : uint8_t {
  kStaleGetCache,
  kDroppedDelete,
  kSnapshotReadsLatest,
  kIteratorSkipsKey,
  kAckBeforeApply,
  kFileLayer,  // planted in the run's FaultFS, not around the store
  kCount,
};

struct Entry {
  Kind kind;
  StoreMutantInfo info;
};

const std::vector<Entry>& Catalogue() {
  static const std::vector<Entry> kEntries = {
      {Kind::kStaleGetCache,
       {"stale-get-cache",
        "a cache serving stale rows (rocksdb #2273, #14209: old values returned from the row "
        "cache)",
        "each thread keeps the values its Gets returned and answers a repeated Get from them, "
        "however often the key was written since"}},
      {Kind::kDroppedDelete,
       {"dropped-delete",
        "deleted values reappear (leveldb #320 and #887 are this symptom at a file boundary)",
        "a delete is acknowledged with its sequence, but the tombstone lands on another key, so "
        "the deleted value stays visible"}},
      {Kind::kSnapshotReadsLatest,
       {"snapshot-reads-latest",
        "a read at a snapshot answered at the latest state (rocksdb #7930: a cached row returned "
        "for the wrong read timestamp)",
        "a Get through a snapshot ignores it and reads the newest data"}},
      {Kind::kIteratorSkipsKey,
       {"iterator-skips-key",
        "an iterator missing a key (cockroach #37516: a RocksDB iterator skipped a key in the gap "
        "between two tables)",
        "an iterator that has lived through a flush steps over one key"}},
      {Kind::kAckBeforeApply,
       {"ack-before-apply",
        "a write acknowledged before it is visible to reads that start after the acknowledgement",
        "each write is acknowledged with the sequence it will get, but applied only when the next "
        "write (or a wait for background work) comes"}},
      {Kind::kFileLayer,
       {"sync-does-nothing",
        "an fsync that makes nothing durable (leveldb #74, CURRENT never synced; the "
        "fsyncgate class of lost writes)",
        "every file's Sync returns ok and makes nothing durable, so a power loss takes synced "
        "writes",
        true}},
      {Kind::kFileLayer,
       {"rename-not-durable",
        "a rename acknowledged but never made durable (leveldb #195, #189: CURRENT's rename "
        "lost by a power loss)",
        "renames take effect, but no directory sync makes them durable: a power loss undoes them",
        true}},
      {Kind::kFileLayer,
       {"delete-before-manifest-durable",
        "a file deleted before the MANIFEST edit that dropped it is durable (leveldb d84c825, "
        "rocksdb #4990 are this class)",
        "a MANIFEST's Sync makes durable only what the previous one covered, so the engine "
        "deletes the files an edit dropped while a power loss can still take the edit",
        true}},
  };
  return kEntries;
}

std::optional<Kind> KindOf(std::string_view name) {
  for (const Entry& e : Catalogue()) {
    if (e.info.name == name && e.kind != Kind::kFileLayer) return e.kind;
  }
  return std::nullopt;
}

// Unique per wrapper, so a thread's cache never outlives the store it was filled from (a reopened
// store may get the same address).
std::atomic<uint64_t> next_store_id{1};

struct ThreadCache {
  uint64_t store_id = 0;
  std::unordered_map<std::string, std::string> values;
};
thread_local ThreadCache thread_cache;

// An iterator that, once the store has flushed since it was made, steps over one key (once).
class SkippingIterator final : public Iterator {
 public:
  SkippingIterator(std::unique_ptr<Iterator> inner, const Store* store)
      : inner_(std::move(inner)), store_(store), flushes_at_start_(store->Stats().flushes) {}
  bool Valid() const override { return inner_->Valid(); }
  void SeekToFirst() override { inner_->SeekToFirst(); }
  void SeekToLast() override { inner_->SeekToLast(); }
  void Seek(std::string_view target) override { inner_->Seek(target); }
  void Next() override {
    inner_->Next();
    if (!skipped_ && inner_->Valid() && FlushedSinceStart()) {
      inner_->Next();
      skipped_ = true;
    }
  }
  void Prev() override { inner_->Prev(); }
  std::string_view key() const override { return inner_->key(); }
  std::string_view value() const override { return inner_->value(); }
  Status status() const override { return inner_->status(); }
  Position position() const override { return inner_->position(); }

 private:
  // The store's counters cost a property read or a directory listing: looked at every 10 ms.
  bool FlushedSinceStart() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_look_ < std::chrono::milliseconds(10)) return false;
    last_look_ = now;
    return store_->Stats().flushes > flushes_at_start_;
  }

  std::unique_ptr<Iterator> inner_;
  const Store* const store_;
  const uint64_t flushes_at_start_;
  std::chrono::steady_clock::time_point last_look_{};
  bool skipped_ = false;
};

class MutantStore final : public Store {
 public:
  MutantStore(std::unique_ptr<Store> inner, std::vector<Kind> kinds)
      : inner_(std::move(inner)), id_(next_store_id.fetch_add(1)) {
    for (Kind k : kinds) on_[static_cast<size_t>(k)] = true;
  }
  ~MutantStore() override {
    std::lock_guard<std::mutex> guard(write_mu_);
    (void)ApplyPendingLocked();
  }

  Result<SequenceNumber> Write(bool sync, std::span<const BatchEntry> batch,
                               SequenceNumber* voided) override {
    std::vector<std::string> keys;  // the redirected tombstones' keys
    std::vector<BatchEntry> entries(batch.begin(), batch.end());
    if (On(Kind::kDroppedDelete)) {
      keys.reserve(entries.size());
      for (BatchEntry& e : entries) {
        if (!e.deletion) continue;
        keys.push_back(std::string(e.key) + "~dropped");
        e.key = keys.back();
      }
    }
    if (!On(Kind::kAckBeforeApply)) return inner_->Write(sync, entries, voided);
    // Every write goes through this lock, so the inner store numbers them in this order: the
    // pending write will take exactly the sequences after the newest applied one.
    std::lock_guard<std::mutex> guard(write_mu_);
    if (Status s = ApplyPendingLocked(); !s.ok()) return s;
    pending_.emplace();
    pending_->sync = sync;
    pending_->keys = std::move(keys);
    for (const BatchEntry& e : entries) {
      pending_->text.push_back({std::string(e.key), std::string(e.value)});
    }
    for (size_t i = 0; i < entries.size(); i++) {
      pending_->entries.push_back(
          {entries[i].deletion, pending_->text[i].first, pending_->text[i].second});
    }
    return inner_->LastSequence() + entries.size();
  }

  Status Get(const ReadOptions& options, std::string_view key, std::string* value,
             Position* at) override {
    if (options.snapshot != nullptr && On(Kind::kSnapshotReadsLatest)) {
      const Status s = inner_->Get(ReadOptions(), key, value, at);
      *at = options.snapshot->position();
      return s;
    }
    const Status s = inner_->Get(options, key, value, at);
    if (options.snapshot != nullptr || !On(Kind::kStaleGetCache)) return s;
    if (!s.ok() && !s.IsNotFound()) return s;
    ThreadCache& cache = thread_cache;
    if (cache.store_id != id_) cache = ThreadCache{id_, {}};
    const std::string name(key);
    if (auto it = cache.values.find(name); it != cache.values.end()) {
      *value = it->second;
      return Status::Ok();
    }
    if (s.ok()) cache.values.emplace(name, *value);
    return s;
  }

  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override {
    std::unique_ptr<Iterator> it = inner_->NewIterator(options);
    if (!On(Kind::kIteratorSkipsKey)) return it;
    return std::make_unique<SkippingIterator>(std::move(it), inner_.get());
  }

  std::unique_ptr<Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  SequenceNumber LastSequence() const override { return inner_->LastSequence(); }
  Status BackgroundError() const override { return inner_->BackgroundError(); }
  Status WaitForBackgroundIdle() override {
    if (On(Kind::kAckBeforeApply)) {
      std::lock_guard<std::mutex> guard(write_mu_);
      if (Status s = ApplyPendingLocked(); !s.ok()) return s;
    }
    return inner_->WaitForBackgroundIdle();
  }
  StoreStats Stats() const override { return inner_->Stats(); }
  EngineView* engine_view() override { return inner_->engine_view(); }
  Invariants* invariants() override { return inner_->invariants(); }
  Simulation* simulation() override { return inner_->simulation(); }
  Maintenance* maintenance() override { return inner_->maintenance(); }

 private:
  struct Pending {
    bool sync = false;
    std::vector<std::string> keys;
    std::vector<std::pair<std::string, std::string>> text;
    std::vector<BatchEntry> entries;  // views of text
  };

  bool On(Kind k) const { return on_[static_cast<size_t>(k)]; }

  Status ApplyPendingLocked() {
    if (!pending_) return Status::Ok();
    SequenceNumber voided = 0;  // the write was acknowledged already: its sequences are not void
    auto written = inner_->Write(pending_->sync, pending_->entries, &voided);
    pending_.reset();
    return written.ok() ? Status::Ok() : written.status();
  }

  std::unique_ptr<Store> inner_;
  const uint64_t id_;
  bool on_[static_cast<size_t>(Kind::kCount)] = {};
  std::mutex write_mu_;
  std::optional<Pending> pending_;  // ack-before-apply: the acknowledged, unapplied write
};

}  // namespace

const std::vector<StoreMutantInfo>& StoreMutants() {
  static const std::vector<StoreMutantInfo> kInfos = [] {
    std::vector<StoreMutantInfo> out;
    for (const Entry& e : Catalogue()) out.push_back(e.info);
    return out;
  }();
  return kInfos;
}

const StoreMutantInfo* FindStoreMutant(std::string_view name) {
  for (const StoreMutantInfo& info : StoreMutants()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::unique_ptr<Store> Plant(std::unique_ptr<Store> inner, const std::vector<std::string>& names) {
  std::vector<Kind> kinds;
  for (const std::string& name : names) {
    if (auto k = KindOf(name)) kinds.push_back(*k);
  }
  if (kinds.empty()) return inner;  // none, or only file-layer ones
  return std::make_unique<MutantStore>(std::move(inner), std::move(kinds));
}

}  // namespace stores::mutants
