// The scanner client: long-lived iterators stepping slowly, held across flushes and compactions,
// forward and backward, every step checked against the Oracle at the iterator's sequence.
// Opening and positioning an iterator is a scan's first step; each Next/Prev is one more.
#include <fmt/format.h>

#include <algorithm>

#include "harness/clients/client.h"
#include "harness/clients/client_ops.h"
#include "workloads/key_chooser.h"
#include "workloads/read_op_generator.h"

namespace harness::clients {
namespace {

struct ScanPlan {
  bool reverse = false;
  std::optional<uint64_t> start;  // nullopt: from the first (or last) key
  uint64_t steps_max = 0;
  uint64_t until_nanos = 0;
};

// Positions `it` per `plan` and returns the exclusive bound the first step is checked from.
std::optional<uint64_t> Position(const ScanPlan& plan, stores::Iterator* it) {
  if (!plan.start) {
    plan.reverse ? it->SeekToLast() : it->SeekToFirst();
    return std::nullopt;
  }
  const std::string target = workloads::KeyName(*plan.start);
  it->Seek(target);
  if (!plan.reverse) {
    return *plan.start == 0 ? std::nullopt : std::optional<uint64_t>(*plan.start - 1);
  }
  // Backward from the last key < target: step back once from the Seek position.
  if (it->Valid()) {
    it->Prev();
  } else {
    it->SeekToLast();
  }
  return *plan.start;  // keys >= start are outside this reverse scan
}

// A scan is open (Seek or SeekToFirst/Last), stepped (Next or Prev) and closed, one step each.
// Every position is checked as it is reached: the key and value against the Oracle at the
// iterator's sequence, and every key between it and the previous position as absent; running off
// the end checks that nothing lies beyond. The scan is over after steps_max steps, after
// hold_seconds_max, at the end of its range, at an error or at a violation; the next op closes it.
class ScannerClient final : public Client {
 public:
  ScannerClient(const ClientContext& ctx, uint32_t index)
      : Client(ctx, model::ClientRole::kScanner, index),
        slot_(ctx.oracle->NewReaderSlot()),
        generator_(*ctx.spec, ClientSeed(ctx.spec->seed, model::ClientRole::kScanner, index)) {}

  std::optional<model::ClientOp> NextOp() override {
    model::ClientOp op;
    if (it_ == nullptr) {
      const workloads::Op scan = generator_.NextScan();
      op.kind = model::ClientOp::Kind::kScanOpen;
      op.reverse = scan.reverse;
      if (!scan.start_key.empty()) {
        workloads::ParseKeyIndex(scan.start_key, &op.key);
        op.has_start = true;
      }
      planned_steps_max_ = scan.steps;
    } else if (over_ || steps_ >= plan_.steps_max || ctx_.clock->NowNanos() > plan_.until_nanos) {
      op.kind = model::ClientOp::Kind::kScanClose;
    } else {
      op.kind = model::ClientOp::Kind::kScanStep;
    }
    return op;
  }

  model::StepOutcome Execute(const model::ClientOp& op) override {
    switch (op.kind) {
      case model::ClientOp::Kind::kScanOpen:
        // A replay may open again without a close (a reduction dropped it): close first.
        if (it_ != nullptr) Close();
        return Open(op);
      case model::ClientOp::Kind::kScanStep: {
        if (it_ == nullptr || over_) return model::StepOutcome::Skipped();
        const model::OpTimer timer(ctx_.clock);
        plan_.reverse ? it_->Prev() : it_->Next();
        self_->RecordOp(reports::OpKind::kScanStep, model::ResultOf(it_->status()), timer.Nanos());
        return CheckPosition();
      }
      case model::ClientOp::Kind::kScanClose: {
        if (it_ == nullptr) return model::StepOutcome::Skipped();
        Close();
        model::StepOutcome outcome;
        outcome.seq = seq_;
        return outcome;
      }
      default:
        return model::StepOutcome::Skipped();
    }
  }

  void Release() override {
    if (it_ != nullptr) Close();
  }

  bool Holding() const override { return it_ != nullptr; }

 private:
  bool checking() const { return ctx_.checker != nullptr; }

  model::StepOutcome Open(const model::ClientOp& op) {
    plan_ = ScanPlan();
    plan_.reverse = op.reverse;
    if (op.has_start) plan_.start = op.key;
    // A replayed open has no plan of its own: its steps and close come from the history.
    plan_.steps_max = planned_steps_max_ != 0 ? planned_steps_max_ : UINT64_MAX;
    planned_steps_max_ = 0;
    plan_.until_nanos =
        ctx_.clock->NowNanos() + static_cast<uint64_t>(ctx_.spec->scanners.hold_seconds_max * 1e9);
    slot_->Pin(ctx_.oracle->acknowledged());
    const engine::SequenceNumber lower = ctx_.oracle->acknowledged();
    it_ = ctx_.store->NewIterator(stores::ReadOptions());
    // Its cut: exact from a store that says, else bracketed and narrowed by every step.
    const stores::Position at = it_->position();
    cuts_ = at.exact() ? model::CutSet(at.low, at.low)
                       : model::CutSet(std::max(at.low, lower), at.high);
    seq_ = cuts_.empty() ? at.high : cuts_.highest();
    slot_->Pin(cuts_.empty() ? lower : cuts_.lowest());
    const model::OpTimer timer(ctx_.clock);
    previous_ = Position(plan_, it_.get());
    self_->RecordOp(reports::OpKind::kScanStep, model::ResultOf(it_->status()), timer.Nanos());
    steps_ = 0;
    over_ = false;
    note_ = model::OpNote();
    note_.kind = model::OpNote::Kind::kScan;
    note_.key = plan_.start.value_or(0);
    note_.seq = seq_;
    note_.reverse = plan_.reverse;
    self_->Note(note_);
    self_->Count(model::kScans);
    if (checking() && !WaitRecorded(ctx_, seq_)) {
      Report("iterator sequence beyond every recorded write", "");
      over_ = true;
      model::StepOutcome outcome;
      outcome.seq = seq_;
      return outcome;
    }
    return CheckPosition();
  }

