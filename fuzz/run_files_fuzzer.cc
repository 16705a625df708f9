// Fuzzes what `vstress report` reads from a run directory: summary.json, timeseries.csv,
// faults.log and violations.json (the first byte picks which), then renders the page from
// whatever loaded. Malformed files must give a Status naming the file, never an exception, a crash
// or a page that cannot be built.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "reports/html_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vstress_fuzz::FuzzInput in(data, size);
  static constexpr reports::RunFile kFiles[] = {
      reports::RunFile::kSummary, reports::RunFile::kTimeseries, reports::RunFile::kFaultLog,
      reports::RunFile::kViolations};
  const reports::RunFile file = kFiles[in.Byte() % 4];
  const std::string text(in.Rest());
  reports::RunReport report;
  report.summary.result = "pass";
  const engine::Status s = reports::LoadRunFile(file, "run/file", text, &report);
  if (!s.ok() && s.message().find("run/file") == std::string::npos) __builtin_trap();
  if (s.ok()) (void)reports::RenderHtmlReport(report);
  return 0;
}
