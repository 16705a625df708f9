// The point reader and snapshot reader clients. Each step is one Get, at the newest data or
// through the client's current snapshot, checked against the Oracle at the sequence it reports.
#include <algorithm>
#include <deque>

#include "harness/clients/client.h"
#include "harness/clients/client_ops.h"
#include "workloads/key_chooser.h"

namespace harness::clients {
namespace {

// Reads that cannot be checked yet: a write at or below their sequence is still being recorded
// (its writer may be descheduled). A reader never waits for that on the hot path: it queues the
// read (with a copy of the value) and checks it as soon as the recorded prefix passes it, waiting
// only when the queue is full or the reader releases. In a simulated run every write is recorded
// within its own step, so nothing is ever queued.
class PendingChecks {
 public:
  // `kind` names the violations ("point_read", "snapshot_read"); `counter` counts checked reads.
  PendingChecks(const ClientContext& ctx, model::ThreadState* self, const char* kind,
                model::OpCounter counter)
      : ctx_(ctx), self_(self), kind_(kind), counter_(counter) {}

  // A read of `key` at `seq` that returned `status` (and `value` when ok), whose sequence had to
  // lie in [lower, upper]: checked now when it can be (no copy of the value), queued otherwise.
  void Add(uint64_t key, engine::SequenceNumber seq, engine::SequenceNumber lower,
           engine::SequenceNumber upper, const engine::Status& status, std::string_view value,
           const model::OpNote& note) {
    if (reads_.empty() && (seq > upper || seq <= ctx_.oracle->recorded_through())) {
      // Checkable now (or impossible: beyond every assigned sequence).
      Check({key, seq, lower, upper, status, {}, note}, value);
      return;
    }
    reads_.push_back({key, seq, lower, upper, status, std::string(value), note});
  }

  // A read a store could only bracket: checked against `cuts` (a fresh set for a Get; a snapshot's,
  // shared by its reads, which must all agree on one cut), now or once its highest cut is
  // recorded.
  void AddBracketed(uint64_t key, model::CutSet* cuts, const engine::Status& status,
                    std::string_view value, const model::OpNote& note) {
    Read r{key, cuts->empty() ? 0 : cuts->highest(), 0, 0, status, {}, note};
    r.cuts = cuts;
    if (reads_.empty() && r.seq <= ctx_.oracle->recorded_through()) {
      Check(r, value);
      return;
    }
    r.value = std::string(value);
    reads_.push_back(std::move(r));
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
    engine::SequenceNumber seq = 0;
    engine::SequenceNumber lower = 0;
    engine::SequenceNumber upper = 0;
    engine::Status status;
    std::string value;
    model::OpNote note;
    model::CutSet* cuts = nullptr;  // bracketed: the cuts it is checked in (seq: the highest)
  };
  // Longest queue before the reader waits for the writers.
  static constexpr size_t kQueuedMax = 4096;

  void Check(const Read& r, std::string_view value) {
    std::optional<reports::Violation> v;
    if (r.cuts == nullptr) {
      v = ctx_.checker->CheckGet(kind_, r.key, r.seq, r.status, value, r.lower, r.upper);
    } else if (r.cuts->empty()) {
      v = reports::Violation();
      v->kind = kind_;
      v->key = ctx_.checker->codec().key_name(r.key);
      v->message = "the read's position lies outside its real-time bounds";
    } else {
      v = ctx_.checker->CheckGetIn(kind_, r.key, r.cuts, r.status, value);
    }
    if (v) {
      v->op = r.note.ToString();
      ctx_.run->Report(std::move(*v), self_);
    }
    self_->Count(counter_);
  }

  const ClientContext& ctx_;
  model::ThreadState* const self_;
  const char* const kind_;
  const model::OpCounter counter_;
  std::deque<Read> reads_;
};

// The outcome of a read of `key` at `seq` that returned `s` (and `value` when ok).
model::StepOutcome ReadOutcome(engine::SequenceNumber seq, const engine::Status& s,
                               std::string_view value) {
  model::StepOutcome outcome;
  outcome.seq = seq;
  if (s.ok()) {
    outcome.kind = model::StepOutcome::Kind::kValue;
    model::SetOutcomeValue(value, &outcome);
  } else if (s.IsNotFound()) {
    outcome.kind = model::StepOutcome::Kind::kNotFound;
  } else {
    outcome.kind = model::StepOutcome::Kind::kError;
    outcome.code = s.code();
    outcome.injected = s.injected();
  }
  return outcome;
}


class ReaderClient final : public Client {
 public:
  ReaderClient(const ClientContext& ctx, uint32_t index)
      : Client(ctx, model::ClientRole::kReader, index),
        slot_(ctx.oracle->NewReaderSlot()),
        chooser_(*ctx.spec, ClientSeed(ctx.spec->seed, model::ClientRole::kReader, index)),
        pending_(ctx, self_, "point_read", model::kReadsChecked) {}

