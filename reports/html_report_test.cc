#include "reports/html_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "reports/crash_table.h"

namespace reports {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSummary = R"({
  "result": "violation", "exit_code": 1, "seed": 42, "preset": "smoke",
  "mutant": "iterator-no-pin", "duration_s": 2.5,
  "ops": {"put": 10, "get": 20}, "checks": {"reads_checked": 20},
  "violations": 1, "engine": {"max_live_versions": 3},
  "faults": {"injected_total": 3, "by_point": {"engine/file/delete": 3},
             "by_point_action": {"engine/file/delete": {"error": 2, "delay": 1}}},
  "repro": "vstress run --config run/config.toml --out run/repro", "peak_rss_bytes": 1048576
})";

constexpr const char* kViolations = R"({
  "violations_total": 1,
  "violations": [{
    "kind": "point_read", "message": "<script>alert(\"x&y\")</script>",
    "op": "get k1 // v<7>", "key": "k1", "expected": "v'1'", "observed": "v\"2\"",
    "read_sequence": 17, "lower_bound": 15, "upper_bound": 19,
    "key_history": "seq=3 put <b>v1</b>\nseq=9 delete", "thread": "reader-1",
    "thread_recent_ops": ["put k1 v&1", "get k1 <img src=x>"], "seconds": 1.25
  }]
})";

