#include "harness/clients/client.h"

#include <fmt/format.h>

#include <thread>

#include "harness/clients/client_ops.h"
#include "workloads/random.h"

namespace harness::clients {

std::unique_ptr<Client> NewWriterClient(const ClientContext& ctx, uint32_t index);
std::unique_ptr<Client> NewReaderClient(const ClientContext& ctx, uint32_t index);
std::unique_ptr<Client> NewScannerClient(const ClientContext& ctx, uint32_t index);
std::unique_ptr<Client> NewSnapshotReaderClient(const ClientContext& ctx, uint32_t index);

namespace {

// Do not change: the seeds of existing runs (and so their replays) depend on these numbers.
uint64_t RoleSeedTag(model::ClientRole role) {
  switch (role) {
    case model::ClientRole::kWriter:
      return 1;
    case model::ClientRole::kReader:
      return 2;
    case model::ClientRole::kSnapshotReader:
      return 3;
    case model::ClientRole::kScanner:
      return 4;
  }
  return 0;
}

}  // namespace

Client::Client(const ClientContext& ctx, model::ClientRole role, uint32_t index)
    : ctx_(ctx),
      role_(role),
      index_(index),
      self_(ctx.run->NewThread(fmt::format("{}-{}", model::RoleName(role), index))) {}

bool Client::Step() {
  const std::optional<model::ClientOp> op = NextOp();
  if (!op) return false;
  {
    std::lock_guard<std::mutex> guard(in_flight_mu_);
    in_flight_ = &*op;
  }
  const bool finished = Execute(*op).finished;
  std::lock_guard<std::mutex> guard(in_flight_mu_);
  in_flight_ = nullptr;
  return !finished;
}

std::string Client::InFlight() const {
  std::lock_guard<std::mutex> guard(in_flight_mu_);
  return in_flight_ == nullptr ? std::string() : ToString(*in_flight_);
}

uint64_t ClientSeed(uint64_t run_seed, model::ClientRole role, uint32_t index) {
  return workloads::DeriveSeed(run_seed, (RoleSeedTag(role) << 32) | index);
}

std::vector<std::unique_ptr<Client>> MakeClients(const ClientContext& ctx) {
  std::vector<std::unique_ptr<Client>> clients;
  const auto& spec = *ctx.spec;
  const auto add = [&](int count, auto make) {
    for (int i = 0; i < count; i++) clients.push_back(make(ctx, static_cast<uint32_t>(i)));
  };
  add(spec.writers.threads, NewWriterClient);
  add(spec.readers.threads, NewReaderClient);
  add(spec.scanners.threads, NewScannerClient);
  add(spec.snapshot_readers.threads, NewSnapshotReaderClient);
  return clients;
}

// ---- shared by the clients ------------------------------------------------------------------

bool WaitRecorded(const ClientContext& ctx, engine::SequenceNumber seq) {
  const uint64_t deadline =
      ctx.clock->NowNanos() + static_cast<uint64_t>(kRecordWaitSecondsMax * 1e9);
  for (int spins = 0; ctx.oracle->recorded_through() < seq; spins++) {
    if (spins < 64) {
      std::this_thread::yield();
    } else {
      ctx.clock->SleepForNanos(20'000);
      if (ctx.clock->NowNanos() > deadline) return false;
    }
  }
  return true;
}

void ReportUnrecorded(const ClientContext& ctx, model::ThreadState* self, std::string op,
                      engine::SequenceNumber seq) {
  reports::Violation v;
  v.kind = "point_read";
  v.op = std::move(op);
  v.read_sequence = seq;
  v.message = fmt::format(
      "read at seq {}, but writes are recorded only through {}: the engine "
      "reported a sequence no acknowledged write reached",
      seq, ctx.oracle->recorded_through());
  ctx.run->Report(std::move(v), self);
}

void ReportUnexpectedError(const ClientContext& ctx, model::ThreadState* self, std::string op,
                           const engine::Status& s) {
  self->Count(model::kErrorsUnexpected);
  reports::Violation v;
  v.kind = "unexpected_error";
  v.op = std::move(op);
  v.observed = s.ToString();
  v.message = "an operation failed without an injected fault: " + s.ToString();
  ctx.run->Report(std::move(v), self);
}

uint64_t KeyIndex(const ClientContext& ctx, std::string_view key) {
  uint64_t index = 0;
  ctx.checker->codec().parse_key(key, &index);
  return index;
}

model::OpNote ReadNote(model::OpNote::Kind kind, uint64_t key, engine::SequenceNumber seq,
                       const engine::Status& s, std::string_view value) {
  model::OpNote note;
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

}  // namespace harness::clients
