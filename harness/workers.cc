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

void RecordWriteResult(const WorkerContext& ctx, ThreadState* self, const workloads::Op& op,
                       const engine::Result<SequenceNumber>& result) {
  std::vector<const workloads::Op*> entries;
  Flatten(op, &entries);
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
    ctx.oracle->RecordWrite(KeyIndex(ctx, e->key), seq++, value);
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
  while (!ctx.run->stopping()) {
    const uint64_t op_index = ctx.run->NextOpIndex();
    if (ctx.spec->ops != 0 && op_index >= ctx.spec->ops) break;
    if (ctx.faults != nullptr) ctx.faults->SetOpIndex(op_index);
    const workloads::Op op = generator.Next();
    engine::WriteBatch batch;
    AddToBatch(op, &batch);
    engine::WriteOptions wo;
    wo.sync = op.sync ? engine::WriteOptions::Sync::kYes : engine::WriteOptions::Sync::kNo;
    const auto result = ctx.db->Write(wo, &batch);
    self->Count(op.kind == workloads::Op::Kind::kPut      ? kPuts
                : op.kind == workloads::Op::Kind::kDelete ? kDeletes
                                                          : kBatches);
    if (ctx.checker != nullptr) RecordWriteResult(ctx, self, op, result);
    if (!result.ok() && result.status().IsBackgroundError()) {
      // The DB takes no more writes until it is reopened: this writer is done; readers go on.
      break;
    }
  }
}

// ---- point readers -------------------------------------------------------------------------

namespace {

// A point read that cannot be checked yet: a write at or below its sequence is still being recorded
// (its writer may be descheduled). Checked as soon as the recorded prefix passes it.
struct PendingRead {
  uint64_t key = 0;
  SequenceNumber seq = 0;
  SequenceNumber lower = 0;
  SequenceNumber upper = 0;
  engine::Status status;
  std::string value;
  OpNote note;
};

// Longest queue of reads waiting to be checked before the reader waits for the writers.
constexpr size_t kPendingReadsMax = 4096;

void CheckRead(const WorkerContext& ctx, ThreadState* self, const PendingRead& r,
               std::string_view value) {
  if (auto v =
          ctx.checker->CheckGet("point_read", r.key, r.seq, r.status, value, r.lower, r.upper)) {
    v->op = r.note.ToString();
    ctx.run->Report(std::move(*v), self);
  }
  self->Count(kReadsChecked);
}

// Checks every queued read the recorded prefix has passed; with `wait`, all of them.
void DrainPending(const WorkerContext& ctx, ThreadState* self, std::deque<PendingRead>* pending,
                  bool wait) {
  while (!pending->empty()) {
    const PendingRead& front = pending->front();
    if (front.seq > ctx.oracle->recorded_through()) {
      if (!wait && pending->size() < kPendingReadsMax) return;
      if (!WaitRecorded(ctx, front.seq)) {
        ReportUnrecorded(ctx, self, front.note.ToString(), front.seq);
        pending->clear();
        return;
      }
    }
    CheckRead(ctx, self, front, front.value);
    pending->pop_front();
  }
}

}  // namespace

void ReaderLoop(const WorkerContext& ctx, uint32_t reader_id) {
  ThreadState* self = ctx.run->NewThread(fmt::format("reader-{}", reader_id));
  ReaderSlot* slot = ctx.oracle->NewReaderSlot();
  workloads::KeyChooser chooser(*ctx.spec, ThreadSeed(ctx, 2, reader_id));
  std::deque<PendingRead> pending;
  std::string value;
  while (!ctx.run->stopping()) {
    const uint64_t key = chooser.Next();
    const std::string name = workloads::KeyName(key);
    const SequenceNumber lower = ctx.oracle->acknowledged();
    // While reads wait to be checked the slot stays at the oldest one's sequence (all later reads
    // are at or above it); otherwise it holds this read's lower bound.
    if (pending.empty()) slot->Pin(lower);
    SequenceNumber seq = 0;
    const engine::Status s = ctx.db->Get(engine::ReadOptions(), name, &value, &seq);
    const SequenceNumber upper = ctx.db->GetLatestSequenceNumber();
    self->Count(kGets);
    if (ctx.checker == nullptr) continue;
    const OpNote note = ReadNote(OpNote::Kind::kGet, key, seq, s, value);
    self->Note(note);
    if (!s.ok() && !s.IsNotFound() && s.injected()) {
      self->Count(kErrorsInjected);
    } else if (pending.empty() && (seq > upper || seq <= ctx.oracle->recorded_through())) {
      // Checkable now (or impossible: beyond every assigned sequence): no copy of the value.
      CheckRead(ctx, self, {key, seq, lower, upper, s, {}, note}, value);
    } else {
      pending.push_back({key, seq, lower, upper, s, value, note});
      if (pending.size() == 1) slot->Pin(std::min(lower, seq));
    }
    DrainPending(ctx, self, &pending, /*wait=*/false);
    if (pending.empty()) slot->Unpin();
  }
  DrainPending(ctx, self, &pending, /*wait=*/true);
  slot->Unpin();
}

// ---- snapshot readers -----------------------------------------------------------------------

void SnapshotReaderLoop(const WorkerContext& ctx, uint32_t reader_id) {
  ThreadState* self = ctx.run->NewThread(fmt::format("snapshot-reader-{}", reader_id));
  ReaderSlot* slot = ctx.oracle->NewReaderSlot();
  workloads::KeyChooser chooser(*ctx.spec, ThreadSeed(ctx, 3, reader_id));
  const auto& spec = ctx.spec->snapshot_readers;
  std::string value;
  while (!ctx.run->stopping()) {
    slot->Pin(ctx.oracle->acknowledged());
    const engine::Snapshot* snapshot = ctx.db->GetSnapshot();
    const SequenceNumber snap_seq = snapshot->sequence();
    slot->Pin(snap_seq);
    engine::ReadOptions ro;
    ro.snapshot = snapshot;
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(spec.hold_seconds_max));
    const bool recorded = ctx.checker == nullptr || WaitRecorded(ctx, snap_seq);
    for (uint32_t i = 0; i < spec.reads_per_snapshot && !ctx.run->stopping() &&
                         std::chrono::steady_clock::now() < until;
         i++) {
      const uint64_t key = chooser.Next();
      const std::string name = workloads::KeyName(key);
      SequenceNumber seq = 0;
      const engine::Status s = ctx.db->Get(ro, name, &value, &seq);
      self->Count(kSnapshotGets);
      if (ctx.checker == nullptr) continue;
      const OpNote note = ReadNote(OpNote::Kind::kSnapshotGet, key, seq, s, value);
      self->Note(note);
      if (!s.ok() && !s.IsNotFound() && s.injected()) {
        self->Count(kErrorsInjected);
        continue;
      }
      if (!recorded) {
        ReportUnrecorded(ctx, self, note.ToString(), snap_seq);
        break;
      }
      if (auto v = ctx.checker->CheckGet("snapshot_read", key, seq, s, value, snap_seq, snap_seq)) {
        v->op = note.ToString();
        ctx.run->Report(std::move(*v), self);
      }
      self->Count(kSnapshotReadsChecked);
    }
    ctx.db->ReleaseSnapshot(snapshot);
    slot->Unpin();
  }
}

}  // namespace harness
