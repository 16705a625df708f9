// TwoLevelIterator: iterates a table's entries by walking its index block and opening the data
// block each index entry points at.
//
// Invariants: the iterator is positioned on an entry of the data block named by the index
// iterator's current entry, or is not Valid(). Empty data blocks are skipped in both directions.
// The first error (from the index, from opening a data block, or from a data block's entries)
// makes the iterator invalid and is kept in status() until the iterator is destroyed.
//
// Thread contract: thread-compatible.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "engine/status.h"
#include "internal_iterator.h"

namespace engine {

// Opens an iterator over the data block that an index entry's value (an encoded BlockHandle)
// points at. The returned iterator must keep whatever it reads alive.
using DataIteratorOpener =
    std::function<Result<std::unique_ptr<InternalIterator>>(std::string_view index_value)>;

std::unique_ptr<InternalIterator> NewTwoLevelIterator(
    std::unique_ptr<InternalIterator> index_iterator, DataIteratorOpener open_data_iterator);

}  // namespace engine
