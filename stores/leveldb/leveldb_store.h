// LevelDB 1.23 (Debian's libleveldb) behind the Store interface.
//
// LevelDB reports no sequence numbers, so the adapter gives every write its place in the commit
// order itself: writes go through one lock, each batch of n entries takes the next n sequences
// (as LevelDB's own counter does), `assigned` is raised before the write and `acknowledged` after
// it returns ok. A read, an iterator or a snapshot is bracketed: its position is [acknowledged when
// it began, assigned when it ended] — it sees every write acknowledged before it started, and none
// the engine had not been given when it ended (doc/design.md, "Checking a store that cannot say").
//
// The workload's engine knobs map onto LevelDB's options: memtable_bytes -> write_buffer_size,
// table_target_bytes -> max_file_size, block_bytes -> block_size, block_restart_interval,
// bloom_bits_per_key -> a bloom filter policy, table_cache_entries_max -> max_open_files (at least
// LevelDB's floor of 74); compression off and checksums verified, as the vstress engine does.
// LevelDB has no knob for its level-0 triggers (fixed at 4, 8 and 12 in 1.23), the level sizes
// (10 MB, x10) or a MANIFEST size limit: those keys are named in the run's summary as not applied.
//
// Capabilities: none of the optional ones yet (no observed sequence, no Version count, no test
// hooks); LevelDB runs on the real file system, its own threads doing its background work.
//
// Thread contract: thread-safe (as leveldb::DB).
#pragma once

#include "stores/registry.h"

namespace stores::leveldb_store {

StoreKind Kind();

}  // namespace stores::leveldb_store
