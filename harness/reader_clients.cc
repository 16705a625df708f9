// The point reader and snapshot reader clients. Each step is one Get, at the newest data or
// through the client's current snapshot, checked against the Oracle at the sequence it reports.
#include <deque>

#include "harness/client.h"
#include "harness/client_ops.h"
#include "workloads/key_chooser.h"

namespace harness {
namespace {

// Reads that cannot be checked yet: a write at or below their sequence is still being recorded
// (its writer may be descheduled). A reader never waits for that on the hot path: it queues the
// read (with a copy of the value) and checks it as soon as the recorded prefix passes it, waiting
// only when the queue is full or the reader releases. In a simulated run every write is recorded
// within its own step, so nothing is ever queued.
class PendingChecks {
 public:
  // `kind` names the violations ("point_read", "snapshot_read"); `counter` counts checked reads.
  PendingChecks(const ClientContext& ctx, ThreadState* self, const char* kind, OpCounter counter)
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

  const ClientContext& ctx_;
  ThreadState* const self_;
  const char* const kind_;
  const OpCounter counter_;
  std::deque<Read> reads_;
};

// The outcome of a read of `key` at `seq` that returned `s` (and `value` when ok).
StepOutcome ReadOutcome(SequenceNumber seq, const engine::Status& s, std::string_view value) {
  StepOutcome outcome;
  outcome.seq = seq;
  if (s.ok()) {
    outcome.kind = StepOutcome::Kind::kValue;
    SetOutcomeValue(value, &outcome);
  } else if (s.IsNotFound()) {
    outcome.kind = StepOutcome::Kind::kNotFound;
  } else {
    outcome.kind = StepOutcome::Kind::kError;
    outcome.code = s.code();
    outcome.injected = s.injected();
  }
  return outcome;
}

StepOutcome Skipped() {
  StepOutcome outcome;
  outcome.kind = StepOutcome::Kind::kSkipped;
  return outcome;
}

class ReaderClient final : public Client {
 public:
  ReaderClient(const ClientContext& ctx, uint32_t index)
      : Client(ctx, ClientRole::kReader, index),
        slot_(ctx.oracle->NewReaderSlot()),
        chooser_(*ctx.spec, ClientSeed(ctx.spec->seed, ClientRole::kReader, index)),
        pending_(ctx, self_, "point_read", kReadsChecked) {}

  std::optional<ClientOp> NextOp() override {
    ClientOp op;
    op.kind = ClientOp::Kind::kGet;
    op.key = chooser_.Next();
    return op;
  }

  StepOutcome Execute(const ClientOp& op) override {
    if (op.kind != ClientOp::Kind::kGet) return Skipped();
    const std::string name = workloads::KeyName(op.key);
    const SequenceNumber lower = ctx_.oracle->acknowledged();
    // While reads wait to be checked the slot stays at the oldest one's sequence (all later reads
    // are at or above it); otherwise it holds this read's lower bound.
    if (pending_.empty()) slot_->Pin(lower);
    SequenceNumber seq = 0;
    const OpTimer timer(ctx_.clock);
    const engine::Status s = ctx_.db->Get(engine::ReadOptions(), name, &value_, &seq);
    self_->RecordOp(OpKind::kGet, ResultOf(s), timer.Nanos());
    const SequenceNumber upper = ctx_.db->GetLatestSequenceNumber();
    if (ctx_.checker != nullptr) Check(op.key, seq, lower, upper, s);
    return ReadOutcome(seq, s, value_);
  }

  void Release() override {
    if (ctx_.checker != nullptr) pending_.Drain(/*wait=*/true);
    slot_->Unpin();
  }

 private:
  void Check(uint64_t key, SequenceNumber seq, SequenceNumber lower, SequenceNumber upper,
             const engine::Status& s) {
    const OpNote note = ReadNote(OpNote::Kind::kGet, key, seq, s, value_);
    self_->Note(note);
    if (!s.ok() && !s.IsNotFound() && s.injected()) {
      self_->Count(kErrorsInjected);
    } else {
      const bool was_empty = pending_.empty();
      pending_.Add(key, seq, lower, upper, s, value_, note);
      if (was_empty && !pending_.empty()) slot_->Pin(std::min(lower, seq));
    }
    pending_.Drain(/*wait=*/false);
    if (pending_.empty()) slot_->Unpin();
  }

