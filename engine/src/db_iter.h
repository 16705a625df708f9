// DBIter: turns a merged stream of internal entries into the user-visible view at one sequence.
//
// For each user key it yields the newest entry with sequence <= `sequence`, hiding keys whose
// newest such entry is a deletion, in both directions. `on_destroy` runs when the iterator is
// destroyed (it releases the pinned read view).
//
// Thread contract: thread-compatible.
#pragma once

#include <functional>
#include <memory>

#include "engine/iterator.h"
#include "internal_iterator.h"

namespace engine {

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        SequenceNumber sequence, std::function<void()> on_destroy);

}  // namespace engine
