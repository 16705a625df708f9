#include "harness/reduce/shrinker.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "workloads/key_chooser.h"
#include "workloads/random.h"
#include "workloads/value.h"

namespace harness::reduce {
namespace {

// Chunks tried per level of the chunk pass (each one replay): smaller chunks wait until the
// script is short enough.
constexpr size_t kChunksPerLevelMax = 1024;
// How often a run of writes that cannot be merged whole is halved.
constexpr int kMergeDepthMax = 4;
// Progress lines at most this often (and at the end of each pass that made progress).
constexpr double kProgressIntervalSeconds = 1.0;
constexpr int kTriesPerLevel = 100;
constexpr double kSubsetRateFirst = 0.1;
constexpr double kSubsetRateLast = 1e-5;

// Whether a client's read op names a key.
bool HasKey(const model::ClientOp& op) {
  return op.kind == model::ClientOp::Kind::kGet || op.kind == model::ClientOp::Kind::kSnapshotGet ||
         (op.kind == model::ClientOp::Kind::kScanOpen && op.has_start);
}

class Reducer {
 public:
  Reducer(std::vector<drivers::SimStep> script, const FailsTest& fails,
          const ShrinkOptions& options)
      : fails_(fails), options_(options), random_(options.seed) {
    result_.script = std::move(script);
    start_ = std::chrono::steady_clock::now();
  }

  ShrinkResult Run() {
    const size_t original = Size();
    // The original fails: cut it at its failing step.
    if (auto cut = Attempt(result_.script))
      Accept(Cut(result_.script, *cut), "cut after the failure");
    size_t before = SIZE_MAX;
    while (!OutOfTime() && Size() < before) {
      before = Size();
      DropClients();
      MergeWrites();
      Chunks();
      RandomSubsets();
      FaultFires();
      Simplify();
    }
    result_.seconds = Elapsed();
    if (options_.progress) {
      options_.progress(fmt::format("[{:5.1f}s] {} -> {} steps, {} replays{}", Elapsed(), original,
                                    Size(), result_.attempts,
                                    result_.time_limit_hit ? " (time limit)" : ""));
    }
    return std::move(result_);
  }

 private:
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  bool OutOfTime() {
    if (Elapsed() < options_.time_limit_seconds) return false;
    result_.time_limit_hit = true;
    return true;
  }
  size_t Size() const { return result_.script.size(); }

  std::optional<size_t> Attempt(const std::vector<drivers::SimStep>& candidate) {
    result_.attempts++;
    return fails_(candidate);
  }

  static std::vector<drivers::SimStep> Cut(const std::vector<drivers::SimStep>& script,
                                           size_t steps) {
    return CutAfter(script, steps);
  }

  void Accept(std::vector<drivers::SimStep> script, const std::string& how) {
    result_.script = std::move(script);
    if (options_.progress && Elapsed() - last_progress_ >= kProgressIntervalSeconds) {
      options_.progress(fmt::format("[{:5.1f}s] {} steps ({}; {} replays so far)", Elapsed(),
                                    Size(), how, result_.attempts));
      last_progress_ = Elapsed();
    }
  }

  // Every step of one client at a time (all but the failing step's): clients that only read, or
  // whose writes do not matter, go in one replay each.
  void DropClients() {
    if (Size() == 0) return;
    // Copied: an accepted candidate replaces the script.
    const bool last_is_client = result_.script.back().actor == drivers::SimStep::Actor::kClient;
    const uint32_t last_client = result_.script.back().client;
    std::set<uint32_t> clients;
    for (const drivers::SimStep& s : result_.script) {
      if (s.actor == drivers::SimStep::Actor::kClient) clients.insert(s.client);
    }
    for (uint32_t c : clients) {
      if (OutOfTime()) return;
      if (last_is_client && last_client == c) continue;
      std::vector<bool> keep(Size());
      for (size_t i = 0; i < Size(); i++) {
        const drivers::SimStep& s = result_.script[i];
        keep[i] = !(s.actor == drivers::SimStep::Actor::kClient && s.client == c);
      }
      TryKeep(keep, fmt::format("client {} dropped", c));
    }
  }

