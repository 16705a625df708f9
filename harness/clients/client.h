// Clients: the roles of a run — writer, point reader, scanner, snapshot reader — as state machines.
//
// A client's step is one op and its check: a write (recorded in the Oracle with the sequence the
// engine assigned, or as never-visible when it failed), a Get, one iterator step (opening and
// positioning a scan is a step, each Next/Prev one more, closing one more), or one read through a
// snapshot (taking and releasing it are steps too). NextOp() draws the client's next op
// (client_op.h) from its generator and its state; Execute(op) runs it and checks the result; Step()
// is the two together. Every driver runs the same clients: the threaded driver gives each its own
// thread and calls Step() in a loop; the simulator calls NextOp and Execute from one thread in the
// order its seeded scheduler picks, recording each op; a replay calls Execute with the recorded
// ops. None has a copy of a client's logic.
//
// Release() ends whatever a client holds — its iterator or snapshot — and checks every read it
// still had queued; afterwards it holds nothing of the engine's and pins no oracle version, so the
// driver may run a quiescence point, reopen the DB (ClientContext::db changes only then) or end
// the run. The next Step() starts afresh.
//
// Time comes from ClientContext::clock (hold deadlines, step delays, op latency), never from the
// wall clock directly, so a simulated run decides what time it is. Random choices come from the
// client's own stream, seeded from the run's seed, its role and its index.
//
// Thread contract: thread-compatible (one thread steps a client at a time; the shared state in
// ClientContext is thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "faults/fault_controller.h"
#include "harness/model/checker.h"
#include "harness/model/client_op.h"
#include "harness/model/oracle.h"
#include "harness/model/run_state.h"
#include "stores/store.h"
#include "workloads/workload_spec.h"

namespace harness::clients {

class AckLog;

// What every client of a run shares. The driver owns it; clients keep a reference.
struct ClientContext {
  // Replaced by the driver only while every client is released (a quiescence point's reopen).
  stores::Store* store = nullptr;
  const workloads::WorkloadSpec* spec = nullptr;
  model::Oracle* oracle = nullptr;
  const model::Checker* checker =
      nullptr;  // null: unchecked run (the unchecked half of `vstress bench`)
  model::RunState* run = nullptr;
  faults::FaultController* faults = nullptr;  // may be null
  const engine::Clock* clock = nullptr;
  // A `vstress crash --mode kill` child's: every write's intent and outcome (null: none).
  AckLog* ack_log = nullptr;
  // Writer i writes values with writer id writer_id_base + i (a kill child's writers must not
  // repeat an earlier child's values).
  uint32_t writer_id_base = 0;
  // The store promises an iterator is not Valid() once its status() is not ok
  // (StoreKind::iterator_invalid_on_error).
  bool iterator_invalid_on_error = true;
};

class Client {
 public:
  virtual ~Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The client's next op; nullopt once it has nothing more to do (a writer whose share of --ops is
  // done). A finished client is not stepped again.
  virtual std::optional<model::ClientOp> NextOp() = 0;
  // Runs `op` and checks what it returned. An op the client cannot run in its state — a step of a
  // scan that is not open, a read through a snapshot not taken — is skipped. `finished` is set
  // when the client can do nothing more (a writer whose DB refuses writes after a background
  // error).
  virtual model::StepOutcome Execute(const model::ClientOp& op) = 0;
  // NextOp, then Execute; false once the client is finished. The op is the client's op in flight
  // (InFlight) while it runs.
  bool Step();
  // The text of the op Step() is running ("" between ops), for a watchdog that found the run stuck
  // (callable from any thread).
  std::string InFlight() const;
  // Closes what the client holds and checks what it queued (see the file comment).
  virtual void Release() = 0;
  // True while the client holds an iterator or a snapshot across steps.
  virtual bool Holding() const { return false; }
  // True once NextOp has nothing more (a writer's share of --ops is done): a reopened DB does not
  // bring it back, unlike a writer a background error stopped.
  virtual bool Exhausted() const { return false; }

  model::ClientRole role() const { return role_; }
  const std::string& name() const { return self_->name; }
  model::ThreadState* state() const { return self_; }

 protected:
  Client(const ClientContext& ctx, model::ClientRole role, uint32_t index);

  const ClientContext& ctx_;
  const model::ClientRole role_;
  const uint32_t index_;
  model::ThreadState* const self_;

 private:
  // The op Step() is running; guarded by in_flight_mu_, held only to set, clear or print it.
  mutable std::mutex in_flight_mu_;
  const model::ClientOp* in_flight_ = nullptr;
};

// The run's clients in a fixed order: writers, point readers, scanners, snapshot readers (each
// role numbered from 0), as many as the spec asks for.
std::vector<std::unique_ptr<Client>> MakeClients(const ClientContext& ctx);

// The seed of client `index` of `role`: a pure function of the run's seed.
uint64_t ClientSeed(uint64_t run_seed, model::ClientRole role, uint32_t index);

// Longest a reader waits for the writes below its sequence to be recorded before reporting that
// the engine returned a sequence no acknowledged write reached.
inline constexpr double kRecordWaitSecondsMax = 10.0;

}  // namespace harness::clients
