// `vstress shard DIR INDEX`: runs shard INDEX of the sweep planned in DIR (sweep/plan.h) —
// what every executor calls (a local child, a Slurm array task, a GNU parallel job), so a shard
// behaves the same everywhere. Empties DIR/shards/INDEX/ (a rerun starts clean), runs the shard's
// vstress command as a child with its output in DIR/shards/INDEX/vstress.log, then writes
// DIR/shards/INDEX/shard.json (exit, wall seconds, host, start and end times) for the merge, and
// prints one line. SIGTERM or SIGINT (a job engine cancelling the shard) is passed on to the run.
//
// Exit code: the run's own (0 pass, 1 violation, 3 liveness, 4 failure; 4 if it died of a
// signal), so a job engine's own record (Slurm's FAILED, parallel's joblog) says the same as the
// merge; 2 for a bad DIR, INDEX or plan.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace harness::sweep {

struct ShardOptions {
  std::string dir;
  uint64_t index = 0;
};

int RunShardCommand(const ShardOptions& options, std::ostream& out, std::ostream& err);

}  // namespace harness::sweep