// A run directory in a fresh temporary folder, holding whichever files a test writes.
class RunDirectory {
 public:
  RunDirectory() {
    const auto* test = testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        fs::path(testing::TempDir()) / (std::string("html_report_test-") + test->test_suite_name() +
                                        "-" + test->name() + "-" + std::to_string(getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~RunDirectory() { fs::remove_all(path_); }

  void Write(const std::string& name, const std::string& contents) const {
    std::ofstream(path_ / name, std::ios::binary) << contents;
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// A full run directory: summary, violations, faults and a three-row timeseries.
void WriteFullRun(const RunDirectory& dir) {
  dir.Write("summary.json", kSummary);
  dir.Write("violations.json", kViolations);
  dir.Write("faults.log",
            "0.5 op=10 point=engine/file/delete hit=1 action=error\n"
            "1.0 op=20 point=engine/file/delete hit=2 action=delay\n"
            "1.0001 op=21 point=engine/file/delete hit=3 action=error\n");
  dir.Write("timeseries.csv",
            "seconds,ops_per_second,put_per_second,get_per_second,live_versions,"
            "deferred_deletions,deferred_deletion_bytes,put_p50_us,put_p99_us\n"
            "0.25,100,40,60,1,0,0,2.5,10\n"
            "0.50,200,80,120,3,2,4096,3,12\n"
            "0.75,150,50,100,2,1,1024,0,0\n");
  dir.Write("config.toml", "name = \"smoke\"\nseed = 42 # <not html>\n");
}

std::string Render(const RunDirectory& dir) {
  RunReport report;
  const engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return RenderHtmlReport(report);
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    count++;
  }
  return count;
}

// The tag (from '<' to '>') around position `at` of `html`.
std::string_view TagAround(const std::string& html, size_t at) {
  const size_t begin = html.rfind('<', at);
  const size_t end = html.find('>', at);
  return std::string_view(html).substr(begin, end - begin + 1);
}

// The number in `attribute="N"` within `tag` (nullopt: none).
std::optional<size_t> NumberAttribute(std::string_view tag, std::string_view attribute) {
  const std::string key = std::string(attribute) + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  return std::stoul(std::string(tag.substr(at + key.size())));
}

// Every data-points="N" of every series, in page order. (Plain searches, not std::regex: its
// recursive matcher overflows the stack on polylines thousands of points long under ASan.)
std::vector<size_t> SeriesPointCounts(const std::string& html) {
  std::vector<size_t> counts;
  for (size_t at = html.find("class=\"series\""); at != std::string::npos;
       at = html.find("class=\"series\"", at + 1)) {
    if (auto n = NumberAttribute(TagAround(html, at), "data-points")) counts.push_back(*n);
  }
  return counts;
}

// Text from a violation reaches the page escaped, so it cannot inject markup or script.
TEST(HtmlReportTest, EscapesEveryStringFromViolations) {
  RunDirectory dir;
  WriteFullRun(dir);
  const std::string html = Render(dir);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("seq=3 put &lt;b&gt;v1&lt;/b&gt;\nseq=9 delete"), std::string::npos);
  EXPECT_NE(html.find("get k1 &lt;img src=x&gt;"), std::string::npos);
  EXPECT_NE(html.find("v&#39;1&#39;"), std::string::npos);
  EXPECT_NE(html.find("[15, 19]"), std::string::npos);
  EXPECT_NE(html.find("seed = 42 # &lt;not html&gt;"), std::string::npos);
}

// The header shows the result with the failing colour class, the seed, mutant and repro command.
TEST(HtmlReportTest, HeaderShowsResultSeedMutantAndRepro) {
  RunDirectory dir;
  WriteFullRun(dir);
  const std::string html = Render(dir);
  EXPECT_NE(html.find("class=\"run-header result-fail\""), std::string::npos);
  EXPECT_NE(html.find("<dd>42</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dd>iterator-no-pin</dd>"), std::string::npos);
  EXPECT_NE(html.find("<pre class=\"repro\" id=\"repro\">vstress run --config run/config.toml"),
            std::string::npos);
  EXPECT_NE(html.find("<td>engine/file/delete</td><td>error</td><td class=\"num\">2</td>"),
            std::string::npos);
}

// Columns are found by header name in any order; unknown columns are ignored and a missing one
// only leaves its series out.
TEST(HtmlReportTest, ParsesSeriesByHeaderNameAndToleratesMissingColumns) {
  RunDirectory dir;
  dir.Write("summary.json", R"({"result": "pass", "duration_s": 1})");
  dir.Write("timeseries.csv",
            "live_versions,future_metric,seconds\n"
            "4,9,0.25\r\n"
            "5,9,0.5\n");
  RunReport report;
  ASSERT_TRUE(LoadRunDirectory(dir.path(), &report).ok());
  ASSERT_NE(report.timeseries.Column("live_versions"), nullptr);
  EXPECT_EQ(*report.timeseries.Column("live_versions"), (std::vector<double>{4, 5}));
  EXPECT_EQ(*report.timeseries.Column("seconds"), (std::vector<double>{0.25, 0.5}));
  EXPECT_EQ(report.timeseries.Column("deferred_deletions"), nullptr);

  const std::string html = RenderHtmlReport(report);
  EXPECT_NE(html.find("class=\"run-header result-pass\""), std::string::npos);
  EXPECT_EQ(CountOf(html, "<svg class=\"chart\""), 1u);
  EXPECT_NE(html.find("data-series=\"live_versions\""), std::string::npos);
  EXPECT_EQ(html.find("data-column=\"deferred_deletions\""), std::string::npos);
  EXPECT_EQ(SeriesPointCounts(html), (std::vector<size_t>{2}));
  EXPECT_NE(html.find("No data for this chart"), std::string::npos);
}

// Every series of the full fixture is drawn, and the latency chart leaves out the zero samples
// that mean "no op in the interval" (a log axis has no place for them).
TEST(HtmlReportTest, DrawsEveryChartWithASeries) {
  RunDirectory dir;
  WriteFullRun(dir);
  const std::string html = Render(dir);
  EXPECT_EQ(CountOf(html, "<svg class=\"chart\""), 5u);  // no age or RSS column
  EXPECT_NE(html.find("data-series=\"ops_per_second,put_per_second,get_per_second\""),
            std::string::npos);
  EXPECT_NE(html.find("data-column=\"put_p99_us\" data-points=\"2\""), std::string::npos);
  EXPECT_NE(html.find("data-column=\"live_versions\" data-points=\"3\""), std::string::npos);
}

// A 24-hour-sized series is cut to the bound, and a one-sample spike survives the cut.
TEST(HtmlReportTest, DownsamplesLongSeriesKeepingSpikes) {
  RunDirectory dir;
  dir.Write("summary.json", R"({"result": "pass", "duration_s": 86400})");
  std::string csv = "seconds,live_versions,ops_per_second\n";
  const size_t rows = 345600;
  for (size_t i = 0; i < rows; i++) {
    csv += std::to_string(0.25 * static_cast<double>(i + 1)) + "," +
           (i == 123457 ? "999" : std::to_string(1 + i % 3)) + ",1000\n";
  }
  dir.Write("timeseries.csv", csv);
  const std::string html = Render(dir);
  const std::vector<size_t> counts = SeriesPointCounts(html);
  ASSERT_EQ(counts.size(), 2u);
  for (size_t count : counts) {
    EXPECT_LE(count, kReportSeriesPointsMax);
    EXPECT_GE(count, kReportSeriesPointsMax / 2);
  }
  EXPECT_NE(html.find(">999</text>"), std::string::npos);  // the y axis reaches the spike
  EXPECT_NE(html.find(">24 h</text>"), std::string::npos);
  EXPECT_LT(html.size(), 300u * 1024);
}

// Quiescence points from summary.json become their own lines on every chart and a paragraph that
// says how many ran, how long the longest took and how many found a violation; a run without
// them says so.
TEST(HtmlReportTest, MarksQuiescencePointsOnEveryChart) {
  RunDirectory dir;
  WriteFullRun(dir);
  std::string summary = kSummary;
  summary.insert(summary.rfind('}'),
                 R"(, "quiescence": {"points": 3, "reopens": 3, "longest_s": 0.25,
                    "at_seconds": [0.5, 1.0, 2.5],
                    "with_violations": [{"seconds": 2.5, "when": "end of run", "violations": 1}]})");
  dir.Write("summary.json", summary);
  const std::string html = Render(dir);
  const size_t charts = CountOf(html, "<svg class=\"chart\"");
  ASSERT_GT(charts, 0u);
  EXPECT_EQ(CountOf(html, "class=\"quiescence-markers\" data-markers=\"3\""), charts);
  EXPECT_NE(html.find("<p id=\"quiescence\" data-points=\"3\">3 quiescence points"),
            std::string::npos);
  EXPECT_NE(html.find("The longest took 250 ms; 1 found a violation."), std::string::npos);

  dir.Write("summary.json", kSummary);
  const std::string without = Render(dir);
  EXPECT_EQ(CountOf(without, "class=\"quiescence-markers\""), 0u);
  EXPECT_NE(without.find("No quiescence point ran."), std::string::npos);

  summary = kSummary;
  summary.insert(summary.rfind('}'), R"(, "quiescence": {"at_seconds": "soon"})");
  dir.Write("summary.json", summary);
  RunReport report;
  const engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("quiescence.at_seconds"), std::string::npos) << s.ToString();
}

constexpr const char* kCrash = R"(, "crash": {"mode": "power-loss", "cycles": 3, "list": [
  {"cycle": 1, "seconds": 0.5, "mode": "power-loss", "floor": 10, "recovered": 12,
   "last_sequence": 12, "lost_writes": 0, "dropped_writes": 4, "recovery_ms": 1.25, "ok": true,
   "kept_db": ""},
  {"cycle": 2, "seconds": 1.0, "mode": "torn", "floor": 20, "recovered": 25, "last_sequence": 25,
   "lost_writes": 0, "dropped_writes": 0, "recovery_ms": 2.5, "ok": true, "kept_db": ""},
  {"cycle": 3, "seconds": 2.0, "mode": "power-loss", "floor": 40, "recovered": 31,
   "last_sequence": 31, "lost_writes": 9, "dropped_writes": 1234, "recovery_ms": 12.5,
   "ok": false, "kept_db": "run/crash-cycle-3 <kept>"}]})";

