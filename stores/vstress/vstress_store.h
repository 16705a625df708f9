// The vstress engine (engine/) behind the Store interface. Everything the harness checks exactly
// comes from here: every read reports the sequence it observed (positions are exact), and the
// engine's test hooks (engine/testing.h) give the Version and file invariants, where a key lives,
// and what the deterministic simulator needs — each an optional capability of Store.
//
// Thread contract: thread-safe (as engine::DB).
#pragma once

#include "stores/registry.h"

namespace stores::vstress {

// The registry's entry: "vstress", the project's version, and its Open.
StoreKind Kind();

}  // namespace stores::vstress
