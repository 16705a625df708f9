// RocksDB 7.8.3 (Debian's librocksdb) behind the Store interface.
//
// RocksDB numbers its writes itself and says so: DB::GetLatestSequenceNumber() and a snapshot's
// GetSequenceNumber(). Writes go through one lock in the adapter, so the latest sequence right
// after a write returned is exactly its last entry's (a batch of n entries takes n sequences with
// RocksDB's defaults). A snapshot's position is exact. A Get or an iterator without a snapshot
// reports no sequence: it is bracketed by the latest sequence before it began and after it ended.
//
// The workload's engine knobs map onto RocksDB's options: memtable_bytes -> write_buffer_size,
// the level-0 triggers -> level0_file_num_compaction_trigger / level0_slowdown_writes_trigger /
// level0_stop_writes_trigger, level_base_bytes -> max_bytes_for_level_base,
// level_size_multiplier -> max_bytes_for_level_multiplier, table_target_bytes ->
// target_file_size_base, max_manifest_bytes -> max_manifest_file_size, block_bytes and
// block_restart_interval and bloom_bits_per_key -> the block-based table's, table_cache_entries_max
// -> max_open_files; compression off and checksums verified, as the vstress engine does.
// RocksDB's own defaults stand otherwise (paranoid_checks on, point-in-time WAL recovery,
// automatic WAL flush), as a user's would.
//
// Thread contract: thread-safe (as rocksdb::DB).
#pragma once

#include "stores/registry.h"

namespace stores::rocksdb_store {

StoreKind Kind();

}  // namespace stores::rocksdb_store