  ReaderSlot* const slot_;
  workloads::KeyChooser chooser_;
  PendingChecks pending_;
  std::string value_;
};

// Takes a snapshot, reads through it reads_per_snapshot times (for at most hold_seconds_max),
// releases it, and starts over.
class SnapshotReaderClient final : public Client {
 public:
  SnapshotReaderClient(const ClientContext& ctx, uint32_t index)
      : Client(ctx, ClientRole::kSnapshotReader, index),
        slot_(ctx.oracle->NewReaderSlot()),
        chooser_(*ctx.spec, ClientSeed(ctx.spec->seed, ClientRole::kSnapshotReader, index)),
        pending_(ctx, self_, "snapshot_read", kSnapshotReadsChecked) {}

  std::optional<ClientOp> NextOp() override {
    const auto& spec = ctx_.spec->snapshot_readers;
    ClientOp op;
    if (snapshot_ == nullptr) {
      op.kind = ClientOp::Kind::kSnapshotTake;
    } else if (reads_ >= spec.reads_per_snapshot || ctx_.clock->NowNanos() >= until_nanos_) {
      op.kind = ClientOp::Kind::kSnapshotRelease;
    } else {
      op.kind = ClientOp::Kind::kSnapshotGet;
      op.key = chooser_.Next();
    }
    return op;
  }

  StepOutcome Execute(const ClientOp& op) override {
    switch (op.kind) {
      case ClientOp::Kind::kSnapshotTake: {
        // A replay may take again without a release (a reduction dropped it): release first.
        if (snapshot_ != nullptr) Release();
        TakeSnapshot(ctx_.spec->snapshot_readers.hold_seconds_max);
        StepOutcome outcome;
        outcome.seq = snap_seq_;
        return outcome;
      }
      case ClientOp::Kind::kSnapshotGet:
        return snapshot_ == nullptr ? Skipped() : Read(op.key);
      case ClientOp::Kind::kSnapshotRelease:
        if (snapshot_ == nullptr) return Skipped();
        Release();
        return StepOutcome();
      default:
        return Skipped();
    }
  }

  void Release() override {
    if (snapshot_ != nullptr) {
      ctx_.db->ReleaseSnapshot(snapshot_);
      snapshot_ = nullptr;
    }
    if (ctx_.checker != nullptr) pending_.Drain(/*wait=*/true);
    slot_->Unpin();
  }

  bool Holding() const override { return snapshot_ != nullptr; }

 private:
  void TakeSnapshot(double hold_seconds_max) {
    slot_->Pin(ctx_.oracle->acknowledged());
    snapshot_ = ctx_.db->GetSnapshot();
    snap_seq_ = snapshot_->sequence();
    // Held until every read through this snapshot is checked.
    slot_->Pin(snap_seq_);
    reads_ = 0;
    until_nanos_ = ctx_.clock->NowNanos() + static_cast<uint64_t>(hold_seconds_max * 1e9);
  }

  StepOutcome Read(uint64_t key) {
    const std::string name = workloads::KeyName(key);
    engine::ReadOptions ro;
    ro.snapshot = snapshot_;
    SequenceNumber seq = 0;
    const OpTimer timer(ctx_.clock);
    const engine::Status s = ctx_.db->Get(ro, name, &value_, &seq);
    self_->RecordOp(OpKind::kSnapshotGet, ResultOf(s), timer.Nanos());
    reads_++;
    if (ctx_.checker != nullptr) Check(key, seq, s);
    return ReadOutcome(seq, s, value_);
  }

  void Check(uint64_t key, SequenceNumber seq, const engine::Status& s) {
    const OpNote note = ReadNote(OpNote::Kind::kSnapshotGet, key, seq, s, value_);
    self_->Note(note);
    if (!s.ok() && !s.IsNotFound() && s.injected()) {
      self_->Count(kErrorsInjected);
      return;
    }
    // Every read through the snapshot must be at exactly its sequence.
    pending_.Add(key, seq, snap_seq_, snap_seq_, s, value_, note);
    pending_.Drain(/*wait=*/false);
  }

  ReaderSlot* const slot_;
  workloads::KeyChooser chooser_;
  PendingChecks pending_;
  std::string value_;
  const engine::Snapshot* snapshot_ = nullptr;
  SequenceNumber snap_seq_ = 0;
  uint32_t reads_ = 0;
  uint64_t until_nanos_ = 0;
};

}  // namespace

std::unique_ptr<Client> NewReaderClient(const ClientContext& ctx, uint32_t index) {
  return std::make_unique<ReaderClient>(ctx, index);
}

std::unique_ptr<Client> NewSnapshotReaderClient(const ClientContext& ctx, uint32_t index) {
  return std::make_unique<SnapshotReaderClient>(ctx, index);
}

}  // namespace harness
