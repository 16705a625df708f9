// ClientOp and StepOutcome: one step of a client as a value, and what it observed.
//
// A client's step is a ClientOp: a write (a workloads::Op: put, delete or batch, with its exact
// value ids and sync flag), a Get, a scan's open, step or close, or a snapshot's take, read or
// release. Each has a one-line text form that parses back to an equal op, so a simulated run's
// history can be replayed step by step and shrunk (a scan step or a snapshot read whose scan or
// snapshot a reduction removed is skipped, like Pebble's reducer skips ops on objects that no
// longer exist):
//
//   writer:           put k00000042 v0.12/40 sync | delete k00000007 | batch [put ...; delete ...]
//   reader:           get k00000042
//   scanner:          open k00000010 fwd | open rev | step | close
//   snapshot reader:  take | get k00000001 | release
//
// A StepOutcome is what the step observed, kept small and without text so that a simulated run
// can hash every step into its trace and format only the lines it keeps:
//
//   ok seq=5531 | v0.12/40 seq=5531 | not-found seq=5531 | k00000017=v12.4/20 seq=5531 | end
//   | IOError [injected] | skipped
//
// Thread contract: immutable (values and pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "engine/types.h"
#include "workloads/op.h"

namespace harness::model {

using engine::SequenceNumber;

enum class ClientRole : uint8_t { kWriter, kReader, kScanner, kSnapshotReader };

// "writer", "reader", "scanner", "snapshot-reader".
const char* RoleName(ClientRole role);

struct ClientOp {
  enum class Kind : uint8_t {
    kWrite,
    kGet,
    kScanOpen,
    kScanStep,
    kScanClose,
    kSnapshotTake,
    kSnapshotGet,
    kSnapshotRelease,
  };
  Kind kind = Kind::kGet;
  workloads::Op write;     // kWrite
  uint64_t key = 0;        // kGet, kSnapshotGet; kScanOpen: the start key when has_start
  bool has_start = false;  // kScanOpen: Seek to `key` (else from the first or last key)
  bool reverse = false;    // kScanOpen

  bool operator==(const ClientOp&) const = default;
};

std::string ToString(const ClientOp& op);
// The inverse of ToString for a client of `role`; InvalidArgument names the text.
engine::Result<ClientOp> ParseClientOp(std::string_view text, ClientRole role);

// What one step observed.
struct StepOutcome {
  // A step with nothing to do.
  static StepOutcome Skipped() {
    StepOutcome outcome;
    outcome.kind = Kind::kSkipped;
    return outcome;
  }
  enum class Kind : uint8_t {
    kOk,        // a write or a release/close that went through
    kValue,     // a read that found a value (value_*), or a scan step that landed on key/value
    kNotFound,  // a read that found nothing
    kEnd,       // a scan step that ran off the end of its range
    kError,     // the op failed (code, injected)
    kSkipped,   // nothing to do: a scan step with no open scan, a read with no snapshot, ...
  };
  Kind kind = Kind::kOk;
  bool finished = false;  // the client has nothing more to do (it is not stepped again)
  SequenceNumber seq = 0;
  bool has_key = false;  // a scan step: `key` is where the iterator landed
  uint64_t key = 0;
  // The value read, when it is one of ours (value_bytes == 0: not ours, or none).
  uint32_t value_writer = 0;
  uint64_t value_index = 0;
  uint32_t value_bytes = 0;
  engine::Status::Code code = engine::Status::Code::kOk;
  bool injected = false;
};

std::string ToString(const StepOutcome& outcome);

// Fills the value fields of `out` from a value the engine returned.
void SetOutcomeValue(std::string_view value, StepOutcome* out);

}  // namespace harness::model