// Proves: crash cycles from summary.json become lines on every chart (recovered and failed apart),
// and a "Crash cycles" section with one recovery-table row per cycle, the failed one marked and
// naming the DB copy (escaped).
TEST(HtmlReportTest, ShowsCrashCyclesOnEveryChartAndInARecoveryTable) {
  RunDirectory dir;
  WriteFullRun(dir);
  std::string summary = kSummary;
  summary.insert(summary.rfind('}'), kCrash);
  dir.Write("summary.json", summary);
  const std::string html = Render(dir);
  const size_t charts = CountOf(html, "<svg class=\"chart\"");
  ASSERT_GT(charts, 0u);
  EXPECT_EQ(CountOf(html, "class=\"crash-markers\" data-markers=\"2\""), charts);
  EXPECT_EQ(CountOf(html, "class=\"crash-failed-markers\" data-markers=\"1\""), charts);
  EXPECT_NE(html.find("<section id=\"crash-cycles\"><h2>Crash cycles</h2>"), std::string::npos);
  EXPECT_NE(html.find("<p id=\"crash-summary\" data-cycles=\"3\" data-failed=\"1\">3 crash cycles "
                      "(power-loss)"),
            std::string::npos);
  EXPECT_EQ(CountOf(html, "<tr class=\"crash-"), 3u);
  EXPECT_NE(html.find("<tr class=\"crash-recovered\" id=\"crash-cycle-2\"><td class=\"num\">2</td>"
                      "<td class=\"num\">1.000 s</td><td>torn</td><td class=\"num\">2.5</td>"
                      "<td class=\"num\">25</td><td class=\"num\">20</td>"),
            std::string::npos);
  const size_t failed = html.find("<tr class=\"crash-failed\" id=\"crash-cycle-3\">");
  ASSERT_NE(failed, std::string::npos);
  const std::string row = html.substr(failed, html.find("</tr>", failed) - failed);
  EXPECT_NE(row.find("<td class=\"num\">12.5</td><td class=\"num\">31</td><td class=\"num\">40</td>"
                     "<td class=\"num\">1,234</td><td class=\"num\">9</td>"),
            std::string::npos)
      << row;
  EXPECT_NE(row.find("<span class=\"missed\">failed</span>"), std::string::npos);
  EXPECT_NE(row.find("run/crash-cycle-3 &lt;kept&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<kept>"), std::string::npos);

  // An older summary.json (or a run without crashes) has no section and no crash lines.
  dir.Write("summary.json", kSummary);
  const std::string without = Render(dir);
  EXPECT_EQ(without.find("crash-cycles"), std::string::npos);
  EXPECT_EQ(without.find("class=\"crash-markers\""), std::string::npos);
  EXPECT_EQ(without.find("class=\"crash-failed-markers\""), std::string::npos);
}

