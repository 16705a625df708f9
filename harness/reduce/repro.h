// `vstress repro RUN_DIR|FILE`: replays a simulated run exactly and says whether it fails the same
// way. A complete history (every step from the first, as `vstress shrink` writes to RUN_DIR/min/)
// is replayed step by step, its interleavings and fault fires included, and every replayed line
// must equal the recorded one; a truncated one is re-simulated from the config and seed.
//
// Exit codes: 1 the recorded violation came back — same kind, same step; 0 a run that passed
// passed again with the same trace; 4 the replay went another way (the first differing step is
// named); 2 the path is not a simulated run (a threaded run's interleavings cannot be replayed:
// `vstress shrink` searches the simulator for the same failure).
//
// Thread contract: thread-compatible.
#pragma once

#include <ostream>
#include <string>

namespace harness::reduce {

int RunReproCommand(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace harness::reduce
