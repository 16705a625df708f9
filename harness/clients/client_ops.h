// What the clients share besides ClientContext: waiting for the recorded prefix, reporting
// unexpected errors and unrecorded sequences, and spelling reads as OpNotes. Internal to the
// client files (client.cc, writer_client.cc, reader_clients.cc, scanner_client.cc).
//
// Thread contract: thread-safe (each function touches only its caller's client state and the
// thread-safe shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/clients/client.h"

namespace harness::clients {

// True once every write at or below `seq` is recorded; false after kRecordWaitSecondsMax on the
// run's clock. Never waits in a simulated run, whose writes are recorded within their step.
bool WaitRecorded(const ClientContext& ctx, engine::SequenceNumber seq);

// A read saw `seq`, beyond every write recorded (and WaitRecorded gave up).
void ReportUnrecorded(const ClientContext& ctx, model::ThreadState* self, std::string op,
                      engine::SequenceNumber seq);
// An op failed without an injected fault.
void ReportUnexpectedError(const ClientContext& ctx, model::ThreadState* self, std::string op,
                           const engine::Status& s);

// The key index of `key` (the workload's spelling).
uint64_t KeyIndex(const ClientContext& ctx, std::string_view key);

// A note for a read of `key` at `seq` that returned `s` (and `value` when ok).
model::OpNote ReadNote(model::OpNote::Kind kind, uint64_t key, engine::SequenceNumber seq,
                       const engine::Status& s, std::string_view value);

}  // namespace harness::clients
