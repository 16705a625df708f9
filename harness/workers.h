// The worker loops of a threaded run: writers, point readers, scanners and snapshot readers.
//
// Each loop runs until RunState::stopping(). Writers record every acknowledged entry in the Oracle
// with the sequence number the engine assigned, and every failed write as never-visible. Readers
// pin a lower bound in their ReaderSlot before reading, wait until every write at or below the
// sequence they observed is recorded, and check the result with the Checker. With `checker` null
// (the unchecked half of `vstress bench`) nothing is recorded or checked.
//
// Thread contract: thread-safe (each loop owns its thread's state; shared state is thread-safe).
#pragma once

#include <cstdint>

#include "engine/db.h"
#include "faults/fault_controller.h"
#include "harness/checker.h"
#include "harness/oracle.h"
#include "harness/run_state.h"
#include "workloads/workload_spec.h"

namespace harness {

struct WorkerContext {
  engine::DB* db = nullptr;
  const workloads::WorkloadSpec* spec = nullptr;
  Oracle* oracle = nullptr;
  const Checker* checker = nullptr;  // null: unchecked run
  RunState* run = nullptr;
  faults::FaultController* faults = nullptr;  // may be null
};

void WriterLoop(const WorkerContext& ctx, uint32_t writer_id);
void ReaderLoop(const WorkerContext& ctx, uint32_t reader_id);
void ScannerLoop(const WorkerContext& ctx, uint32_t scanner_id);
void SnapshotReaderLoop(const WorkerContext& ctx, uint32_t reader_id);

// The seed of thread `id` of a role (1 writers, 2 readers, 3 snapshot readers, 4 scanners).
uint64_t ThreadSeed(const WorkerContext& ctx, uint32_t role, uint32_t id);

// True once every write at or below `seq` is recorded; false after kRecordWaitSecondsMax.
bool WaitRecorded(const WorkerContext& ctx, SequenceNumber seq);

// Longest a reader waits for the writes below its sequence to be recorded before reporting that
// the engine returned a sequence no acknowledged write reached.
inline constexpr double kRecordWaitSecondsMax = 10.0;

}  // namespace harness
