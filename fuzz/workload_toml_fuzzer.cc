// Fuzzes the workload TOML (presets, --config files, config.toml) and the --faults file format:
// any text either fails with a Status naming the problem or parses to a valid spec that survives
// ToToml and a second parse unchanged (ParseWorkload(ToToml(s)) == s, as workload_spec.h promises).
#include <cstddef>
#include <cstdint>
#include <string>

#include "workloads/workload_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)workloads::ParseFaultsFile(text, "faults.toml");
  auto spec = workloads::ParseWorkload(text, "fuzz.toml");
  if (!spec.ok()) return 0;
  if (!spec.value().Validate().ok()) __builtin_trap();  // ParseWorkload validates
  const std::string toml = workloads::ToToml(spec.value());
  auto again = workloads::ParseWorkload(toml, "fuzz.toml");
  if (!again.ok() || !(again.value() == spec.value())) __builtin_trap();
  return 0;
}
