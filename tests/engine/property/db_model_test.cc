// Model-based properties of engine::DB: rapidcheck generates random command sequences (writes,
// reads, iterators, snapshots, flushes, compactions, background steps, reopens), runs each against
// a real DB in a fresh TempDir, and checks every read against a std::map model of the current
// state and of the state each live snapshot and pinned iterator captured when it was taken.
//
// Reproducing a failure: rapidcheck shrinks the sequence, prints the minimal one (one command per
// line, e.g. `put k000007 v12.aaaa…(310 bytes)`) and a line `RC_PARAMS="reproduce=…"`. Replay
// exactly that case with
//   RC_PARAMS="reproduce=<string>" ./build/debug/tests/engine_property_tests
//       --gtest_filter=DbModel.<Property>   (one command line)
// More cases: RC_PARAMS="max_success=1000"; another seed: RC_PARAMS="seed=12345".
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "engine/db.h"
#include "engine/testing.h"
#include "tests/engine/db_test_util.h"

namespace {

using engine::DB;
using engine::Iterator;
using engine::ReadOptions;
using engine::SequenceNumber;
using engine::Status;
using engine::WriteOptions;
using vstress_test::Key;

// Small enough that overwrites, deletes and seeks keep landing on the same keys.
constexpr int kKeySpace = 40;
// Values up to ~700 bytes make a few dozen writes fill SmallOptions()'s 16 KiB memtable, so
// sequences flush and compact on their own, not only when a Flush/CompactRange command says so.
constexpr int kValuePaddingBytesMax = 700;
constexpr int kSnapshotsLiveMax = 3;
constexpr int kIteratorsPinnedMax = 2;
constexpr int kBatchOpsMin = 2;
constexpr int kBatchOpsMax = 5;
constexpr int kHeldIteratorPutsMax = 4;
constexpr int kSeekStepsMax = 6;
// A sequence has 1..kCommandsPerCaseMax+1 commands (rapidcheck draws the length up to the size).
constexpr int kCommandsPerCaseMax = 200;
// Manual background work on this little data must reach idle long before this many steps.
constexpr int kBackgroundStepsMax = 10000;

using State = std::map<std::string, std::string>;
using Entries = std::vector<std::pair<std::string, std::string>>;

// What a snapshot or iterator must keep showing: the model state and sequence when it was taken.
struct Capture {
  State state;
  SequenceNumber sequence = 0;
};

struct Model {
  bool manual = true;  // BackgroundMode::kManual (else kThread)
  State current;
  SequenceNumber last_sequence = 0;
  uint64_t values_written = 0;  // makes every written value unique
  std::map<int, Capture> snapshots;
  std::map<int, Capture> iterators;
  int next_reader_id = 0;  // ids for snapshots and pinned iterators
};

// The system under test: the DB plus the snapshots and pinned iterators the model knows about.
struct Sut {
  explicit Sut(bool manual) {
    options = vstress_test::SmallOptions();
    options.background = manual ? engine::BackgroundMode::kManual : engine::BackgroundMode::kThread;
  }
  ~Sut() {
    ReleaseReaders();
    if (db) db->Close();
  }

  Status Open() {
    auto opened = DB::Open(options, dir.path());
    if (!opened.ok()) return opened.status();
    db = std::move(opened).value();
    return Status::Ok();
  }

  // The DB's contract: every Iterator and Snapshot is released before Close.
  void ReleaseReaders() {
    iterators.clear();
    if (db) {
      for (const auto& [id, snapshot] : snapshots) db->ReleaseSnapshot(snapshot);
    }
    snapshots.clear();
  }

