#include "workloads/value.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

#include "workloads/random.h"
#include "workloads/workload_spec.h"

namespace workloads {
namespace {

// Parses decimal digits at the front of *text into *out (no sign, no leading zeros except "0"),
// consuming them. Leading zeros are refused so each number has exactly one spelling.
template <typename Int>
bool ConsumeNumber(std::string_view* text, Int* out) {
  const char* begin = text->data();
  const char* end = begin + text->size();
  auto [stop, ec] = std::from_chars(begin, end, *out);
  if (ec != std::errc() || stop == begin || *begin == '+' || *begin == '-') return false;
  if (*begin == '0' && stop - begin > 1) return false;
  text->remove_prefix(static_cast<size_t>(stop - begin));
  return true;
}

// The id "v<writer>.<index>" at the front of `text`, consumed.
bool ConsumeId(std::string_view* text, uint32_t* writer_id, uint64_t* write_index) {
  if (text->empty() || text->front() != 'v') return false;
  text->remove_prefix(1);
  if (!ConsumeNumber(text, writer_id) || text->empty() || text->front() != '.') return false;
  text->remove_prefix(1);
  return ConsumeNumber(text, write_index);
}

// Filler words are copied to and compared with memory as they lie, so the low byte comes first.
static_assert(std::endian::native == std::endian::little, "filler bytes assume little-endian");

// The filler's letters come from a xorshift64 stream (three shifts and xors per eight bytes, since
// the checker recomputes filler on every read); each byte's low nibble picks 'a'..'p'.
class FillerStream {
 public:
  explicit FillerStream(uint64_t seed) : state_(seed | 1) {}
  uint64_t NextWord() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return (state_ & 0x0F0F0F0F0F0F0F0Full) + 0x6161616161616161ull;
  }

 private:
  uint64_t state_;
};

// The filler seed: depends on the id and the total size, so a truncated value is not another
// valid value.
uint64_t FillerSeed(uint32_t writer_id, uint64_t write_index, uint32_t bytes) {
  return Mix64(write_index ^ (uint64_t{writer_id} << 44) ^ (uint64_t{bytes} << 24));
}

// True if `rest` (what follows the id: empty, or '#' and filler) is exactly the filler MakeValue
// writes for this id and total size. Compares in place, eight bytes at a time.
bool FillerMatches(std::string_view rest, uint32_t writer_id, uint64_t write_index,
                   uint32_t bytes) {
  if (rest.empty()) return true;
  rest.remove_prefix(1);  // '#'
  FillerStream filler(FillerSeed(writer_id, write_index, bytes));
  while (!rest.empty()) {
    const uint64_t expected = filler.NextWord();
    const size_t n = std::min<size_t>(8, rest.size());
    uint64_t got = 0;
    std::memcpy(&got, rest.data(), n);
    const uint64_t mask = n == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
    if (((got ^ expected) & mask) != 0) return false;
    rest.remove_prefix(n);
  }
  return true;
}

}  // namespace

std::string MakeValue(uint32_t writer_id, uint64_t write_index, uint32_t bytes) {
  std::string value = fmt::format("v{}.{}", writer_id, write_index);
  if (bytes <= value.size()) return value;
  value.reserve(bytes);
  value += '#';
  // The filler depends on the length too, so a truncated value is not another valid value.
  FillerStream filler(FillerSeed(writer_id, write_index, bytes));
  size_t filled = value.size();
  value.resize(bytes);
  // Eight letters per word, low byte first (the order FillerMatches compares in).
  while (filled < bytes) {
    const uint64_t letters = filler.NextWord();
    const size_t n = std::min<size_t>(8, bytes - filled);
    std::memcpy(value.data() + filled, &letters, n);
    filled += n;
  }
  return value;
}

bool ParseValueId(std::string_view value, uint32_t* writer_id, uint64_t* write_index) {
  std::string_view rest = value;
  uint32_t writer;
  uint64_t index;
  if (!ConsumeId(&rest, &writer, &index)) return false;
  if (!rest.empty() && rest.front() != '#') return false;
  if (value.size() > kValueBytesMax) return false;
  if (!FillerMatches(rest, writer, index, static_cast<uint32_t>(value.size()))) return false;
  *writer_id = writer;
  *write_index = index;
  return true;
}

bool PeekValueId(std::string_view value, uint32_t* writer_id, uint64_t* write_index) {
  return ConsumeId(&value, writer_id, write_index);
}

std::optional<std::string> CompactValueText(std::string_view value) {
  uint32_t writer;
  uint64_t index;
  if (!ParseValueId(value, &writer, &index)) return std::nullopt;
  // ParseValueId accepted only the canonical spelling, so the id is the text before '#'.
  const std::string_view id = value.substr(0, value.find('#'));
  if (value.size() == id.size()) return std::string(id);
  return fmt::format("{}/{}", id, value.size());
}

std::optional<std::string> ExpandValueText(std::string_view text) {
  std::string_view rest = text;
  uint32_t writer;
  uint64_t index;
  if (!ConsumeId(&rest, &writer, &index)) return std::nullopt;
  if (rest.empty()) return MakeValue(writer, index, 0);
  uint32_t bytes;
  if (rest.front() != '/') return std::nullopt;
  rest.remove_prefix(1);
  const size_t id_bytes = text.size() - rest.size() - 1;
  // A size no larger than the id would print as the bare id, so it has no "/N" spelling.
  if (!ConsumeNumber(&rest, &bytes) || !rest.empty() || bytes <= id_bytes) return std::nullopt;
  if (bytes > kValueBytesMax) return std::nullopt;
  return MakeValue(writer, index, bytes);
}

}  // namespace workloads
