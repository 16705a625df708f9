#include "harness/workers.h"

#include <fmt/format.h>

#include <deque>
#include <thread>

#include "workloads/key_chooser.h"
#include "workloads/op.h"
#include "workloads/random.h"
#include "workloads/value.h"
#include "workloads/write_op_generator.h"

namespace harness {

// Each thread's random streams: the run's seed, the thread's role and its index.
uint64_t ThreadSeed(const WorkerContext& ctx, uint32_t role, uint32_t id) {
  return workloads::DeriveSeed(ctx.spec->seed, (uint64_t{role} << 32) | id);
}

bool WaitRecorded(const WorkerContext& ctx, SequenceNumber seq) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(kRecordWaitSecondsMax);
  for (int spins = 0; ctx.oracle->recorded_through() < seq; spins++) {
    if (spins < 64) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
      if (std::chrono::steady_clock::now() > deadline) return false;
    }
  }
  return true;
}

namespace {

void ReportUnrecorded(const WorkerContext& ctx, ThreadState* self, std::string op,
                      SequenceNumber seq) {
  Violation v;
  v.kind = "point_read";
  v.op = std::move(op);
  v.read_sequence = seq;
  v.message = fmt::format(
      "read at seq {}, but writes are recorded only through {}: the engine "
      "reported a sequence no acknowledged write reached",
      seq, ctx.oracle->recorded_through());
  ctx.run->Report(std::move(v), self);
}

void ReportUnexpectedError(const WorkerContext& ctx, ThreadState* self, std::string op,
                           const engine::Status& s) {
  self->Count(kErrorsUnexpected);
  Violation v;
  v.kind = "unexpected_error";
  v.op = std::move(op);
  v.observed = s.ToString();
  v.message = "an operation failed without an injected fault: " + s.ToString();
  ctx.run->Report(std::move(v), self);
}

uint64_t KeyIndex(const WorkerContext& ctx, std::string_view key) {
  uint64_t index = 0;
  ctx.checker->codec().parse_key(key, &index);
  return index;
}

// ---- writers --------------------------------------------------------------------------------

void AddToBatch(const workloads::Op& op, engine::WriteBatch* batch) {
  if (op.kind == workloads::Op::Kind::kPut) batch->Put(op.key, op.value);
  if (op.kind == workloads::Op::Kind::kDelete) batch->Delete(op.key);
  if (op.kind == workloads::Op::Kind::kBatch) {
    for (const auto& inner : op.batch) AddToBatch(inner, batch);
  }
}

void Flatten(const workloads::Op& op, std::vector<const workloads::Op*>* entries) {
  if (op.kind == workloads::Op::Kind::kBatch) {
    for (const auto& inner : op.batch) Flatten(inner, entries);
  } else {
    entries->push_back(&op);
  }
}

OpNote WriteNote(const WorkerContext& ctx, const workloads::Op& op,
                 const std::vector<const workloads::Op*>& entries) {
  OpNote note;
  note.kind = op.kind == workloads::Op::Kind::kPut      ? OpNote::Kind::kPut
              : op.kind == workloads::Op::Kind::kDelete ? OpNote::Kind::kDelete
                                                        : OpNote::Kind::kBatch;
  note.entries = static_cast<uint32_t>(entries.size());
  if (!entries.empty()) note.key = KeyIndex(ctx, entries.front()->key);
  if (op.kind == workloads::Op::Kind::kPut) note.SetValue(op.value);
  return note;
}

// `entries` is the writer's scratch space, reused so recording allocates nothing.
void RecordWriteResult(const WorkerContext& ctx, ThreadState* self, const workloads::Op& op,
                       const engine::Result<SequenceNumber>& result,
                       std::vector<const workloads::Op*>* scratch) {
  scratch->clear();
  Flatten(op, scratch);
  const std::vector<const workloads::Op*>& entries = *scratch;
  OpNote note = WriteNote(ctx, op, entries);
  if (!result.ok()) {
    note.ok = false;
    note.code = result.status().code();
    note.injected = result.status().injected();
    self->Note(note);
    for (const auto* e : entries) {
      uint32_t writer;
      uint64_t index;
      if (e->kind == workloads::Op::Kind::kPut &&
          workloads::ParseValueId(e->value, &writer, &index)) {
        ctx.oracle->RecordFailedWrite({writer, index, static_cast<uint32_t>(e->value.size())});
      }
    }
    if (result.status().injected()) {
      self->Count(kErrorsInjected);
    } else {
      ReportUnexpectedError(ctx, self, note.ToString(), result.status());
    }
    return;
  }
  const SequenceNumber last = result.value();
  note.seq = last;
  self->Note(note);
  SequenceNumber seq = last - entries.size() + 1;
  for (const auto* e : entries) {
    std::optional<ValueId> value;
    if (e->kind == workloads::Op::Kind::kPut) {
      uint32_t writer = 0;
      uint64_t index = 0;
      workloads::PeekValueId(e->value, &writer, &index);
      value = ValueId{writer, index, static_cast<uint32_t>(e->value.size())};
    }
    if (!ctx.oracle->RecordWrite(KeyIndex(ctx, e->key), seq, value)) {
      Violation v;
      v.kind = "invariant";
      v.op = note.ToString();
      v.read_sequence = seq;
      v.message = fmt::format("the engine assigned sequence {} to two writes", seq);
      ctx.run->Report(std::move(v), self);
    }
    seq++;
  }
  ctx.oracle->Acknowledge(last);
}

// A note for a read of `key` at `seq` that returned `s` (and `value` when ok).
OpNote ReadNote(OpNote::Kind kind, uint64_t key, SequenceNumber seq, const engine::Status& s,
                std::string_view value) {
  OpNote note;
  note.kind = kind;
  note.key = key;
  note.seq = seq;
  note.found = s.ok();
  note.ok = s.ok() || s.IsNotFound();
  note.code = s.code();
  note.injected = s.injected();
  if (s.ok()) note.SetValue(value);
  return note;
}

}  // namespace

