// The scanner client: long-lived iterators stepping slowly, held across flushes and compactions,
// forward and backward, every step checked against the Oracle at the iterator's sequence.
// Opening and positioning an iterator is a scan's first step; each Next/Prev is one more.
#include <fmt/format.h>

#include "harness/client.h"
#include "harness/client_ops.h"
#include "workloads/key_chooser.h"
#include "workloads/read_op_generator.h"

namespace harness {
namespace {

struct ScanPlan {
  bool reverse = false;
  std::optional<uint64_t> start;  // nullopt: from the first (or last) key
  uint64_t steps_max = 0;
  uint64_t until_nanos = 0;
};

// Positions `it` per `plan` and returns the exclusive bound the first step is checked from.
std::optional<uint64_t> Position(const ScanPlan& plan, engine::Iterator* it) {
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

class ScannerClient final : public Client {
 public:
  ScannerClient(const ClientContext& ctx, uint32_t index)
      : Client(ctx, ClientRole::kScanner, index),
        slot_(ctx.oracle->NewReaderSlot()),
        generator_(*ctx.spec, ClientSeed(ctx.spec->seed, ClientRole::kScanner, index)) {}

  bool Step() override {
    if (it_ == nullptr) {
      if (!Open()) return false;
    } else {
      const OpTimer timer(ctx_.clock);
      plan_.reverse ? it_->Prev() : it_->Next();
      self_->RecordOp(OpKind::kScanStep, ResultOf(it_->status()), timer.Nanos());
    }
    CheckPosition();
    return true;
  }

  void Release() override {
    if (it_ != nullptr) Close(/*ran_off_the_end=*/false);
  }

  bool Holding() const override { return it_ != nullptr; }

 private:
  bool checking() const { return ctx_.checker != nullptr; }

  // Plans a scan, opens and positions its iterator. False if the iterator's sequence is beyond
  // every recorded write (reported; the scanner stops).
  bool Open() {
    const workloads::Op op = generator_.NextScan();
    plan_ = ScanPlan();
    plan_.reverse = op.reverse;
    if (!op.start_key.empty()) {
      uint64_t start = 0;
      workloads::ParseKeyIndex(op.start_key, &start);
      plan_.start = start;
    }
    plan_.steps_max = op.steps;
    plan_.until_nanos =
        ctx_.clock->NowNanos() + static_cast<uint64_t>(ctx_.spec->scanners.hold_seconds_max * 1e9);
    slot_->Pin(ctx_.oracle->acknowledged());
    it_ = ctx_.db->NewIterator(engine::ReadOptions());
    seq_ = it_->sequence();
    slot_->Pin(seq_);
    const OpTimer timer(ctx_.clock);
    previous_ = Position(plan_, it_.get());
    self_->RecordOp(OpKind::kScanStep, ResultOf(it_->status()), timer.Nanos());
    steps_ = 0;
    note_ = OpNote();
    note_.kind = OpNote::Kind::kScan;
    note_.key = plan_.start.value_or(0);
    note_.seq = seq_;
    note_.reverse = plan_.reverse;
    self_->Note(note_);
    self_->Count(kScans);
    if (checking() && !WaitRecorded(ctx_, seq_)) {
      Report("iterator sequence beyond every recorded write", "");
      it_.reset();
      slot_->Unpin();
      return false;
    }
    return true;
  }

  // Checks the key the iterator is at; closes the scan when it is over.
  void CheckPosition() {
    if (!it_->Valid() || steps_ >= plan_.steps_max) {
      Close(/*ran_off_the_end=*/!it_->Valid());
      return;
    }
    if (checking()) {
      uint64_t key = 0;
      if (!ctx_.checker->codec().parse_key(it_->key(), &key)) {
        Report("scan returned a key no writer wrote", std::string(it_->key()));
        Close(false);
        return;
      }
      if (auto v = ctx_.checker->CheckScanStep(seq_, plan_.reverse, previous_, key, it_->value())) {
        v->op = note_.ToString();
        ctx_.run->Report(std::move(*v), self_);
        Close(false);
        return;
      }
      self_->Count(kScanKeysChecked);
      previous_ = key;
    }
    const uint32_t delay_us = ctx_.spec->scanners.step_delay_us;
    if (delay_us > 0 && steps_ % 16 == 0) ctx_.clock->SleepForNanos(uint64_t{delay_us} * 1000);
    steps_++;
    if (ctx_.clock->NowNanos() > plan_.until_nanos) Close(false);
  }

  // Ends the scan: its error, if any, and (when it ran off the end) that nothing lies beyond the
  // last key it returned.
  void Close(bool ran_off_the_end) {
    const engine::Status status = it_->status();
    if (!status.ok()) {
      if (status.injected()) {
        self_->Count(kErrorsInjected);
      } else if (checking()) {
        Violation v;
        v.kind = "unexpected_error";
        v.op = note_.ToString();
        v.observed = status.ToString();
        v.message = "iterator failed without an injected fault: " + status.ToString();
        ctx_.run->Report(std::move(v), self_);
      }
    } else if (checking() && ran_off_the_end) {
      if (auto v = ctx_.checker->CheckScanStep(seq_, plan_.reverse, previous_, std::nullopt, "")) {
        v->op = note_.ToString();
        ctx_.run->Report(std::move(*v), self_);
      }
    }
    if (checking()) self_->Count(kScansChecked);
    it_.reset();
    slot_->Unpin();
  }

  void Report(std::string message, std::string observed) {
    Violation v;
    v.kind = "scan";
    v.op = note_.ToString();
    v.read_sequence = seq_;
    v.observed = std::move(observed);
    v.message = std::move(message);
    ctx_.run->Report(std::move(v), self_);
  }

  ReaderSlot* const slot_;
  workloads::ReadOpGenerator generator_;
  std::unique_ptr<engine::Iterator> it_;  // null between scans
  ScanPlan plan_;
  SequenceNumber seq_ = 0;
  std::optional<uint64_t> previous_;
  uint64_t steps_ = 0;
  OpNote note_;
};

}  // namespace

std::unique_ptr<Client> NewScannerClient(const ClientContext& ctx, uint32_t index) {
  return std::make_unique<ScannerClient>(ctx, index);
}

}  // namespace harness
