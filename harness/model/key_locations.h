// Where a key lives in the engine, as a violation report spells it: every entry of the key in the
// memtables and in each table of every live Version (engine::testing::LocateKey), one per line —
// where, which Versions list the table (* marks the current one), sequence and kind — so a report
// shows where a lost or stale version went, not only that it went.
//
//   memtable                           seq=5531 put v0.12/40
//   L0 000123.sst (Versions 15, 17*)   seq=5400 delete
//   L2 000098.sst (Version 15)         seq=1200 put v1.3/20
//
// Thread contract: thread-safe (LocateKey takes the engine's locks).
#pragma once

#include <string>
#include <string_view>

#include "engine/db.h"

namespace harness::model {

// "" when the key is nowhere (a line says so), or `db` is null.
std::string DescribeKeyLocations(engine::DB* db, std::string_view key);

}  // namespace harness::model
