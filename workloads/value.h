// Values: every value vstress writes is unique to one write, so any value a read returns maps
// back to exactly the write that produced it (the oracle relies on this).
//
// Layout: "v<writer>.<index>" (the value id), then, if the value is longer, '#' and filler letters
// (a-p) derived from the id and the size, up to the requested size. A value shorter than its id is
// just the id. Because the filler is a function of the id and the size, ParseValueId also detects a
// value whose bytes were damaged or cut short (a torn write), not only a wrong id.
//
//   MakeValue(7, 3, 4)  == "v7.3"
//   MakeValue(7, 3, 12) == "v7.3#" + 7 filler letters
//
// The compact text form used in op histories, "v7.3/12" (id and total bytes; just "v7.3" when the
// value is the bare id), names a value without spelling out its filler.
//
// Thread contract: immutable (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace workloads {

// Writer `writer_id`'s write number `write_index`, `bytes` long (longer if the id alone is).
std::string MakeValue(uint32_t writer_id, uint64_t write_index, uint32_t bytes);

// True, with the writer and index, if `value` is exactly MakeValue(writer, index, value.size());
// false for anything else (not ours, or ours but damaged).
bool ParseValueId(std::string_view value, uint32_t* writer_id, uint64_t* write_index);

// The id at the front of `value` without checking the rest: for a writer naming its own value.
bool PeekValueId(std::string_view value, uint32_t* writer_id, uint64_t* write_index);

// "v7.3/12" for one of our values ("v7.3" when it is the bare id); nullopt for other values.
std::optional<std::string> CompactValueText(std::string_view value);
// The value a compact text names; nullopt if `text` is not a compact value text.
std::optional<std::string> ExpandValueText(std::string_view text);

}  // namespace workloads