void WriterLoop(const WorkerContext& ctx, uint32_t writer_id) {
  ThreadState* self = ctx.run->NewThread(fmt::format("writer-{}", writer_id));
  workloads::WriteOpGenerator generator(*ctx.spec, writer_id, ThreadSeed(ctx, 1, writer_id));
  std::vector<const workloads::Op*> scratch;
  while (!ctx.run->stopping()) {
    const uint64_t op_index = ctx.run->NextOpIndex();
    if (ctx.spec->ops != 0 && op_index >= ctx.spec->ops) break;
    if (ctx.faults != nullptr) ctx.faults->SetOpIndex(op_index);
    const workloads::Op op = generator.Next();
    engine::WriteBatch batch;
    AddToBatch(op, &batch);
    engine::WriteOptions wo;
    wo.sync = op.sync ? engine::WriteOptions::Sync::kYes : engine::WriteOptions::Sync::kNo;
    const OpTimer timer;
    const auto result = ctx.db->Write(wo, &batch);
    self->RecordOp(op.kind == workloads::Op::Kind::kPut      ? OpKind::kPut
                   : op.kind == workloads::Op::Kind::kDelete ? OpKind::kDelete
                                                             : OpKind::kBatch,
                   ResultOf(result.status()), timer.Nanos());
    if (ctx.checker != nullptr) RecordWriteResult(ctx, self, op, result, &scratch);
    if (!result.ok() && result.status().IsBackgroundError()) {
      // The DB takes no more writes until it is reopened: this writer is done; readers go on.
      break;
    }
  }
}

// ---- point and snapshot readers -------------------------------------------------------------

namespace {

// Reads that cannot be checked yet: a write at or below their sequence is still being recorded
// (its writer may be descheduled). A reader never waits for that on the hot path: it queues the
// read (with a copy of the value) and checks it as soon as the recorded prefix passes it, waiting
// only when the queue is full or the reader is done.
class PendingChecks {
 public:
  // `kind` names the violations ("point_read", "snapshot_read"); `counter` counts checked reads.
  PendingChecks(const WorkerContext& ctx, ThreadState* self, const char* kind, OpCounter counter)
      : ctx_(ctx), self_(self), kind_(kind), counter_(counter) {}

  // A read of `key` at `seq` that returned `status` (and `value` when ok), whose sequence had to
  // lie in [lower, upper]: checked now when it can be (no copy of the value), queued otherwise.
  void Add(uint64_t key, SequenceNumber seq, SequenceNumber lower, SequenceNumber upper,
           const engine::Status& status, std::string_view value, const OpNote& note) {
    if (reads_.empty() && (seq > upper || seq <= ctx_.oracle->recorded_through())) {
      // Checkable now (or impossible: beyond every assigned sequence).
      Check({key, seq, lower, upper, status, {}, note}, value);
      return;
    }
    reads_.push_back({key, seq, lower, upper, status, std::string(value), note});
  }

  // Checks every queued read the recorded prefix has passed; with `wait`, all of them.
  void Drain(bool wait) {
    while (!reads_.empty()) {
      const Read& front = reads_.front();
      if (front.seq > ctx_.oracle->recorded_through()) {
        if (!wait && reads_.size() < kQueuedMax) return;
        if (!WaitRecorded(ctx_, front.seq)) {
          ReportUnrecorded(ctx_, self_, front.note.ToString(), front.seq);
          reads_.clear();
          return;
        }
      }
      Check(front, front.value);
      reads_.pop_front();
    }
  }

  bool empty() const { return reads_.empty(); }
  size_t size() const { return reads_.size(); }

 private:
  struct Read {
    uint64_t key = 0;
    SequenceNumber seq = 0;
    SequenceNumber lower = 0;
    SequenceNumber upper = 0;
    engine::Status status;
    std::string value;
    OpNote note;
  };
  // Longest queue before the reader waits for the writers.
  static constexpr size_t kQueuedMax = 4096;

