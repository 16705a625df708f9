// The merged junit.xml of a sweep: one <testsuite> per shard, for the CI test reporters that read
// a run's own junit.xml (reports/junit.h).
//
// A shard's suite is the one its run wrote, copied element for element, renamed
// "shard INDEX seed SEED: NAME" and given the properties sweep.shard and sweep.seed, so a reporter
// that lists suites by name shows which shard each is. A shard the merge found in error (never
// ran, died, left no summary) also gets a testcase "shard completes" holding an <error> that says
// why; a shard without a readable junit.xml gets a suite of that one testcase. The <testsuites>
// root counts the sum of its suites. The output is valid against tests/metrics/junit.xsd whenever
// each shard's junit.xml is (vstress writes them so).
//
// The run's junit.xml is vstress's own output, so the suites are found by their tags rather than
// by a general XML parser: a file with no complete <testsuite ...>...</testsuite>, or one whose
// opening tag lacks a count attribute, counts as unreadable and the shard gets the error suite.
//
// Thread contract: thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

struct ShardJunit {
  uint64_t index = 0;
  uint64_t seed = 0;
  std::optional<std::string> xml;  // the shard's junit.xml; nullopt: missing or unreadable
  std::string missing_reason;      // why there is no junit.xml (shown in the error testcase)
  std::string error;               // non-empty: the shard is in error, and this says why
};

// The whole merged junit.xml, shards in the given order.
std::string MergeJunit(const std::vector<ShardJunit>& shards);

// `text` escaped for XML text and attribute values; control characters XML 1.0 cannot hold
// become "\xNN".
std::string EscapeXmlText(std::string_view text);

}  // namespace reports
