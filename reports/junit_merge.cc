#include "reports/junit_merge.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

namespace reports {
namespace {

struct SuiteCounts {
  uint64_t tests = 0;
  uint64_t failures = 0;
  uint64_t errors = 0;
  uint64_t skipped = 0;
  double seconds = 0;

  void Add(const SuiteCounts& other) {
    tests += other.tests;
    failures += other.failures;
    errors += other.errors;
    skipped += other.skipped;
    seconds += other.seconds;
  }
};

// The counts of a suite of one testcase in error.
SuiteCounts OneError() {
  SuiteCounts counts;
  counts.tests = 1;
  counts.errors = 1;
  return counts;
}

// One <testsuite> of a shard's junit.xml: its name (as written, escaped), counts and the text
// between its opening and closing tags.
struct Suite {
  std::string name;
  SuiteCounts counts;
  std::string body;
};

// The attributes of an opening tag, values as written (still escaped); a value holds no '"'
// because the writer escapes it.
std::map<std::string, std::string> ParseAttributes(std::string_view tag) {
  std::map<std::string, std::string> attributes;
  size_t pos = 0;
  while (true) {
    const size_t equals = tag.find("=\"", pos);
    if (equals == std::string_view::npos) break;
    const size_t close = tag.find('"', equals + 2);
    if (close == std::string_view::npos) break;
    size_t name_begin = tag.rfind(' ', equals);
    name_begin = name_begin == std::string_view::npos ? 0 : name_begin + 1;
    attributes[std::string(tag.substr(name_begin, equals - name_begin))] =
        std::string(tag.substr(equals + 2, close - equals - 2));
    pos = close + 1;
  }
  return attributes;
}

template <typename T>
bool ParseNumber(const std::map<std::string, std::string>& attributes, const char* name, T* out) {
  const auto it = attributes.find(name);
  if (it == attributes.end()) return false;
  const std::string& text = it->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseCounts(const std::map<std::string, std::string>& attributes, SuiteCounts* counts) {
  return ParseNumber(attributes, "tests", &counts->tests) &&
         ParseNumber(attributes, "failures", &counts->failures) &&
         ParseNumber(attributes, "errors", &counts->errors) &&
         ParseNumber(attributes, "skipped", &counts->skipped) &&
         ParseNumber(attributes, "time", &counts->seconds);
}

// Every complete <testsuite> of `xml`; none when one is incomplete or lacks its counts.
std::vector<Suite> ExtractSuites(std::string_view xml) {
  constexpr std::string_view kOpen = "<testsuite";
  constexpr std::string_view kClose = "</testsuite>";
  std::vector<Suite> suites;
  size_t pos = 0;
  while ((pos = xml.find(kOpen, pos)) != std::string_view::npos) {
    const size_t after = pos + kOpen.size();
    if (after >= xml.size() || (xml[after] != ' ' && xml[after] != '>' && xml[after] != '\n')) {
      pos = after;  // <testsuites>
      continue;
    }
    const size_t tag_end = xml.find('>', after);
    if (tag_end == std::string_view::npos || xml[tag_end - 1] == '/') return {};
    const size_t close = xml.find(kClose, tag_end);
    if (close == std::string_view::npos) return {};
    const auto attributes = ParseAttributes(xml.substr(after, tag_end - after));
    Suite suite;
    const auto name = attributes.find("name");
    if (name == attributes.end() || !ParseCounts(attributes, &suite.counts)) return {};
    suite.name = name->second;
    suite.body = std::string(xml.substr(tag_end + 1, close - tag_end - 1));
    // The closing tag's indentation is the writer's; ours goes on after any added testcase.
    suite.body.erase(suite.body.find_last_not_of(" \t\r\n") + 1);
    suite.body += "\n";
    suites.push_back(std::move(suite));
    pos = close + kClose.size();
  }
  return suites;
}

std::string ShardProperties(const ShardJunit& shard) {
  return fmt::format(
      "\n      <property name=\"sweep.shard\" value=\"{}\"/>"
      "\n      <property name=\"sweep.seed\" value=\"{}\"/>",
      shard.index, shard.seed);
}

// `body` with the shard's properties added to its <properties> (or a new one before the cases).
std::string WithShardProperties(const std::string& body, const ShardJunit& shard) {
  constexpr std::string_view kProperties = "<properties>";
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && body.compare(first, kProperties.size(), kProperties) == 0) {
    std::string out = body;
    out.insert(first + kProperties.size(), ShardProperties(shard));
    return out;
  }
  return "\n    <properties>" + ShardProperties(shard) + "\n    </properties>" + body;
}

std::string ErrorTestcase(const std::string& message) {
  return fmt::format(
      "    <testcase classname=\"vstress.sweep\" name=\"shard completes\" time=\"0\">\n"
      "      <error message=\"{}\" type=\"error\"/>\n    </testcase>\n",
      EscapeXmlText(message));
}

std::string SuiteXml(const std::string& name, const SuiteCounts& counts, const std::string& body) {
  return fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"{:.3f}\">{}  </testsuite>\n",
      name, counts.tests, counts.failures, counts.errors, counts.skipped, counts.seconds, body);
}

// The shard's suites, renamed and counted into `total`.
std::string ShardSuites(const ShardJunit& shard, SuiteCounts* total) {
  std::vector<Suite> suites;
  if (shard.xml) suites = ExtractSuites(*shard.xml);
  const std::string prefix = fmt::format("shard {} seed {}", shard.index, shard.seed);
  std::string why = shard.error;
  if (suites.empty()) {
    const std::string missing =
        shard.xml ? "its junit.xml holds no complete testsuite" : shard.missing_reason;
    why = why.empty() ? missing : why + "; " + missing;
    const SuiteCounts counts = OneError();
    total->Add(counts);
    return SuiteXml(prefix, counts,
                    "\n    <properties>" + ShardProperties(shard) + "\n    </properties>\n" +
                        ErrorTestcase(why));
  }
  std::string xml;
  for (size_t i = 0; i < suites.size(); i++) {
    Suite& suite = suites[i];
    std::string body = WithShardProperties(suite.body, shard);
    if (i + 1 == suites.size() && !why.empty()) {
      body += ErrorTestcase(why);
      suite.counts.tests++;
      suite.counts.errors++;
    }
    total->Add(suite.counts);
    xml += SuiteXml(prefix + ": " + suite.name, suite.counts, body);
  }
  return xml;
}

}  // namespace

std::string EscapeXmlText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no other control characters, even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string MergeJunit(const std::vector<ShardJunit>& shards) {
  SuiteCounts total;
  std::string suites;
  for (const ShardJunit& shard : shards) suites += ShardSuites(shard, &total);
  if (shards.empty()) {
    // The schema wants at least one suite: an empty plan is still a report.
    const SuiteCounts counts = OneError();
    total.Add(counts);
    suites = SuiteXml("sweep", counts, "\n" + ErrorTestcase("the sweep's plan lists no shard"));
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"vstress sweep\" "
      "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n{}"
      "</testsuites>\n",
      total.tests, total.failures, total.errors, total.skipped, total.seconds, suites);
}

}  // namespace reports