  vstress_test::TempDir dir;
  engine::Options options;
  std::unique_ptr<DB> db;
  std::map<int, const engine::Snapshot*> snapshots;
  std::map<int, std::unique_ptr<Iterator>> iterators;
};

using Command = rc::state::Command<Model, Sut>;

// ---- Helpers -------------------------------------------------------------------------------

// Values are "v<id>." plus padding; counterexamples print them short.
std::string Short(const std::string& text) {
  constexpr size_t kShownBytesMax = 24;
  if (text.size() <= kShownBytesMax) return text;
  return text.substr(0, kShownBytesMax) + "…(" + std::to_string(text.size()) + " bytes)";
}

std::string MakeValue(uint64_t id, int padding_bytes) {
  return "v" + std::to_string(id) + "." + std::string(padding_bytes, char('a' + id % 26));
}

std::string GenKey() { return Key(*rc::gen::inRange(0, kKeySpace)); }

std::string GenValue(uint64_t id) {
  return MakeValue(id, *rc::gen::inRange(0, kValuePaddingBytesMax + 1));
}

// A seek target: a key of the key space, one just after it (between two keys), or past either end.
std::string GenSeekTarget() {
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      return "";
    case 1:
      return "l";  // after every "k…" key
    case 2:
      return GenKey() + "+";
    default:
      return GenKey();
  }
}

// A CompactRange argument pair: unbounded, half-open either way, or a sub-range [lo, hi].
std::pair<std::string, std::string> GenRange() {
  const int lo = *rc::gen::inRange(0, kKeySpace);
  const int hi = *rc::gen::inRange(lo, kKeySpace);
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      return {"", ""};
    case 1:
      return {"", Key(hi)};
    case 2:
      return {Key(lo), ""};
    default:
      return {Key(lo), Key(hi)};
  }
}

void AssertOk(const Status& status, const std::string& what) {
  if (!status.ok()) RC_FAIL(what + ": " + status.ToString());
}

// "" when equal, else the first difference, short enough to read in a counterexample.
std::string FirstDifference(const Entries& expected, const Entries& actual) {
  const size_t common = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < common; i++) {
    if (expected[i] != actual[i]) {
      return "entry " + std::to_string(i) + ": expected " + expected[i].first + "=" +
             Short(expected[i].second) + ", got " + actual[i].first + "=" + Short(actual[i].second);
    }
  }
  if (expected.size() == actual.size()) return "";
  return "expected " + std::to_string(expected.size()) + " entries, got " +
         std::to_string(actual.size());
}

// Checks a full forward and a full backward scan of `it` against `state`. Entries are collected
// in order (not into a map) so a duplicate or misordered key fails too.
void CheckScans(Iterator* it, const State& state, const std::string& what) {
  Entries forward;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    forward.emplace_back(std::string(it->key()), std::string(it->value()));
  }
  AssertOk(it->status(), what + " forward scan");
  const std::string forward_difference =
      FirstDifference(Entries(state.begin(), state.end()), forward);
  if (!forward_difference.empty()) RC_FAIL(what + " forward scan: " + forward_difference);
  Entries backward;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    backward.emplace_back(std::string(it->key()), std::string(it->value()));
  }
  AssertOk(it->status(), what + " backward scan");
  const std::string backward_difference =
      FirstDifference(Entries(state.rbegin(), state.rend()), backward);
  if (!backward_difference.empty()) RC_FAIL(what + " backward scan: " + backward_difference);
}

void CheckPosition(Iterator* it, const State& state, State::const_iterator expected) {
  if (expected == state.end()) {
    RC_ASSERT(!it->Valid());
    return;
  }
  RC_ASSERT(it->Valid());
  RC_ASSERT(std::string(it->key()) == expected->first);
  if (it->value() != expected->second) {
    RC_FAIL("at " + expected->first + ": expected " + Short(expected->second) + ", got " +
            Short(std::string(it->value())));
  }
}

