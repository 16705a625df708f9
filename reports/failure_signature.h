// The failure signature of a failing shard of a sweep: a short text that is the same for every
// seed that hits one engine bug and (mostly) differs between bugs, so nightly.html shows one bug
// as one row however many shards found it. doc/design.md "Sweeps: the merge and failure
// signatures" gives the definition and the measurements it was coarsened from.
//
// A signature is {kind, op, shape}:
//   - kind: the first violation's kind, with the three read kinds (point_read, snapshot_read,
//     scan) folded into "read" — one bug surfaces through whichever reader meets the key first;
//     for a shard that failed without a violation, its result (liveness, error);
//   - op: the class of the violation's op ("read" for get, snapshot-get and scan; "write" for put,
//     delete and batch; otherwise the op's first word; "" when the violation names no op);
//   - shape: for a read with a key, the newest write to that key at or below the read's sequence
//     in the key's oracle history (put, delete, or none); for an unexpected error, the error the
//     engine returned; otherwise the message — the last two with every path, number and file name
//     replaced by '#', so that only the engine site is left.
// Everything here is a pure function of its arguments.
//
// Thread contract: thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "reports/run_record.h"

namespace reports {

// A normalised shape is cut to this many bytes: it names an engine site, and a message that long
// is a dump, not a site.
inline constexpr size_t kSignatureShapeBytesMax = 200;

struct FailureSignature {
  std::string kind;
  std::string op;
  std::string shape;

  // "kind op: shape" ("kind: shape" when the op is empty or the kind itself): the signature's
  // identity.
  std::string Text() const;
  bool empty() const { return kind.empty(); }
};

// The signature of a shard whose first violation is `v`.
FailureSignature SignatureOfViolation(const Violation& v);

// The signature of a shard that failed without a violation: `result` (liveness, error) and the
// reason it gives (summary.json's `error`, or why the shard has no summary), normalised, then
// `exit` ("signal 11", shard.json's `exit`; may be empty) as it is: which signal killed a run is
// the site, not noise.
FailureSignature SignatureOfFailure(std::string_view result, std::string_view reason,
                                    std::string_view exit = {});

// The signature of a shard that hung (liveness) or died (crash) with a postmortem: the result and
// where — "stuck in " or "SIGABRT in " followed by `top_frames` (TopFramesOfStacks), so every
// seed stuck at one site shares a row whatever its timings. Without frames (no gdb), the reason
// as SignatureOfFailure has it.
FailureSignature SignatureOfPostmortem(std::string_view result, std::string_view top_frames,
                                       std::string_view signal_name, std::string_view reason);

// The frames worth a signature in a postmortem's stacks (gdb's "thread apply all bt"): of the
// stuck or dying thread — the first with a fault action (faults::) on its stack, else the first
// with frames in vstress's own code (engine::, harness::, faults::) that is not idle (the
// watchdog, an idle background thread, a client parked for a pause) — its own frames, at most
// `frames` of them, innermost first, each reduced to its function name and joined with " < ".
// Empty when no thread has such frames (no gdb stacks).
std::string TopFramesOfStacks(std::string_view stacks, size_t frames = 3);

// `text` on one line with each path (a word holding '/') and each run of digits replaced by '#',
// then "#.sst"-style file names, "#.#" decimals and "#, #" lists folded into one '#', whitespace
// collapsed, and cut to kSignatureShapeBytesMax bytes.
std::string NormaliseSiteText(std::string_view text);

}  // namespace reports