  std::optional<model::ClientOp> NextOp() override {
    model::ClientOp op;
    op.kind = model::ClientOp::Kind::kGet;
    op.key = chooser_.Next();
    return op;
  }

  model::StepOutcome Execute(const model::ClientOp& op) override {
    if (op.kind != model::ClientOp::Kind::kGet) return model::StepOutcome::Skipped();
    const std::string name = workloads::KeyName(op.key);
    const engine::SequenceNumber lower = ctx_.oracle->acknowledged();
    // While reads wait to be checked the slot stays at the oldest one's sequence (all later reads
    // are at or above it); otherwise it holds this read's lower bound.
    if (pending_.empty()) slot_->Pin(lower);
    stores::Position at;
    const model::OpTimer timer(ctx_.clock);
    const engine::Status s = ctx_.store->Get(stores::ReadOptions(), name, &value_, &at);
    self_->RecordOp(reports::OpKind::kGet, model::ResultOf(s), timer.Nanos());
    const engine::SequenceNumber upper = ctx_.store->LastSequence();
    const engine::SequenceNumber seq = at.high;
    if (ctx_.checker != nullptr) {
      if (at.exact()) {
        Check(op.key, seq, lower, upper, s);
      } else {
        // The store's bracket already ends where the read did (the writes it had been given,
        // acknowledged or not); the oracle's acknowledged sequence before it is the other bound.
        cuts_.push_back(model::CutSet(std::max(at.low, lower), at.high));
        CheckBracketed(op.key, &cuts_.back(), s);
      }
    }
    return ReadOutcome(seq, s, value_);
  }

  void Release() override {
    if (ctx_.checker != nullptr) pending_.Drain(/*wait=*/true);
    cuts_.clear();
    slot_->Unpin();
  }

 private:
  void Check(uint64_t key, engine::SequenceNumber seq, engine::SequenceNumber lower,
             engine::SequenceNumber upper, const engine::Status& s) {
    const model::OpNote note = ReadNote(model::OpNote::Kind::kGet, key, seq, s, value_);
    self_->Note(note);
    if (!s.ok() && !s.IsNotFound() && s.injected()) {
      self_->Count(model::kErrorsInjected);
    } else {
      const bool was_empty = pending_.empty();
      pending_.Add(key, seq, lower, upper, s, value_, note);
      if (was_empty && !pending_.empty()) slot_->Pin(std::min(lower, seq));
    }
    pending_.Drain(/*wait=*/false);
    if (pending_.empty()) slot_->Unpin();
  }

  void CheckBracketed(uint64_t key, model::CutSet* cuts, const engine::Status& s) {
    const model::OpNote note =
        ReadNote(model::OpNote::Kind::kGet, key, cuts->empty() ? 0 : cuts->highest(), s, value_);
    self_->Note(note);
    if (!s.ok() && !s.IsNotFound() && s.injected()) {
      self_->Count(model::kErrorsInjected);
    } else {
      pending_.AddBracketed(key, cuts, s, value_, note);
    }
    pending_.Drain(/*wait=*/false);
    if (pending_.empty()) {
      slot_->Unpin();
      cuts_.clear();
    }
  }

  model::ReaderSlot* const slot_;
  workloads::KeyChooser chooser_;
  PendingChecks pending_;
  std::string value_;
  // The cuts of bracketed reads still queued (a deque: the addresses stay put); cleared once the
  // queue is empty.
  std::deque<model::CutSet> cuts_;
};

// Takes a snapshot, reads through it reads_per_snapshot times (for at most hold_seconds_max),
// releases it, and starts over.
class SnapshotReaderClient final : public Client {
 public:
  SnapshotReaderClient(const ClientContext& ctx, uint32_t index)
      : Client(ctx, model::ClientRole::kSnapshotReader, index),
        slot_(ctx.oracle->NewReaderSlot()),
        chooser_(*ctx.spec, ClientSeed(ctx.spec->seed, model::ClientRole::kSnapshotReader, index)),
        pending_(ctx, self_, "snapshot_read", model::kSnapshotReadsChecked) {}