// Seek, then `next_steps` Next()s, then (while still valid) `prev_steps` Prev()s, each position
// compared with the model; switching direction mid-way is where merging iterators go wrong.
void CheckSeekWalk(Iterator* it, const State& state, const std::string& target, int next_steps,
                   int prev_steps) {
  it->Seek(target);
  auto expected = state.lower_bound(target);
  CheckPosition(it, state, expected);
  for (int i = 0; i < next_steps && it->Valid(); i++) {
    it->Next();
    CheckPosition(it, state, ++expected);
  }
  for (int i = 0; i < prev_steps && it->Valid(); i++) {
    it->Prev();
    if (expected == state.begin()) {
      RC_ASSERT(!it->Valid());
      break;
    }
    CheckPosition(it, state, --expected);
  }
  AssertOk(it->status(), "seek walk");
}

// Reads `key` and compares it with `state`; `observed` must be `sequence`.
void CheckGet(DB* db, const engine::Snapshot* snapshot, const std::string& key, const State& state,
              SequenceNumber sequence) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  SequenceNumber observed = 0;
  const Status s = db->Get(ro, key, &value, &observed);
  const auto found = state.find(key);
  if (found == state.end()) {
    if (!s.IsNotFound()) {
      RC_FAIL("get " + key + ": expected NotFound, got " + s.ToString() + " " + Short(value));
    }
  } else {
    AssertOk(s, "get " + key);
    if (value != found->second) {
      RC_FAIL("get " + key + ": expected " + Short(found->second) + ", got " + Short(value));
    }
  }
  RC_ASSERT(observed == sequence);
}

// Every pinned iterator and live snapshot still shows exactly what it captured.
void CheckReaders(const Model& m, Sut& sut, const std::string& when) {
  for (const auto& [id, it] : sut.iterators) {
    CheckScans(it.get(), m.iterators.at(id).state, "pinned iterator #" + std::to_string(id) + when);
  }
  for (const auto& [id, snapshot] : sut.snapshots) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    auto it = sut.db->NewIterator(ro);
    CheckScans(it.get(), m.snapshots.at(id).state, "snapshot #" + std::to_string(id) + when);
  }
}

// Invariant 1 of doc/design.md: a table that a live Version lists is on disk. Deferred deletion
// keeps such a table until the last Version listing it goes, so a missing one is a table deleted
// too early, which a reader only notices if it had not opened the table yet. The directory is
// listed before the Versions are read, so only a table written and installed in between could be
// reported falsely: call this in manual mode, or in thread mode right after idling.
void CheckLiveTablesOnDisk(Sut& sut) {
  const std::vector<std::string> names = vstress_test::ListDir(sut.dir.path());
  for (const auto& version : engine::testing::LiveVersions(sut.db.get())) {
    for (size_t level = 0; level < version.files_per_level.size(); level++) {
      for (uint64_t number : version.files_per_level[level]) {
        char name[32];
        std::snprintf(name, sizeof(name), "%06llu.sst", static_cast<unsigned long long>(number));
        if (!std::binary_search(names.begin(), names.end(), std::string(name))) {
          RC_FAIL(std::string(name) + " is missing but Version " + std::to_string(version.id) +
                  (version.is_current ? " (current)" : " (pinned)") + " lists it at level " +
                  std::to_string(level));
        }
      }
    }
  }
}

void CheckLiveTablesOnDiskIfManual(const Model& m, Sut& sut) {
  if (m.manual) CheckLiveTablesOnDisk(sut);
}

// ---- Writes --------------------------------------------------------------------------------

struct PutCommand : Command {
  std::string key;
  std::string value;

  explicit PutCommand(const Model& m) : key(GenKey()), value(GenValue(m.values_written)) {}

  void apply(Model& m) const override {
    m.current[key] = value;
    m.last_sequence++;
    m.values_written++;
  }
  void run(const Model& m, Sut& sut) const override {
    auto seq = sut.db->Put(WriteOptions(), key, value);
    AssertOk(seq.status(), "put");
    RC_ASSERT(seq.value() == m.last_sequence + 1);
  }
  void show(std::ostream& os) const override { os << "put " << key << " " << Short(value); }
};

struct DeleteCommand : Command {
  std::string key = GenKey();

