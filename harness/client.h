// Clients: the roles of a run — writer, point reader, scanner, snapshot reader — as state machines.
//
// A client does one op and its check per Step(): a write (recorded in the Oracle with the sequence
// the engine assigned, or as never-visible when it failed), a Get, one iterator step (opening and
// positioning a scan is its first step; each Next/Prev one more), or one read through a snapshot
// (taking the snapshot is part of the first). Every driver runs the same clients: the threaded
// driver gives each its own thread and calls Step() in a loop; the simulator calls them all from
// one thread in the order its seeded scheduler picks. Neither has a copy of a client's logic.
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
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/db.h"
#include "faults/fault_controller.h"
#include "harness/checker.h"
#include "harness/oracle.h"
#include "harness/run_state.h"
#include "workloads/workload_spec.h"

namespace harness {

// What every client of a run shares. The driver owns it; clients keep a reference.
struct ClientContext {
  // Replaced by the driver only while every client is released (a quiescence point's reopen).
  engine::DB* db = nullptr;
  const workloads::WorkloadSpec* spec = nullptr;
  Oracle* oracle = nullptr;
  const Checker* checker = nullptr;  // null: unchecked run (the unchecked half of `vstress bench`)
  RunState* run = nullptr;
  faults::FaultController* faults = nullptr;  // may be null
  const engine::Clock* clock = nullptr;
};

enum class ClientRole : uint8_t { kWriter, kReader, kScanner, kSnapshotReader };

class Client {
 public:
  virtual ~Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One op and its check. False once the client has nothing more to do: a writer whose share of
  // --ops is done, or whose DB refuses writes after a background error. A finished client is not
  // stepped again.
  virtual bool Step() = 0;
  // Closes what the client holds and checks what it queued (see the file comment).
  virtual void Release() = 0;
  // True while the client holds an iterator or a snapshot across steps.
  virtual bool Holding() const { return false; }

  ClientRole role() const { return role_; }
  const std::string& name() const { return self_->name; }
  ThreadState* state() const { return self_; }

 protected:
  Client(const ClientContext& ctx, ClientRole role, uint32_t index);

  const ClientContext& ctx_;
  const ClientRole role_;
  const uint32_t index_;
  ThreadState* const self_;
};

// The run's clients in a fixed order: writers, point readers, scanners, snapshot readers (each
// role numbered from 0), as many as the spec asks for.
std::vector<std::unique_ptr<Client>> MakeClients(const ClientContext& ctx);

// The seed of client `index` of `role`: a pure function of the run's seed.
uint64_t ClientSeed(uint64_t run_seed, ClientRole role, uint32_t index);

// Longest a reader waits for the writes below its sequence to be recorded before reporting that
// the engine returned a sequence no acknowledged write reached.
inline constexpr double kRecordWaitSecondsMax = 10.0;

}  // namespace harness
