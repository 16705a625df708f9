// The writer client: each step is one put, delete or batch from the workload's write generator.
// Every acknowledged entry is recorded in the Oracle with the sequence the engine assigned, and
// every failed write as never-visible.
#include <fmt/format.h>

#include "harness/clients/ack_log.h"
#include "harness/clients/client.h"
#include "harness/clients/client_ops.h"
#include "workloads/op.h"
#include "workloads/value.h"
#include "workloads/write_op_generator.h"

namespace harness::clients {
namespace {

void Flatten(const workloads::Op& op, std::vector<const workloads::Op*>* entries) {
  if (op.kind == workloads::Op::Kind::kBatch) {
    for (const auto& inner : op.batch) Flatten(inner, entries);
  } else {
    entries->push_back(&op);
  }
}

reports::OpKind MetricKind(const workloads::Op& op) {
  return op.kind == workloads::Op::Kind::kPut      ? reports::OpKind::kPut
         : op.kind == workloads::Op::Kind::kDelete ? reports::OpKind::kDelete
                                                   : reports::OpKind::kBatch;
}

class WriterClient final : public Client {
 public:
  WriterClient(const ClientContext& ctx, uint32_t index)
      : Client(ctx, model::ClientRole::kWriter, index),
        generator_(*ctx.spec, ctx.writer_id_base + index,
                   ClientSeed(ctx.spec->seed, model::ClientRole::kWriter, index)),
        writer_id_(ctx.writer_id_base + index) {}

  std::optional<model::ClientOp> NextOp() override {
    const uint64_t op_index = ctx_.run->NextOpIndex();
    if (ctx_.spec->ops != 0 && op_index >= ctx_.spec->ops) {
      exhausted_ = true;
      return std::nullopt;
    }
    if (ctx_.faults != nullptr) ctx_.faults->SetOpIndex(op_index);
    model::ClientOp op;
    op.kind = model::ClientOp::Kind::kWrite;
    op.write = generator_.Next();
    return op;
  }

  model::StepOutcome Execute(const model::ClientOp& client_op) override {
    model::StepOutcome outcome;
    if (client_op.kind != model::ClientOp::Kind::kWrite) {
      outcome.kind = model::StepOutcome::Kind::kSkipped;
      return outcome;
    }
    const workloads::Op& op = client_op.write;
    batch_.clear();
    entries_.clear();
    Flatten(op, &entries_);
    for (const workloads::Op* e : entries_) {
      batch_.push_back({e->kind == workloads::Op::Kind::kDelete, e->key, e->value});
    }
    if (ctx_.ack_log != nullptr) LogIntent(op);
    const model::OpTimer timer(ctx_.clock);
    engine::SequenceNumber voided = 0;
    const auto result = ctx_.store->Write(op.sync, batch_, &voided);
    self_->RecordOp(MetricKind(op), model::ResultOf(result.status()), timer.Nanos());
    if (ctx_.ack_log != nullptr) {
      result.ok() ? ctx_.ack_log->Acknowledged(writer_id_, result.value(), op.sync)
                  : ctx_.ack_log->Failed(writer_id_);
    }
    if (ctx_.checker != nullptr) Record(op, result);
    if (voided != 0 && ctx_.oracle != nullptr)
      ctx_.oracle->RecordVoid(voided - batch_.size() + 1, voided);
    if (result.ok()) {
      outcome.seq = result.value();
      return outcome;
    }
    outcome.kind = model::StepOutcome::Kind::kError;
    outcome.code = result.status().code();
    outcome.injected = result.status().injected();
    // After a background error the DB takes no more writes until it is reopened: this writer is
    // done; readers go on.
    outcome.finished = result.status().IsBackgroundError();
    return outcome;
  }

  void Release() override {}
  bool Exhausted() const override { return exhausted_; }