  void apply(Model& m) const override {
    m.current.erase(key);
    m.last_sequence++;
  }
  void run(const Model& m, Sut& sut) const override {
    auto seq = sut.db->Delete(WriteOptions(), key);
    AssertOk(seq.status(), "delete");
    RC_ASSERT(seq.value() == m.last_sequence + 1);
  }
  void show(std::ostream& os) const override { os << "delete " << key; }
};

struct BatchOp {
  bool is_put = true;
  std::string key;
  std::string value;
};

struct WriteBatchCommand : Command {
  std::vector<BatchOp> ops;

  explicit WriteBatchCommand(const Model& m) {
    const int count = *rc::gen::inRange(kBatchOpsMin, kBatchOpsMax + 1);
    for (int i = 0; i < count; i++) {
      BatchOp op;
      op.is_put = *rc::gen::inRange(0, 3) != 0;
      op.key = GenKey();
      if (op.is_put) op.value = GenValue(m.values_written + i);
      ops.push_back(std::move(op));
    }
  }

  void apply(Model& m) const override {
    for (const auto& op : ops) {
      if (op.is_put) {
        m.current[op.key] = op.value;
      } else {
        m.current.erase(op.key);
      }
    }
    m.last_sequence += ops.size();
    m.values_written += ops.size();
  }
  void run(const Model& m, Sut& sut) const override {
    engine::WriteBatch batch;
    for (const auto& op : ops) {
      if (op.is_put) {
        batch.Put(op.key, op.value);
      } else {
        batch.Delete(op.key);
      }
    }
    auto seq = sut.db->Write(WriteOptions(), &batch);
    AssertOk(seq.status(), "write batch");
    // A batch takes consecutive sequence numbers and returns the last.
    RC_ASSERT(seq.value() == m.last_sequence + ops.size());
  }
  void show(std::ostream& os) const override {
    os << "batch [";
    for (const auto& op : ops) {
      os << (op.is_put ? " put " + op.key + " " + Short(op.value) : " delete " + op.key) << ";";
    }
    os << " ]";
  }
};

// ---- Reads at the newest state -------------------------------------------------------------

struct GetCommand : Command {
  std::string key = GenKey();

  void run(const Model& m, Sut& sut) const override {
    // Nothing else writes, so the read is served at the last acknowledged write.
    RC_ASSERT(sut.db->GetStats().last_sequence == m.last_sequence);
    CheckGet(sut.db.get(), nullptr, key, m.current, m.last_sequence);
  }
  void show(std::ostream& os) const override { os << "get " << key; }
};

struct IterateCommand : Command {
  std::string seek_target = GenSeekTarget();
  int next_steps = *rc::gen::inRange(0, kSeekStepsMax + 1);
  int prev_steps = *rc::gen::inRange(0, kSeekStepsMax + 1);

  void run(const Model& m, Sut& sut) const override {
    auto it = sut.db->NewIterator(ReadOptions());
    RC_ASSERT(it->sequence() == m.last_sequence);
    CheckScans(it.get(), m.current, "iterate");
    CheckSeekWalk(it.get(), m.current, seek_target, next_steps, prev_steps);
  }
  void show(std::ostream& os) const override {
    os << "iterate (scans, then seek '" << seek_target << "' next x" << next_steps << " prev x"
       << prev_steps << ")";
  }
};

// ---- Snapshots -----------------------------------------------------------------------------

struct TakeSnapshotCommand : Command {
  explicit TakeSnapshotCommand(const Model& m) { checkPreconditions(m); }

  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.snapshots.size() < size_t{kSnapshotsLiveMax});
  }
  void apply(Model& m) const override {
    m.snapshots[m.next_reader_id] = Capture{m.current, m.last_sequence};
    m.next_reader_id++;
  }
  void run(const Model& m, Sut& sut) const override {
    const engine::Snapshot* snapshot = sut.db->GetSnapshot();
    RC_ASSERT(snapshot != nullptr);
    sut.snapshots[m.next_reader_id] = snapshot;
    RC_ASSERT(snapshot->sequence() == m.last_sequence);
  }
  void show(std::ostream& os) const override { os << "take-snapshot"; }
};