  // Checks the position the iterator just reached.
  model::StepOutcome CheckPosition() {
    model::StepOutcome outcome;
    outcome.seq = seq_;
    if (!it_->Valid()) {
      over_ = true;
      const engine::Status status = it_->status();
      if (!status.ok()) {
        outcome.kind = model::StepOutcome::Kind::kError;
        outcome.code = status.code();
        outcome.injected = status.injected();
        ReportError(status);
        return outcome;
      }
      outcome.kind = model::StepOutcome::Kind::kEnd;
      // Ran off the end: nothing may lie beyond the last key returned.
      if (checking()) {
        if (auto v = CheckStep(std::nullopt, "")) {
          v->op = note_.ToString();
          ctx_.run->Report(std::move(*v), self_);
        }
      }
      return outcome;
    }
    if (!it_->status().ok()) {
      // A failed child may have hidden newer entries: a position shown beside an error may be
      // stale, so an iterator that reports an error must not be Valid() — where the store
      // promises that; elsewhere the scan ends on the error, its position unchecked.
      if (checking() && ctx_.iterator_invalid_on_error) {
        Report("iterator positioned on a key while reporting " + it_->status().ToString(),
               std::string(it_->key()));
      } else {
        ReportError(it_->status());
      }
      over_ = true;
      outcome.kind = model::StepOutcome::Kind::kError;
      outcome.code = it_->status().code();
      outcome.injected = it_->status().injected();
      return outcome;
    }
    outcome.kind = model::StepOutcome::Kind::kValue;
    model::SetOutcomeValue(it_->value(), &outcome);
    uint64_t key = 0;
    const bool ours = ctx_.checker == nullptr ? workloads::ParseKeyIndex(it_->key(), &key)
                                              : ctx_.checker->codec().parse_key(it_->key(), &key);
    outcome.has_key = ours;
    outcome.key = key;
    if (checking()) {
      if (!ours) {
        Report("scan returned a key no writer wrote", std::string(it_->key()));
        over_ = true;
        return outcome;
      }
      if (auto v = CheckStep(key, it_->value())) {
        v->op = note_.ToString();
        ctx_.run->Report(std::move(*v), self_);
        over_ = true;
        return outcome;
      }
      self_->Count(model::kScanKeysChecked);
      previous_ = key;
    }
    const uint32_t delay_us = ctx_.spec->scanners.step_delay_us;
    if (delay_us > 0 && steps_ % 16 == 0) ctx_.clock->SleepForNanos(uint64_t{delay_us} * 1000);
    steps_++;
    return outcome;
  }

  // The step against the oracle at the iterator's cut (narrowed as it goes, when bracketed).
  std::optional<reports::Violation> CheckStep(std::optional<uint64_t> key, std::string_view value) {
    if (cuts_.empty()) {
      reports::Violation v;
      v.kind = "scan";
      v.read_sequence = seq_;
      v.message = "the iterator's position lies outside its real-time bounds";
      return v;
    }
    return ctx_.checker->CheckScanStepIn(&cuts_, plan_.reverse, previous_, key, value);
  }

  void ReportError(const engine::Status& status) {
    if (status.injected()) {
      self_->Count(model::kErrorsInjected);
    } else if (checking()) {
      reports::Violation v;
      v.kind = "unexpected_error";
      v.op = note_.ToString();
      v.observed = status.ToString();
      v.message = "iterator failed without an injected fault: " + status.ToString();
      ctx_.run->Report(std::move(v), self_);
    }
  }

  void Close() {
    if (checking()) self_->Count(model::kScansChecked);
    it_.reset();
    slot_->Unpin();
  }

  void Report(std::string message, std::string observed) {
    reports::Violation v;
    v.kind = "scan";
    v.op = note_.ToString();
    v.read_sequence = seq_;
    v.observed = std::move(observed);
    v.message = std::move(message);
    ctx_.run->Report(std::move(v), self_);
  }

  model::ReaderSlot* const slot_;
  workloads::ReadOpGenerator generator_;
  std::unique_ptr<stores::Iterator> it_;  // null between scans
  ScanPlan plan_;
  uint64_t planned_steps_max_ = 0;  // the plan NextOp drew for the open it returned
  engine::SequenceNumber seq_ = 0;  // the highest cut the scan can be at
  model::CutSet cuts_;              // the cuts it can be at
  std::optional<uint64_t> previous_;
  uint64_t steps_ = 0;
  bool over_ = false;  // the scan has nothing more to check: the next op closes it
  model::OpNote note_;
};

}  // namespace

std::unique_ptr<Client> NewScannerClient(const ClientContext& ctx, uint32_t index) {
  return std::make_unique<ScannerClient>(ctx, index);
}

}  // namespace harness::clients
