// Small text helpers the C++ tests share: a whole file as a string, occurrences of a substring,
// and a number field of a JSON text found by searching (for test binaries that do not link
// nlohmann-json). Header-only, so any test binary can use them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace vstress_test {

// The file's contents ("" if it cannot be read).
inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// How many times `needle` occurs in `text` (overlapping occurrences included).
inline size_t CountOccurrences(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
    n++;
  return n;
}

// The unsigned number after `"key": ` in a JSON text written by nlohmann-json's dump(2), or
// nullopt if the key is absent.
inline std::optional<uint64_t> JsonNumber(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\": ");
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(json.substr(at + key.size() + 4));
}

}  // namespace vstress_test
