// The scanner loop: long-lived iterators stepping slowly, held across flushes and compactions,
// forward and backward, every step checked against the oracle at the iterator's sequence.
#include <fmt/format.h>

#include <thread>

#include "harness/workers.h"
#include "workloads/key_chooser.h"
#include "workloads/read_op_generator.h"

namespace harness {
namespace {

struct ScanPlan {
  bool reverse = false;
  std::optional<uint64_t> start;  // nullopt: from the first (or last) key
  uint64_t steps_max = 0;
  std::chrono::steady_clock::time_point until;
};

ScanPlan PlanScan(const WorkerContext& ctx, workloads::ReadOpGenerator* generator) {
  const workloads::Op op = generator->NextScan();
  ScanPlan plan;
  plan.reverse = op.reverse;
  if (!op.start_key.empty()) {
    uint64_t start = 0;
    workloads::ParseKeyIndex(op.start_key, &start);
    plan.start = start;
  }
  plan.steps_max = op.steps;
  plan.until = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(ctx.spec->scanners.hold_seconds_max));
  return plan;
}

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

}  // namespace

void ScannerLoop(const WorkerContext& ctx, uint32_t scanner_id) {
  ThreadState* self = ctx.run->NewThread(fmt::format("scanner-{}", scanner_id));
  ReaderSlot* slot = ctx.oracle->NewReaderSlot();
  workloads::ReadOpGenerator generator(*ctx.spec, ThreadSeed(ctx, 4, scanner_id));
  const uint32_t delay_us = ctx.spec->scanners.step_delay_us;
  while (!ctx.run->stopping()) {
    const ScanPlan plan = PlanScan(ctx, &generator);
    slot->Pin(ctx.oracle->acknowledged());
    auto it = ctx.db->NewIterator(engine::ReadOptions());
    const SequenceNumber seq = it->sequence();
    slot->Pin(seq);
    // Positioning counts as the scan's first step; each Next/Prev as one more.
    OpTimer step_timer;
    std::optional<uint64_t> previous = Position(plan, it.get());
    self->RecordOp(OpKind::kScanStep, ResultOf(it->status()), step_timer.Nanos());
    OpNote note;
    note.kind = OpNote::Kind::kScan;
    note.key = plan.start.value_or(0);
    note.seq = seq;
    note.reverse = plan.reverse;
    self->Note(note);
    self->Count(kScans);
    const bool checking = ctx.checker != nullptr;
    if (checking && !WaitRecorded(ctx, seq)) {
      Violation v;
      v.kind = "scan";
      v.op = note.ToString();
      v.read_sequence = seq;
      v.message = "iterator sequence beyond every recorded write";
      ctx.run->Report(std::move(v), self);
      break;
    }
    uint64_t steps = 0;
    for (; it->Valid() && steps < plan.steps_max && !ctx.run->stopping(); steps++) {
      uint64_t key = 0;
      if (checking) {
        if (!ctx.checker->codec().parse_key(it->key(), &key)) {
          Violation v;
          v.kind = "scan";
          v.op = note.ToString();
          v.observed = std::string(it->key());
          v.message = "scan returned a key no writer wrote";
          ctx.run->Report(std::move(v), self);
          break;
        }
        if (auto v = ctx.checker->CheckScanStep(seq, plan.reverse, previous, key, it->value())) {
          v->op = note.ToString();
          ctx.run->Report(std::move(*v), self);
          break;
        }
        self->Count(kScanKeysChecked);
        previous = key;
      }
      if (delay_us > 0 && steps % 16 == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      }
      step_timer = OpTimer();
      if (step_timer.started() > plan.until) break;
      plan.reverse ? it->Prev() : it->Next();
      self->RecordOp(OpKind::kScanStep, ResultOf(it->status()), step_timer.Nanos());
    }
    if (!it->status().ok()) {
      if (it->status().injected()) {
        self->Count(kErrorsInjected);
      } else if (checking) {
        Violation v;
        v.kind = "unexpected_error";
        v.op = note.ToString();
        v.observed = it->status().ToString();
        v.message = "iterator failed without an injected fault: " + it->status().ToString();
        ctx.run->Report(std::move(v), self);
      }
    } else if (checking && !it->Valid() && steps < plan.steps_max && !ctx.run->stopping()) {
      // Ran off the end: nothing may lie beyond the last key returned.
      if (auto v = ctx.checker->CheckScanStep(seq, plan.reverse, previous, std::nullopt, "")) {
        v->op = note.ToString();
        ctx.run->Report(std::move(*v), self);
      }
    }
    if (checking) self->Count(kScansChecked);
    it.reset();
    slot->Unpin();
  }
  slot->Unpin();
}

}  // namespace harness