  // Runs of consecutive top-level writes become one batch each (on the first write's client):
  // the DB ends up the same, in far fewer steps. All runs at once, else each run alone.
  void MergeWrites() {
    std::vector<std::pair<size_t, size_t>> runs;  // [begin, end)
    for (size_t i = 0; i < Size();) {
      size_t j = i;
      while (j < Size() && Mergeable(result_.script[j])) j++;
      if (j - i >= 2) runs.emplace_back(i, j);
      i = std::max(j, i + 1);
    }
    if (runs.empty() || OutOfTime()) return;
    if (auto cut = Attempt(Merged(result_.script, runs))) {
      Accept(Cut(Merged(result_.script, runs), *cut), "writes merged into batches");
      return;
    }
    // A merge that moves a memtable switch (a write that found the memtable full) changes what
    // the flushes write: try each run, then its halves, so merges stop at such boundaries. From
    // the last run back, so positions before it stay valid.
    for (size_t r = runs.size(); r-- > 0 && !OutOfTime();)
      MergeRun(runs[r].first, runs[r].second, 0);
  }

  // Tries merging steps [begin, end); if that fails, each half (up to kMergeDepthMax levels).
  // Returns how many steps the merges removed.
  size_t MergeRun(size_t begin, size_t end, int depth) {
    if (end - begin < 2 || OutOfTime()) return 0;
    const std::vector<drivers::SimStep> candidate = Merged(result_.script, {{begin, end}});
    if (auto cut = Attempt(candidate)) {
      Accept(Cut(candidate, *cut), "writes merged into a batch");
      return end - begin - 1;
    }
    if (depth == kMergeDepthMax) return 0;
    const size_t mid = begin + (end - begin) / 2;
    const size_t removed = MergeRun(mid, end, depth + 1);  // the later half first: indexes hold
    return removed + MergeRun(begin, mid, depth + 1);
  }

  static bool Mergeable(const drivers::SimStep& s) {
    return s.actor == drivers::SimStep::Actor::kClient &&
           s.op.kind == model::ClientOp::Kind::kWrite && s.inside == 0 && s.fires.empty();
  }

  static void Flatten(const workloads::Op& op, std::vector<workloads::Op>* out) {
    if (op.kind == workloads::Op::Kind::kBatch) {
      for (const workloads::Op& inner : op.batch) Flatten(inner, out);
    } else {
      workloads::Op entry = op;
      entry.sync = false;
      out->push_back(std::move(entry));
    }
  }

  // `script` with each run in `runs` (sorted, disjoint) replaced by one batch.
  static std::vector<drivers::SimStep> Merged(const std::vector<drivers::SimStep>& script,
                                              const std::vector<std::pair<size_t, size_t>>& runs) {
    std::vector<bool> keep(script.size(), true);
    std::vector<drivers::SimStep> merged = script;
    for (const auto& [begin, end] : runs) {
      workloads::Op batch;
      batch.kind = workloads::Op::Kind::kBatch;
      for (size_t i = begin; i < end; i++) {
        Flatten(script[i].op.write, &batch.batch);
        batch.sync = batch.sync || script[i].op.write.sync;
        if (i > begin) keep[i] = false;
      }
      merged[begin].op.write = std::move(batch);
    }
    return KeepSteps(merged, keep);
  }

  // Tries `keep`; on a failure of the wanted kind, takes it (cut at the failing step).
  bool TryKeep(const std::vector<bool>& keep, const std::string& how) {
    std::vector<drivers::SimStep> candidate = KeepSteps(result_.script, keep);
    const auto cut = Attempt(candidate);
    if (!cut) return false;
    Accept(Cut(candidate, *cut), how);
    return true;
  }

  void Chunks() {
    for (size_t chunk = std::max<size_t>(Size() / 2, 1); chunk >= 1 && !OutOfTime(); chunk /= 2) {
      // One replay per chunk: small chunks only once the script is short.
      if (Size() / chunk > kChunksPerLevelMax) break;
      for (size_t start = 0; start < Size() && !OutOfTime();) {
        std::vector<bool> keep(Size(), true);
        const size_t end = std::min(Size(), start + chunk);
        if (end - start == Size()) break;  // never everything
        std::fill(keep.begin() + static_cast<std::ptrdiff_t>(start),
                  keep.begin() + static_cast<std::ptrdiff_t>(end), false);
        if (!TryKeep(keep, fmt::format("chunks of {}", chunk))) start = end;
      }
      if (chunk == 1) break;
    }
  }

  // Returns after its first success, so the cheaper structural passes see the smaller script.
  void RandomSubsets() {
    for (double p = kSubsetRateFirst; p >= kSubsetRateLast && !OutOfTime(); p /= 2) {
      if (p * static_cast<double>(Size()) < 0.5) break;  // would drop nothing, on average
      for (int tries = 0; tries < kTriesPerLevel && !OutOfTime(); tries++) {
        std::vector<bool> keep(Size());
        bool dropped = false;
        for (size_t i = 0; i < Size(); i++) {
          keep[i] = random_.UniformDouble() >= p;
          dropped = dropped || !keep[i];
        }
        if (dropped && TryKeep(keep, fmt::format("random subsets, p={}", p))) return;
      }
    }
  }