// Picks one of the model's live snapshots (or pinned iterators) when the command is generated.
int GenReaderId(const std::map<int, Capture>& readers) {
  RC_PRE(!readers.empty());
  std::vector<int> ids;
  for (const auto& [id, capture] : readers) ids.push_back(id);
  return *rc::gen::elementOf(ids);
}

struct ReadAtSnapshotCommand : Command {
  int id;
  std::string key;

  explicit ReadAtSnapshotCommand(const Model& m) : id(GenReaderId(m.snapshots)), key(GenKey()) {}

  void checkPreconditions(const Model& m) const override { RC_PRE(m.snapshots.count(id) == 1u); }
  void run(const Model& m, Sut& sut) const override {
    const Capture& capture = m.snapshots.at(id);
    const engine::Snapshot* snapshot = sut.snapshots.at(id);
    CheckGet(sut.db.get(), snapshot, key, capture.state, capture.sequence);
    ReadOptions ro;
    ro.snapshot = snapshot;
    auto it = sut.db->NewIterator(ro);
    RC_ASSERT(it->sequence() == capture.sequence);
    CheckScans(it.get(), capture.state, "snapshot scan");
  }
  void show(std::ostream& os) const override {
    os << "read-at-snapshot #" << id << " (get " << key << ", scans)";
  }
};

struct ReleaseSnapshotCommand : Command {
  int id;

  explicit ReleaseSnapshotCommand(const Model& m) : id(GenReaderId(m.snapshots)) {}

  void checkPreconditions(const Model& m) const override { RC_PRE(m.snapshots.count(id) == 1u); }
  void apply(Model& m) const override { m.snapshots.erase(id); }
  void run(const Model&, Sut& sut) const override {
    sut.db->ReleaseSnapshot(sut.snapshots.at(id));
    sut.snapshots.erase(id);
  }
  void show(std::ostream& os) const override { os << "release-snapshot #" << id; }
};

// ---- Iterators pinned across commands ------------------------------------------------------

struct PinIteratorCommand : Command {
  explicit PinIteratorCommand(const Model& m) { checkPreconditions(m); }

  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.iterators.size() < size_t{kIteratorsPinnedMax});
  }
  void apply(Model& m) const override {
    m.iterators[m.next_reader_id] = Capture{m.current, m.last_sequence};
    m.next_reader_id++;
  }
  void run(const Model& m, Sut& sut) const override {
    auto it = sut.db->NewIterator(ReadOptions());
    RC_ASSERT(it->sequence() == m.last_sequence);
    sut.iterators[m.next_reader_id] = std::move(it);
  }
  void show(std::ostream& os) const override { os << "pin-iterator"; }
};

// Scans a pinned iterator (it must still show the state it was created at), then deletes it.
struct UnpinIteratorCommand : Command {
  int id;

  explicit UnpinIteratorCommand(const Model& m) : id(GenReaderId(m.iterators)) {}

  void checkPreconditions(const Model& m) const override { RC_PRE(m.iterators.count(id) == 1u); }
  void apply(Model& m) const override { m.iterators.erase(id); }
  void run(const Model& m, Sut& sut) const override {
    const Capture& capture = m.iterators.at(id);
    Iterator* it = sut.iterators.at(id).get();
    RC_ASSERT(it->sequence() == capture.sequence);
    CheckScans(it, capture.state, "pinned iterator scan");
    sut.iterators.erase(id);
  }
  void show(std::ostream& os) const override { os << "unpin-iterator #" << id << " (scans)"; }
};

// ---- Background work and lifecycle ---------------------------------------------------------

struct FlushCommand : Command {
  void run(const Model& m, Sut& sut) const override {
    AssertOk(sut.db->Flush(), "flush");
    CheckLiveTablesOnDiskIfManual(m, sut);
  }
  void show(std::ostream& os) const override { os << "flush"; }
};