 private:
  model::OpNote Note(const workloads::Op& op) const {
    model::OpNote note;
    note.kind = op.kind == workloads::Op::Kind::kPut      ? model::OpNote::Kind::kPut
                : op.kind == workloads::Op::Kind::kDelete ? model::OpNote::Kind::kDelete
                                                          : model::OpNote::Kind::kBatch;
    note.entries = static_cast<uint32_t>(entries_.size());
    if (!entries_.empty()) note.key = KeyIndex(ctx_, entries_.front()->key);
    if (op.kind == workloads::Op::Kind::kPut) note.SetValue(op.value);
    return note;
  }

  // Before the write: what it will write, so a kill between its acknowledgement and the `a` line
  // still leaves it known (ack_log.h).
  void LogIntent(const workloads::Op& op) {
    entries_.clear();
    Flatten(op, &entries_);
    intent_.clear();
    for (const auto* e : entries_) {
      AckEntry entry;
      entry.key = KeyIndex(ctx_, e->key);
      if (e->kind == workloads::Op::Kind::kPut) {
        uint32_t writer = 0;
        uint64_t index = 0;
        workloads::PeekValueId(e->value, &writer, &index);
        entry.value = model::ValueId{writer, index, static_cast<uint32_t>(e->value.size())};
      }
      intent_.push_back(entry);
    }
    ctx_.ack_log->Intent(writer_id_, intent_);
  }

  // Records the write's result in the Oracle (entries_ is reused, so recording allocates nothing).
  void Record(const workloads::Op& op, const engine::Result<engine::SequenceNumber>& result) {
    entries_.clear();
    Flatten(op, &entries_);
    model::OpNote note = Note(op);
    if (!result.ok()) {
      RecordFailure(&note, result.status());
      return;
    }
    const engine::SequenceNumber last = result.value();
    note.seq = last;
    self_->Note(note);
    engine::SequenceNumber seq = last - entries_.size() + 1;
    for (const auto* e : entries_) {
      std::optional<model::ValueId> value;
      if (e->kind == workloads::Op::Kind::kPut) {
        uint32_t writer = 0;
        uint64_t index = 0;
        workloads::PeekValueId(e->value, &writer, &index);
        value = model::ValueId{writer, index, static_cast<uint32_t>(e->value.size())};
      }
      if (!ctx_.oracle->RecordWrite(KeyIndex(ctx_, e->key), seq, value, seq != last)) {
        reports::Violation v;
        v.kind = "invariant";
        v.op = note.ToString();
        v.read_sequence = seq;
        v.message = fmt::format("the engine assigned sequence {} to two writes", seq);
        ctx_.run->Report(std::move(v), self_);
      }
      seq++;
    }
    ctx_.oracle->Acknowledge(last);
    if (op.sync) ctx_.oracle->AcknowledgeSynced(last);
  }

  void RecordFailure(model::OpNote* note, const engine::Status& status) {
    note->ok = false;
    note->code = status.code();
    note->injected = status.injected();
    self_->Note(*note);
    failed_.clear();
    for (const auto* e : entries_) {
      model::WriteEntry entry{KeyIndex(ctx_, e->key), std::nullopt};
      uint32_t writer;
      uint64_t index;
      if (e->kind == workloads::Op::Kind::kPut &&
          workloads::ParseValueId(e->value, &writer, &index)) {
        entry.value = model::ValueId{writer, index, static_cast<uint32_t>(e->value.size())};
      }
      failed_.push_back(entry);
    }
    ctx_.oracle->RecordFailedWrite(failed_, ctx_.store->LastSequence());
    if (status.injected()) {
      self_->Count(model::kErrorsInjected);
    } else {
      ReportUnexpectedError(ctx_, self_, note->ToString(), status);
    }
  }

  workloads::WriteOpGenerator generator_;
  const uint32_t writer_id_;
  bool exhausted_ = false;
  std::vector<AckEntry> intent_;
  std::vector<model::WriteEntry> failed_;  // reused
  std::vector<const workloads::Op*> entries_;
  std::vector<stores::BatchEntry> batch_;  // reused: a write allocates nothing
};

}  // namespace

std::unique_ptr<Client> NewWriterClient(const ClientContext& ctx, uint32_t index) {
  return std::make_unique<WriterClient>(ctx, index);
}

}  // namespace harness::clients