  void FaultFires() {
    for (size_t i = 0; i < Size() && !OutOfTime(); i++) {
      for (size_t f = 0; f < result_.script[i].fires.size() && !OutOfTime();) {
        std::vector<drivers::SimStep> candidate = result_.script;
        candidate[i].fires.erase(candidate[i].fires.begin() + static_cast<std::ptrdiff_t>(f));
        if (auto cut = Attempt(candidate)) {
          Accept(Cut(candidate, *cut), "a fault fire dropped");
        } else {
          f++;
        }
      }
    }
  }

  // Keys and values separately: a failure that needs a full memtable keeps its value sizes.
  void Simplify() {
    for (const bool values : {false, true}) {
      if (OutOfTime()) return;
      std::vector<drivers::SimStep> candidate = Simplified(result_.script, !values, values);
      if (candidate == result_.script) continue;
      if (auto cut = Attempt(candidate)) {
        Accept(Cut(candidate, *cut), values ? "values simplified" : "keys simplified");
      }
    }
  }

  // Keys renumbered from k00000000 in their order; values renamed to bare ids v0.1, v0.2, ...
  static std::vector<drivers::SimStep> Simplified(std::vector<drivers::SimStep> script,
                                                  bool keys_too, bool values_too) {
    std::map<std::string, uint64_t> keys;
    std::map<std::string, uint64_t> values;
    const auto note_write = [&](const workloads::Op& op) {
      if (!op.key.empty()) keys[op.key] = 0;
      if (op.kind == workloads::Op::Kind::kPut && values.count(op.value) == 0) {
        values.emplace(op.value, values.size() + 1);
      }
    };
    for (const drivers::SimStep& s : script) {
      if (s.actor != drivers::SimStep::Actor::kClient) continue;
      if (s.op.kind == model::ClientOp::Kind::kWrite) {
        note_write(s.op.write);
        for (const workloads::Op& inner : s.op.write.batch) note_write(inner);
      } else if (HasKey(s.op)) {
        keys[workloads::KeyName(s.op.key)] = 0;
      }
    }
    uint64_t next = 0;
    for (auto& [name, index] : keys) index = next++;
    const auto rename = [&](workloads::Op* op) {
      if (keys_too && !op->key.empty()) op->key = workloads::KeyName(keys.at(op->key));
      if (values_too && op->kind == workloads::Op::Kind::kPut) {
        op->value = workloads::MakeValue(0, values.at(op->value), 0);
      }
    };
    for (drivers::SimStep& s : script) {
      if (s.actor != drivers::SimStep::Actor::kClient) continue;
      if (s.op.kind == model::ClientOp::Kind::kWrite) {
        rename(&s.op.write);
        for (workloads::Op& inner : s.op.write.batch) rename(&inner);
      } else if (keys_too && HasKey(s.op)) {
        s.op.key = keys.at(workloads::KeyName(s.op.key));
      }
    }
    return script;
  }

  double last_progress_ = -kProgressIntervalSeconds;
  const FailsTest& fails_;
  const ShrinkOptions options_;
  workloads::Random random_;
  ShrinkResult result_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::vector<drivers::SimStep> CutAfter(const std::vector<drivers::SimStep>& script, size_t steps) {
  if (steps >= script.size()) return script;
  std::vector<bool> keep(script.size(), false);
  for (size_t i = 0; i < script.size(); i++) {
    // The first `steps` steps, and the steps nested inside them (which come after their outer
    // step: a failure found by an outer step may need what ran inside it).
    keep[i] = i < steps || (script[i].inside != 0 && script[i].inside <= steps);
  }
  return KeepSteps(script, keep);
}

std::vector<drivers::SimStep> KeepSteps(const std::vector<drivers::SimStep>& script,
                                        const std::vector<bool>& keep) {
  std::vector<size_t> new_position(script.size() + 1, 0);  // 1-based old -> new (0: removed)
  std::vector<drivers::SimStep> out;
  for (size_t i = 0; i < script.size(); i++) {
    if (!keep[i]) continue;
    drivers::SimStep step = script[i];
    step.inside = step.inside != 0 && step.inside <= script.size() ? new_position[step.inside] : 0;
    out.push_back(std::move(step));
    new_position[i + 1] = out.size();
  }
  return out;
}

ShrinkResult Shrink(std::vector<drivers::SimStep> script, const FailsTest& fails,
                    const ShrinkOptions& options) {
  return Reducer(std::move(script), fails, options).Run();
}

}  // namespace harness::reduce