struct CompactRangeCommand : Command {
  std::pair<std::string, std::string> range = GenRange();

  void run(const Model& m, Sut& sut) const override {
    AssertOk(sut.db->CompactRange(range.first, range.second), "compact-range");
    CheckLiveTablesOnDiskIfManual(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "compact-range ['" << range.first << "', '" << range.second << "']";
  }
};

// Manual mode: RunBackgroundStep until it reports no work. Thread mode: WaitForBackgroundIdle.
struct BackgroundCommand : Command {
  void run(const Model& m, Sut& sut) const override {
    if (m.manual) {
      int steps = 0;
      while (steps < kBackgroundStepsMax && sut.db->RunBackgroundStep()) steps++;
      RC_ASSERT(steps < kBackgroundStepsMax);
      AssertOk(sut.db->BackgroundErrorStatus(), "background error after steps");
    } else {
      AssertOk(sut.db->WaitForBackgroundIdle(), "wait-for-background-idle");
    }
    // Nothing writes, so the background thread (if any) stays idle while this looks.
    CheckLiveTablesOnDisk(sut);
  }
  void show(std::ostream& os) const override { os << "run-background-to-idle"; }
};

// Close and reopen: the model drops its snapshots and pinned iterators (each is scanned one last
// time), and every acknowledged write must come back, sequence included.
struct ReopenCommand : Command {
  void apply(Model& m) const override {
    m.snapshots.clear();
    m.iterators.clear();
  }
  void run(const Model& m, Sut& sut) const override {
    CheckReaders(m, sut, " before close");
    sut.ReleaseReaders();
    const Status closed = sut.db->Close();
    sut.db.reset();
    AssertOk(closed, "close");
    AssertOk(sut.Open(), "reopen");
    RC_ASSERT(sut.db->GetStats().last_sequence == m.last_sequence);
    auto it = sut.db->NewIterator(ReadOptions());
    CheckScans(it.get(), m.current, "scan after reopen");
  }
  void show(std::ostream& os) const override { os << "reopen"; }
};

// An iterator opened before some puts and a compaction keeps showing the state at its creation;
// the compaction's deleted inputs must stay readable until the iterator goes.
struct HoldIteratorAcrossCompactionCommand : Command {
  std::vector<std::pair<std::string, std::string>> puts;
  std::pair<std::string, std::string> range;

  explicit HoldIteratorAcrossCompactionCommand(const Model& m) {
    const int count = *rc::gen::inRange(1, kHeldIteratorPutsMax + 1);
    for (int i = 0; i < count; i++) puts.emplace_back(GenKey(), GenValue(m.values_written + i));
    range = GenRange();
  }

