#include "reports/enumerate_matrix.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace reports {
namespace {

MatrixCell Cell(std::string point, uint64_t hit, std::string mode, CellOutcome outcome) {
  MatrixCell c;
  c.point = std::move(point);
  c.hit = hit;
  c.mode = std::move(mode);
  c.rule = c.point + ":error:nth=" + std::to_string(hit);
  c.outcome = outcome;
  if (outcome != CellOutcome::kOk) c.run_dir = "cells/" + std::to_string(hit);
  return c;
}

FaultMatrix SampleMatrix() {
  FaultMatrix m;
  m.seed = 1;
  m.preset = "enumerate";
  m.max_hits = 3;
  m.modes = {"once", "crash"};
  m.point_hits = {{"fs/wal/sync", 9}, {"fs/current/sync", 0}};
  m.cells = {Cell("fs/wal/sync", 1, "once", CellOutcome::kOk),
             Cell("fs/wal/sync", 2, "once", CellOutcome::kErrorSurfaced),
             Cell("fs/wal/sync", 3, "once", CellOutcome::kViolation),
             Cell("fs/wal/sync", 1, "crash", CellOutcome::kNotReached)};
  m.cells[2].detail = "[recovery] <lost> & gone";
  MatrixCell r = Cell("fs/wal/sync", 1, "crash", CellOutcome::kErrorSurfaced);
  r.recovery_hit = 2;
  r.recovery_action = "crash";
  m.cells.push_back(r);
  return m;
}

// Proves: one character per hit in hit order, a row for a point never reached, the counts, and
// the violation with its rerun command.
TEST(EnumerateMatrixTest, TextGridHasOneMarkPerHit) {
  const std::string text = MatrixText(SampleMatrix());
  EXPECT_NE(text.find("fs/wal/sync      .eX\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fs/wal/sync      -\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fs/current/sync     (never reached by the workload)"), std::string::npos)
      << text;
  // Recovery call 2 of the crash at hit 1: column 2 (call 1 was not run).
  EXPECT_NE(text.find("fs/wal/sync #1    e\n"), std::string::npos) << text;
  EXPECT_NE(text.find("5 cells: 1 ok, 2 error surfaced, 1 violation, 1 not reached"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("violation: fs/wal/sync hit 3 once: [recovery] <lost> & gone"),
            std::string::npos);
}

// Proves: a testcase per cell that is not ok plus the matrix; a violation fails, not reached is
// skipped, and the counts agree; text is escaped.
TEST(EnumerateMatrixTest, JunitHasATestcasePerCellThatIsNotOk) {
  const std::string xml = MatrixJunit(SampleMatrix());
  EXPECT_NE(xml.find("tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"1\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"fs/wal/sync hit 2 once\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"fs/wal/sync hit 1 crash + recovery call 2 crash\""),
            std::string::npos);
  EXPECT_EQ(xml.find("name=\"fs/wal/sync hit 1 once\""), std::string::npos);
  EXPECT_NE(xml.find("&lt;lost&gt; &amp; gone"), std::string::npos);
  EXPECT_EQ(xml.find("<lost>"), std::string::npos);
}

// Proves: summary.json says violation, with every cell and the counts; a matrix without a
// violation passes.
TEST(EnumerateMatrixTest, JsonHoldsEveryCell) {
  FaultMatrix m = SampleMatrix();
  const auto doc = nlohmann::json::parse(MatrixJson(m, "vstress enumerate --point fs/wal/sync"));
  EXPECT_EQ("violation", doc["result"]);
  EXPECT_EQ(5u, doc["cells"].size());
  EXPECT_EQ(1u, doc["counts"]["violation"]);
  EXPECT_EQ(2u, doc["cells"][4]["recovery_hit"]);
  EXPECT_TRUE(m.AnyViolation());
  m.cells[2].outcome = CellOutcome::kOk;
  EXPECT_FALSE(m.AnyViolation());
  EXPECT_EQ("pass", nlohmann::json::parse(MatrixJson(m, "x"))["result"]);
  const std::string html = MatrixHtml(m, "x");
  EXPECT_NE(html.find("class=\"matrix\" data-mode=\"once\""), std::string::npos);
  EXPECT_NE(html.find("<td class=\"m-cell m-error\""), std::string::npos);
}

}  // namespace
}  // namespace reports