// Proves: the coverage section shows the engine's reactions and each expected pair, a pair that
// never fired marked as failing the run; a malformed expect_reached list names the field.
TEST(HtmlReportTest, ShowsFaultCoverage) {
  RunDirectory dir;
  WriteFullRun(dir);
  std::string summary = kSummary;
  summary.insert(summary.rfind('}'),
                 R"(, "coverage": {"fired": {"engine/file/delete:error": 2},
                  "reactions": {"retried": 7, "reopened": 0},
                  "expect_reached": [{"pair": "engine/file/delete:error", "fires": 2, "reached": true},
                                     {"pair": "engine/manifest/sync:error", "fires": 0, "reached": false}]})");
  dir.Write("summary.json", summary);
  const std::string html = Render(dir);
  EXPECT_NE(html.find("<tr><td>retried</td><td class=\"num\">7</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>engine/file/delete:error</td><td class=\"num\">2</td><td>yes</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr class=\"crash-failed\"><td>engine/manifest/sync:error</td><td "
                      "class=\"num\">0</td><td>no: the run failed (coverage)</td>"),
            std::string::npos);
  dir.Write("summary.json", R"({"result": "pass", "coverage": {"expect_reached": [{"pair": 3}]}})");
  RunReport report;
  const engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("coverage.expect_reached"), std::string::npos) << s.message();
}

// Proves: a day of crash cycles keeps the table bounded but still shows every failed cycle, and a
// malformed crash list is an error naming the field.
TEST(HtmlReportTest, BoundsTheCrashTableAndRejectsAMalformedList) {
  RunDirectory dir;
  std::string list;
  for (int i = 1; i <= 1000; i++) {
    list += fmt::format("{}{{\"cycle\": {}, \"seconds\": {}, \"mode\": \"kill\", \"ok\": {}}}",
                        i == 1 ? "" : ",", i, i, i == 900 ? "false" : "true");
  }
  dir.Write("summary.json", R"({"result": "violation", "duration_s": 1000, "crash": {"mode": )"
                            R"("kill", "cycles": 5000, "list": [)" +
                                list + "]}}");
  const std::string html = Render(dir);
  EXPECT_EQ(CountOf(html, "<tr class=\"crash-"), kReportCrashRowsMax + 1);
  EXPECT_NE(html.find("id=\"crash-cycle-900\""), std::string::npos);
  EXPECT_NE(html.find("data-cycles=\"5000\" data-failed=\"1\""), std::string::npos);
  EXPECT_NE(html.find("summary.json lists the first 1,000 cycles"), std::string::npos);

  dir.Write("summary.json",
            R"({"result": "pass", "crash": {"list": [{"cycle": 1, "ok": "yes"}]}})");
  RunReport report;
  const engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("field 'crash.list[0].ok' must be true or false"), std::string::npos)
      << s.ToString();
}

// Fault fires become ticks on every chart's time axis, one per column however many fired.
TEST(HtmlReportTest, MarksFaultFiresOnEveryChart) {
  RunDirectory dir;
  WriteFullRun(dir);
  std::string html = Render(dir);
  const size_t charts = CountOf(html, "<svg class=\"chart\"");
  EXPECT_EQ(CountOf(html, "class=\"fault-markers\" data-fires=\"3\" data-markers=\"2\""), charts);
  EXPECT_EQ(CountOf(html, "class=\"violation-markers\" data-markers=\"1\""), charts);

  std::string log;
  for (int i = 0; i < 100000; i++) {
    log += std::to_string(2.5 * i / 100000) + " op=1 point=engine/wal/sync hit=1 action=error\n";
  }
  dir.Write("faults.log", log);
  html = Render(dir);
  const size_t fires = html.find("data-fires=\"100000\"");
  ASSERT_NE(fires, std::string::npos);
  const auto markers = NumberAttribute(TagAround(html, fires), "data-markers");
  ASSERT_TRUE(markers.has_value());
  EXPECT_GT(*markers, 100u);
  EXPECT_LE(*markers, 1000u);
}