  void apply(Model& m) const override {
    for (const auto& [key, value] : puts) m.current[key] = value;
    m.last_sequence += puts.size();
    m.values_written += puts.size();
  }
  void run(const Model& m, Sut& sut) const override {
    auto it = sut.db->NewIterator(ReadOptions());
    RC_ASSERT(it->sequence() == m.last_sequence);
    SequenceNumber expected_sequence = m.last_sequence;
    for (const auto& [key, value] : puts) {
      auto seq = sut.db->Put(WriteOptions(), key, value);
      AssertOk(seq.status(), "put while iterator held");
      RC_ASSERT(seq.value() == ++expected_sequence);
    }
    AssertOk(sut.db->CompactRange(range.first, range.second), "compact-range while iterator held");
    CheckScans(it.get(), m.current, "held iterator scan");
    it.reset();
    State after = m.current;
    for (const auto& [key, value] : puts) after[key] = value;
    auto now = sut.db->NewIterator(ReadOptions());
    CheckScans(now.get(), after, "scan after held iterator");
    CheckLiveTablesOnDiskIfManual(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "hold-iterator-across-compaction [";
    for (const auto& [key, value] : puts) os << " put " << key << " " << Short(value) << ";";
    os << " compact-range ['" << range.first << "', '" << range.second << "'] ]";
  }
};

// ---- Properties ----------------------------------------------------------------------------

// Repeating a type in the list is how it gets drawn more often: writes and reads dominate, and
// the expensive ones (flush, compaction, background, reopen, held iterator) are 5 draws in 30.
const auto kGenerateCommand = rc::state::gen::execOneOfWithArgs<
    PutCommand, PutCommand, PutCommand, PutCommand, PutCommand, PutCommand, DeleteCommand,
    DeleteCommand, DeleteCommand, WriteBatchCommand, WriteBatchCommand, WriteBatchCommand,
    GetCommand, GetCommand, GetCommand, GetCommand, IterateCommand, IterateCommand,
    TakeSnapshotCommand, TakeSnapshotCommand, ReadAtSnapshotCommand, ReadAtSnapshotCommand,
    ReleaseSnapshotCommand, PinIteratorCommand, UnpinIteratorCommand, FlushCommand,
    CompactRangeCommand, BackgroundCommand, ReopenCommand, HoldIteratorAcrossCompactionCommand>();

std::string CountBucket(uint64_t count, const std::string& what) {
  if (count == 0) return "0 " + what;
  return (count < 10 ? "1-9 " : "10+ ") + what;
}

// Opens `sut`'s fresh DB, runs one generated command sequence against it, and checks that the
// readers still open at the end show what they captured; the caller may check more afterwards.
void RunSequence(Sut& sut, bool manual) {
  AssertOk(sut.Open(), "open");
  Model initial;
  initial.manual = manual;
  const auto commands =
      *rc::gen::resize(kCommandsPerCaseMax, rc::state::gen::commands(initial, kGenerateCommand));
  rc::state::runAll(commands, initial, sut);
  Model final_model = initial;
  rc::state::applyAll(commands, final_model);
  CheckReaders(final_model, sut, " at the end");
  // Printed as a distribution after the run: evidence that sequences flush and compact (counted
  // since the last reopen).
  const engine::StatsSnapshot stats = sut.db->GetStats();
  RC_TAG(CountBucket(stats.flushes, "flushes"), CountBucket(stats.compactions, "compactions"));
}

// With every reader released and background work idle, exactly one Version lives, nothing waits
// for deletion, and the directory holds exactly the files the DB says it needs.
void CheckQuiescent(Sut& sut) {
  sut.ReleaseReaders();
  AssertOk(sut.db->WaitForBackgroundIdle(), "wait-for-background-idle");
  const engine::StatsSnapshot stats = sut.db->GetStats();
  RC_ASSERT(stats.live_versions == 1u);
  RC_ASSERT(stats.deferred_deletions == 0u);
  RC_ASSERT(stats.deferred_deletion_bytes == 0u);
  RC_ASSERT(vstress_test::ListDir(sut.dir.path()) ==
            vstress_test::SortedExpectedFiles(sut.db.get()));
  RC_ASSERT(engine::testing::RefcountUnderflows(sut.db.get()) == 0u);
  CheckLiveTablesOnDisk(sut);
}

// With deterministic manual background work, every read matches the model after any sequence.
RC_GTEST_PROP(DbModel, ManualBackgroundMatchesModel, ()) {
  Sut sut(/*manual=*/true);
  RunSequence(sut, /*manual=*/true);
}

// With a real background thread flushing and compacting, every read still matches the model.
RC_GTEST_PROP(DbModel, ThreadBackgroundMatchesModel, ()) {
  Sut sut(/*manual=*/false);
  RunSequence(sut, /*manual=*/false);
}

// After any sequence, releasing every reader and idling leaves one Version and no stray file.
RC_GTEST_PROP(DbModel, QuiescenceLeavesOneVersionAndNoStrayFiles, ()) {
  const bool manual = *rc::gen::arbitrary<bool>();
  Sut sut(manual);
  RunSequence(sut, manual);
  CheckQuiescent(sut);
}

}  // namespace