  void Check(const Read& r, std::string_view value) {
    if (auto v = ctx_.checker->CheckGet(kind_, r.key, r.seq, r.status, value, r.lower, r.upper)) {
      v->op = r.note.ToString();
      ctx_.run->Report(std::move(*v), self_);
    }
    self_->Count(counter_);
  }

  const WorkerContext& ctx_;
  ThreadState* const self_;
  const char* const kind_;
  const OpCounter counter_;
  std::deque<Read> reads_;
};

}  // namespace

void ReaderLoop(const WorkerContext& ctx, uint32_t reader_id) {
  ThreadState* self = ctx.run->NewThread(fmt::format("reader-{}", reader_id));
  ReaderSlot* slot = ctx.oracle->NewReaderSlot();
  workloads::KeyChooser chooser(*ctx.spec, ThreadSeed(ctx, 2, reader_id));
  PendingChecks pending(ctx, self, "point_read", kReadsChecked);
  std::string value;
  while (!ctx.run->stopping()) {
    const uint64_t key = chooser.Next();
    const std::string name = workloads::KeyName(key);
    const SequenceNumber lower = ctx.oracle->acknowledged();
    // While reads wait to be checked the slot stays at the oldest one's sequence (all later reads
    // are at or above it); otherwise it holds this read's lower bound.
    if (pending.empty()) slot->Pin(lower);
    SequenceNumber seq = 0;
    const OpTimer timer;
    const engine::Status s = ctx.db->Get(engine::ReadOptions(), name, &value, &seq);
    self->RecordOp(OpKind::kGet, ResultOf(s), timer.Nanos());
    const SequenceNumber upper = ctx.db->GetLatestSequenceNumber();
    if (ctx.checker == nullptr) continue;
    const OpNote note = ReadNote(OpNote::Kind::kGet, key, seq, s, value);
    self->Note(note);
    if (!s.ok() && !s.IsNotFound() && s.injected()) {
      self->Count(kErrorsInjected);
    } else {
      const bool was_empty = pending.empty();
      pending.Add(key, seq, lower, upper, s, value, note);
      if (was_empty && !pending.empty()) slot->Pin(std::min(lower, seq));
    }
    pending.Drain(/*wait=*/false);
    if (pending.empty()) slot->Unpin();
  }
  pending.Drain(/*wait=*/true);
  slot->Unpin();
}

void SnapshotReaderLoop(const WorkerContext& ctx, uint32_t reader_id) {
  ThreadState* self = ctx.run->NewThread(fmt::format("snapshot-reader-{}", reader_id));
  ReaderSlot* slot = ctx.oracle->NewReaderSlot();
  workloads::KeyChooser chooser(*ctx.spec, ThreadSeed(ctx, 3, reader_id));
  PendingChecks pending(ctx, self, "snapshot_read", kSnapshotReadsChecked);
  const auto& spec = ctx.spec->snapshot_readers;
  std::string value;
  while (!ctx.run->stopping()) {
    slot->Pin(ctx.oracle->acknowledged());
    const engine::Snapshot* snapshot = ctx.db->GetSnapshot();
    const SequenceNumber snap_seq = snapshot->sequence();
    // Held until every read through this snapshot is checked.
    slot->Pin(snap_seq);
    engine::ReadOptions ro;
    ro.snapshot = snapshot;
    auto now = OpTimer::Clock::now();  // after each read: when that read ended
    const auto until = now + std::chrono::duration_cast<OpTimer::Clock::duration>(
                                 std::chrono::duration<double>(spec.hold_seconds_max));
    for (uint32_t i = 0; i < spec.reads_per_snapshot && !ctx.run->stopping() && now < until;
         i++) {
      const uint64_t key = chooser.Next();
      const std::string name = workloads::KeyName(key);
      SequenceNumber seq = 0;
      const OpTimer timer;
      const engine::Status s = ctx.db->Get(ro, name, &value, &seq);
      now = OpTimer::Clock::now();
      self->RecordOp(OpKind::kSnapshotGet, ResultOf(s), timer.NanosUntil(now));
      if (ctx.checker == nullptr) continue;
      const OpNote note = ReadNote(OpNote::Kind::kSnapshotGet, key, seq, s, value);
      self->Note(note);
      if (!s.ok() && !s.IsNotFound() && s.injected()) {
        self->Count(kErrorsInjected);
        continue;
      }
      // Every read through the snapshot must be at exactly its sequence.
      pending.Add(key, seq, snap_seq, snap_seq, s, value, note);
      pending.Drain(/*wait=*/false);
    }
    ctx.db->ReleaseSnapshot(snapshot);
    if (ctx.checker != nullptr) pending.Drain(/*wait=*/true);
    slot->Unpin();
  }
}

}  // namespace harness
