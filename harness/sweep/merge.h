// `vstress merge DIR`: the morning report of a sweep (sweep/sweep.h). Reads the plan
// (DIR/plan.jsonl) and every shard's run directory (DIR/shards/<index>/: shard.json, summary.json,
// violations.json, junit.xml, metrics.prom) and writes, into DIR:
//   - nightly.html: self-contained (no script, no network): totals, then the failures grouped by
//     signature (one bug, one row: count, seeds, the shortest repro command), every shard with a
//     link to its own report.html, the union fault coverage, shard duration and throughput charts;
//   - junit.xml: one testsuite per shard;
//   - summary.json: totals, shards, signatures (and the comparison, with --compare);
//   - metrics.prom: counters summed over the shards, gauges per shard (label `shard`).
// A shard that never ran, or ended without a summary, is an error row of its own; a malformed
// file is named with its path. With --push-gateway, pushes one group per shard and deletes the
// groups the previous merge of DIR pushed (DIR/pushed-groups.json). With --compare PREVIOUS_DIR,
// lists the signatures that are new since that sweep, the ones that are gone, and the change in
// median shard throughput.
//
// Exit codes: 0 every shard passed; 1 a shard found a violation; 2 bad usage (no plan, a malformed
// plan or a plan from another version, a malformed sweep.json, a --compare directory without a
// merged summary.json, a --push-gateway that is not an http(s) URL), and then nothing is written;
// 3 a shard ended in liveness and none in violation; 4 a shard failed otherwise (crashed, never
// ran) and none in violation, or an output could not be written. A pushgateway that fails never
// changes the exit code. Signatures, file formats and the push protocol: doc/design.md "Sweeps:
// the merge and failure signatures".
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>
#include <string>

namespace harness::sweep {

struct MergeOptions {
  std::string dir;           // the sweep directory
  std::string compare_dir;   // a previous sweep directory (empty: no comparison)
  std::string push_gateway;  // pushgateway URL (empty: no push)
};

int RunMergeCommand(const MergeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace harness::sweep
