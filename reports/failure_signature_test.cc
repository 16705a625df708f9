#include "reports/failure_signature.h"

#include <gtest/gtest.h>

#include <string>

namespace reports {
namespace {

Violation ReadViolation(const std::string& kind, const std::string& op, const std::string& history,
                        uint64_t read_sequence) {
  Violation v;
  v.kind = kind;
  v.op = op;
  v.key = "k00000155";
  v.key_history = history;
  v.read_sequence = read_sequence;
  v.expected = "not-found";
  v.observed = "v0.1796 (123 bytes)";
  v.message = "found a value where the key must be absent";
  return v;
}

// Proves: paths, numbers, file names, decimals, lists and hex words all become '#', so two runs in
// different directories with different file numbers give one text; the words stay.
TEST(NormaliseSiteTextTest, MasksPathsNumbersAndFileNames) {
  EXPECT_EQ(NormaliseSiteText("read failed: IOError: /tmp/run-1/db/000005.sst: No such file"),
            "read failed: IOError: #: No such file");
  EXPECT_EQ(NormaliseSiteText("000021.sst is listed at L0 by live Version 14 (refs 1)"),
            "# is listed at L# by live Version # (refs #)");
  EXPECT_EQ(NormaliseSiteText("Versions 4, 5, 6 hold MANIFEST-000007 and 12.5 s"),
            "Versions # hold MANIFEST-# and # s");
  EXPECT_EQ(NormaliseSiteText("trace 7b379bbfa921adf0 differs"), "trace # differs");
  // A run directory with spaces (and commas) in its name is still one path.
  EXPECT_EQ(NormaliseSiteText("IOError: /ci/runs, nightly/a b c/db/000014.sst: No such file"),
            "IOError: #: No such file");
  EXPECT_EQ(NormaliseSiteText("at /a/b: then /c/d:"), "at #: then #:");
  EXPECT_EQ(NormaliseSiteText("  two\nlines\tand   spaces "), "two lines and spaces");
  // Words that merely contain hex letters are words.
  EXPECT_EQ(NormaliseSiteText("deferred deletion failed"), "deferred deletion failed");
  EXPECT_NE(NormaliseSiteText("stale or future value"), NormaliseSiteText("key missing"));
}

// Proves: however long the message, the shape is bounded and still valid UTF-8 at the cut.
TEST(NormaliseSiteTextTest, CutsLongTextAtACharacterBoundary) {
  std::string text;
  for (int i = 0; i < 100; i++) text += "Ελληνικά ";
  const std::string shape = NormaliseSiteText(text);
  EXPECT_LE(shape.size(), kSignatureShapeBytesMax);
  EXPECT_GT(shape.size(), kSignatureShapeBytesMax - 4);
  EXPECT_NE(static_cast<unsigned char>(shape.back()) & 0xC0, 0xC0) << "a cut lead byte";
}

// Proves: the same bug met by a point read, a scan and a snapshot read, with different keys,
// histories of different lengths and later writes, is one signature; a read whose newest visible
// write is a put is another.
TEST(FailureSignatureTest, OneBugThroughDifferentReadersIsOneSignature) {
  const Violation point =
      ReadViolation("point_read", "get k00000155 // v0.1796 seq=6502",
                    "seq=4174 put v0.1796 (123 bytes)\nseq=4537 delete\n", 6502);
  const Violation scan =
      ReadViolation("scan", "scan k00000220 fwd // ok seq=3579",
                    "seq=869 put v1.563 (82 bytes)\nseq=900 put v1.600 (2 bytes)\nseq=1653 delete\n"
                    "seq=9000 put v1.999 (9 bytes)\n",
                    3579);
  const Violation snapshot = ReadViolation("snapshot_read", "snapshot-get k7 // v1 seq=10",
                                           "seq=2 put v1 (1 bytes)\nseq=5 delete\n", 10);
  const FailureSignature a = SignatureOfViolation(point);
  EXPECT_EQ(a.kind, "read");
  EXPECT_EQ(a.op, "read");
  EXPECT_EQ(a.shape, "newest write at the read: delete");
  EXPECT_EQ(a.Text(), "read: newest write at the read: delete");
  EXPECT_EQ(SignatureOfViolation(scan).Text(), a.Text());
  EXPECT_EQ(SignatureOfViolation(snapshot).Text(), a.Text());
  // The quiescence point's full scan is a read too.
  const Violation full_scan = ReadViolation("scan", "full scan // seq=10",
                                            "seq=2 put v1 (1 bytes)\nseq=5 delete\n", 10);
  EXPECT_EQ(SignatureOfViolation(full_scan).Text(), a.Text());

  const Violation stale =
      ReadViolation("point_read", "get k1 // v1.130 seq=2975",
                    "seq=708 put v0.564 (69 bytes)\nseq=2367 put v1.922\n", 2975);
  EXPECT_EQ(SignatureOfViolation(stale).shape, "newest write at the read: put");
  const Violation never = ReadViolation("point_read", "get k1 // v1 seq=5", "seq=9 put v1\n", 5);
  EXPECT_EQ(SignatureOfViolation(never).shape, "newest write at the read: none");
}

// Proves: an unexpected error is signed by the engine's error, not by which client saw it or
// where the run lived; an invariant by its message with the numbers masked.
TEST(FailureSignatureTest, ErrorsAndInvariantsAreSignedByTheirSite) {
  Violation get;
  get.kind = "unexpected_error";
  get.op = "get k00000065 // IOError seq=2064";
  get.key = "k00000065";
  get.key_history = "seq=335 delete\n";
  get.observed = "IOError: /tmp/a/db/000005.sst: No such file or directory";
  get.message = "read failed: " + get.observed;
  Violation scan = get;
  scan.op = "scan k00000214 rev // ok seq=2777";
  scan.key.clear();
  scan.observed = "IOError: /tmp/other run/db/000014.sst: No such file or directory";
  scan.message = "iterator failed without an injected fault: " + scan.observed;
  EXPECT_EQ(SignatureOfViolation(get).Text(),
            "unexpected_error read: IOError: #: No such file or directory");
  EXPECT_EQ(SignatureOfViolation(scan).Text(), SignatureOfViolation(get).Text());

  Violation invariant;
  invariant.kind = "invariant";
  invariant.message = "000021.sst is listed at L0 by live Version 14 (refs 1) but missing";
  Violation other = invariant;
  other.message = "000056.sst is listed at L0 by live Version 27 (refs 2) but missing";
  EXPECT_EQ(SignatureOfViolation(invariant).Text(), SignatureOfViolation(other).Text());
  EXPECT_EQ(SignatureOfViolation(invariant).op, "");
  EXPECT_NE(SignatureOfViolation(invariant).Text(), SignatureOfViolation(get).Text());
}

// Proves: a shard that failed without a violation is signed by its result and reason, numbers
// masked, but the signal that killed it kept: a SIGSEGV is not a SIGKILL.
TEST(FailureSignatureTest, FailuresWithoutViolationsKeepTheirSignal) {
  const FailureSignature live = SignatureOfFailure(
      "liveness", "the monitor has been blocked in a DB call for over 10s (a deadlock?)");
  EXPECT_EQ(live.Text(),
            "liveness: the monitor has been blocked in a DB call for over #s (a "
            "deadlock?)");
  EXPECT_EQ(SignatureOfFailure("liveness", "blocked for over 30s").Text(),
            SignatureOfFailure("liveness", "blocked for over 10s").Text());
  const FailureSignature segv =
      SignatureOfFailure("error", "no shards/3/summary.json", "signal 11");
  const FailureSignature kill = SignatureOfFailure("error", "no shards/5/summary.json", "signal 9");
  EXPECT_EQ(segv.shape, "no # (signal 11)");
  EXPECT_NE(segv.Text(), kill.Text());
  EXPECT_EQ(SignatureOfFailure("", "").Text(), "error: no reason given");
}

}  // namespace
}  // namespace reports