  std::optional<model::ClientOp> NextOp() override {
    const auto& spec = ctx_.spec->snapshot_readers;
    model::ClientOp op;
    if (snapshot_ == nullptr) {
      op.kind = model::ClientOp::Kind::kSnapshotTake;
    } else if (reads_ >= spec.reads_per_snapshot || ctx_.clock->NowNanos() >= until_nanos_) {
      op.kind = model::ClientOp::Kind::kSnapshotRelease;
    } else {
      op.kind = model::ClientOp::Kind::kSnapshotGet;
      op.key = chooser_.Next();
    }
    return op;
  }

  model::StepOutcome Execute(const model::ClientOp& op) override {
    switch (op.kind) {
      case model::ClientOp::Kind::kSnapshotTake: {
        // A replay may take again without a release (a reduction dropped it): release first.
        if (snapshot_ != nullptr) Release();
        TakeSnapshot(ctx_.spec->snapshot_readers.hold_seconds_max);
        model::StepOutcome outcome;
        outcome.seq = snap_seq_;
        return outcome;
      }
      case model::ClientOp::Kind::kSnapshotGet:
        return snapshot_ == nullptr ? model::StepOutcome::Skipped() : Read(op.key);
      case model::ClientOp::Kind::kSnapshotRelease:
        if (snapshot_ == nullptr) return model::StepOutcome::Skipped();
        Release();
        return model::StepOutcome();
      default:
        return model::StepOutcome::Skipped();
    }
  }

  void Release() override {
    snapshot_.reset();
    if (ctx_.checker != nullptr) pending_.Drain(/*wait=*/true);
    slot_->Unpin();
  }

  bool Holding() const override { return snapshot_ != nullptr; }

 private:
  void TakeSnapshot(double hold_seconds_max) {
    slot_->Pin(ctx_.oracle->acknowledged());
    const engine::SequenceNumber lower = ctx_.oracle->acknowledged();
    snapshot_ = ctx_.store->GetSnapshot();
    const stores::Position at = snapshot_->position();
    snap_exact_ = at.exact();
    snap_seq_ = at.low;
    if (!snap_exact_) {
      // Bracketed: every read through it narrows one set of cuts.
      snap_cuts_ = model::CutSet(std::max(at.low, lower), at.high);
      snap_seq_ = snap_cuts_.empty() ? at.high : snap_cuts_.lowest();
    }
    // Held until every read through this snapshot is checked.
    slot_->Pin(snap_seq_);
    reads_ = 0;
    until_nanos_ = ctx_.clock->NowNanos() + static_cast<uint64_t>(hold_seconds_max * 1e9);
  }

  model::StepOutcome Read(uint64_t key) {
    const std::string name = workloads::KeyName(key);
    stores::ReadOptions ro;
    ro.snapshot = snapshot_.get();
    stores::Position at;
    const model::OpTimer timer(ctx_.clock);
    const engine::Status s = ctx_.store->Get(ro, name, &value_, &at);
    const engine::SequenceNumber seq = at.low;
    self_->RecordOp(reports::OpKind::kSnapshotGet, model::ResultOf(s), timer.Nanos());
    reads_++;
    if (ctx_.checker != nullptr) Check(key, seq, s);
    return ReadOutcome(seq, s, value_);
  }

  void Check(uint64_t key, engine::SequenceNumber seq, const engine::Status& s) {
    const model::OpNote note = ReadNote(model::OpNote::Kind::kSnapshotGet, key, seq, s, value_);
    self_->Note(note);
    if (!s.ok() && !s.IsNotFound() && s.injected()) {
      self_->Count(model::kErrorsInjected);
      return;
    }
    if (snap_exact_) {
      // Every read through the snapshot must be at exactly its sequence.
      pending_.Add(key, seq, snap_seq_, snap_seq_, s, value_, note);
    } else {
      pending_.AddBracketed(key, &snap_cuts_, s, value_, note);
    }
    pending_.Drain(/*wait=*/false);
  }

  model::ReaderSlot* const slot_;
  workloads::KeyChooser chooser_;
  PendingChecks pending_;
  std::string value_;
  std::unique_ptr<stores::Snapshot> snapshot_;
  engine::SequenceNumber snap_seq_ = 0;  // exact: its sequence; bracketed: its lowest cut
  bool snap_exact_ = true;
  model::CutSet snap_cuts_;  // bracketed: the cuts its reads can all have been at
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

}  // namespace harness::clients
