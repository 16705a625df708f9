// Fuzzes the fault-rule text (POINT:ACTION[:TRIGGER][@WINDOW], with @path=GLOB): any text either
// fails with a Status or parses to a rule whose canonical text parses back to the same rule.
#include <cstddef>
#include <cstdint>
#include <string>

#include "faults/fault_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rule = faults::ParseRule(text);
  if (!rule.ok()) return 0;
  const std::string canonical = rule.value().ToString();
  auto again = faults::ParseRule(canonical);
  if (!again.ok() || again.value().ToString() != canonical) __builtin_trap();
  return 0;
}