// The page loads nothing: no script, style sheet, image or frame, and no URL at all.
TEST(HtmlReportTest, FetchesNothing) {
  RunDirectory dir;
  WriteFullRun(dir);
  const std::string html = Render(dir);
  for (const char* forbidden :
       {"http://", "https://", "<script", "<link", "<img", "<iframe", "url(", "@import"}) {
    EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
  }
  // Escaped text may read "src=", a tag may not.
  for (size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    if (at + 1 >= html.size() || html[at + 1] < 'a' || html[at + 1] > 'z') continue;
    const std::string_view tag = TagAround(html, at + 1);
    EXPECT_EQ(tag.find(" src="), std::string_view::npos) << tag.substr(0, 80);
    EXPECT_EQ(tag.find(" href="), std::string_view::npos) << tag.substr(0, 80);
  }
  EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
}

TEST(HtmlReportTest, MalformedCsvNamesFileAndLine) {
  RunDirectory dir;
  dir.Write("summary.json", R"({"result": "pass"})");
  dir.Write("timeseries.csv", "seconds,live_versions\n0.25,1\n0.5,abc\n");
  RunReport report;
  engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("timeseries.csv: line 3: column 'live_versions': 'abc'"),
            std::string::npos)
      << s.ToString();

  dir.Write("timeseries.csv", "seconds,live_versions\n0.25\n");
  s = LoadRunDirectory(dir.path(), &report);
  EXPECT_NE(s.message().find("timeseries.csv: line 2: 1 fields, the header has 2"),
            std::string::npos)
      << s.ToString();
}

TEST(HtmlReportTest, MalformedJsonNamesFileAndLine) {
  RunDirectory dir;
  dir.Write("summary.json", "{\n  \"result\": \"pass\",\n  oops\n}\n");
  RunReport report;
  engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("summary.json: parse error at line 3"), std::string::npos)
      << s.ToString();

  dir.Write("summary.json", R"({"result": "pass", "seed": "seven"})");
  s = LoadRunDirectory(dir.path(), &report);
  EXPECT_NE(s.message().find("summary.json: field 'seed' must be a non-negative integer"),
            std::string::npos)
      << s.ToString();

  dir.Write("summary.json", R"({"result": "pass"})");
  dir.Write("violations.json", R"({"violations": [{"kind": "scan", "thread_recent_ops": [1]}]})");
  s = LoadRunDirectory(dir.path(), &report);
  EXPECT_NE(s.message().find("violations.json: field 'violations[0].thread_recent_ops'"),
            std::string::npos)
      << s.ToString();
}

TEST(HtmlReportTest, MalformedFaultLogNamesFileAndLine) {
  RunDirectory dir;
  dir.Write("summary.json", R"({"result": "pass"})");
  dir.Write("faults.log", "0.5 op=1 point=engine/wal/sync hit=1 action=error\nnot-a-time\n");
  RunReport report;
  const engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_NE(s.message().find("faults.log: line 2: 'not-a-time' is not a time"), std::string::npos)
      << s.ToString();
}

// Only summary.json is required; without it (or the directory) loading fails naming the path.
TEST(HtmlReportTest, MissingSummaryIsNotFoundAndOtherFilesAreOptional) {
  RunDirectory dir;
  RunReport report;
  engine::Status s = LoadRunDirectory(dir.path(), &report);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find("summary.json"), std::string::npos);

  s = LoadRunDirectory(dir.path() + "/absent", &report);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find("absent"), std::string::npos);

  dir.Write("summary.json", R"({"result": "liveness", "error": "no op for 30 s"})");
  const std::string html = Render(dir);
  EXPECT_NE(html.find("has no timeseries.csv"), std::string::npos);
  EXPECT_NE(html.find("class=\"error\">no op for 30 s"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
}

TEST(HtmlReportTest, WriteHtmlReportWritesReportHtml) {
  RunDirectory dir;
  WriteFullRun(dir);
  ASSERT_TRUE(WriteHtmlReport(dir.path()).ok());
  std::ifstream in(dir.path() + "/report.html");
  std::string first_line;
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "<!DOCTYPE html>");
}

}  // namespace
}  // namespace reports
