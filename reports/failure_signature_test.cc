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
  const Violation full_scan =
      ReadViolation("scan", "full scan // seq=10", "seq=2 put v1 (1 bytes)\nseq=5 delete\n", 10);
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

// gdb's "thread apply all bt" of a stuck run, trimmed: an idle background thread, a writer waiting
// for the background, the thread a hang fault holds, and the watchdog taking the stacks.
constexpr const char* kStuckStacks = R"(Thread 4 (Thread 0x7f (LWP 13) "vstress"):
#0  futex_wait (private=0, expected=2) at ../sysdeps/nptl/futex-internal.h:146
#1  0x0000 in harness::drivers::Watchdog::HandleStall (this=0x1, seconds=4) at harness/watchdog.cc:170
#2  0x0000 in harness::drivers::Watchdog::Main (this=0x1) at harness/watchdog.cc:150
Thread 3 (Thread 0x7f (LWP 12) "vstress"):
#0  0x0000 in __futex_abstimed_wait_common64 () at futex-internal.c:57
#1  0x0000 in engine::DBImpl::MakeRoomForWriteLocked (this=0x2, lock=0x3) at engine/src/db_impl.cc:300
#2  0x0000 in engine::DBImpl::Write (this=0x2) at engine/src/db_impl.cc:240
#3  0x0000 in harness::(anonymous namespace)::WriterClient::Execute (this=0x4) at harness/writer_client.cc:72
Thread 2 (Thread 0x7f (LWP 11) "vstress"):
#0  0x0000 in clock_nanosleep () at clock_nanosleep.c:48
#1  0x0000 in faults::(anonymous namespace)::Misbehave (rule=...) at faults/fault_controller.cc:43
#2  faults::FaultController::OnHit (this=0x5, point=...) at faults/fault_controller.cc:153
#3  0x0000 in faults::FaultController::FiuCallback (name=0x6) at faults/fault_controller.cc:96
#4  0x0000 in engine::DBImpl::RunCompaction (this=0x2) at engine/src/db_impl_background.cc:320
Thread 1 (Thread 0x7f (LWP 10) "vstress"):
#0  0x0000 in __futex_abstimed_wait_common64 () at futex-internal.c:57
#1  0x0000 in engine::DBImpl::BackgroundThreadMain (this=0x7) at engine/src/db_impl_background.cc:60
)";

// Proves: the stuck thread's frames are the ones with the fault on the stack — not the watchdog
// taking the stacks, nor the writer merely waiting behind it — innermost first, names only.
TEST(TopFramesOfStacksTest, PicksTheThreadTheFaultHolds) {
  EXPECT_EQ(TopFramesOfStacks(kStuckStacks),
            "faults::(anonymous namespace)::Misbehave < faults::FaultController::OnHit < "
            "faults::FaultController::FiuCallback");
  EXPECT_EQ(TopFramesOfStacks(kStuckStacks, 1), "faults::(anonymous namespace)::Misbehave");
}

// Proves: without a fault on any stack, the first thread that is not idle is the one (a deadlock
// inside the engine), and the idle ones (the watchdog, an idle background thread) never are.
TEST(TopFramesOfStacksTest, WithoutAFaultTheFirstBusyThread) {
  std::string stacks = kStuckStacks;
  const size_t thread2 = stacks.find("Thread 2 (");
  const size_t thread1 = stacks.find("Thread 1 (");
  stacks.erase(thread2, thread1 - thread2);
  EXPECT_EQ(TopFramesOfStacks(stacks, 2),
            "engine::DBImpl::MakeRoomForWriteLocked < engine::DBImpl::Write");
  const size_t thread3 = stacks.find("Thread 3 (");
  stacks.erase(thread3, stacks.find("Thread 1 (") - thread3);
  EXPECT_EQ(TopFramesOfStacks(stacks), "");  // only idle threads left
  EXPECT_EQ(TopFramesOfStacks("thread 12 (vstress): state S, wchan futex_wait_queue\n"), "");
}

// Proves: a crash handler's own frames (above "<signal handler called>") are skipped, so a dying
// thread is named by the code that died, not by the handler taking its stacks.
TEST(TopFramesOfStacksTest, SkipsTheCrashHandlersFrames) {
  const std::string stacks = R"(Thread 3 (Thread 0x7f (LWP 12) "vstress"):
#0  0x0000 in __GI___nanosleep () at nanosleep.c:25
#1  0x0000 in harness::(anonymous namespace)::AppendGdbStacks (fd=9) at harness/process_signals.cc:102
#2  harness::(anonymous namespace)::OnFatalSignal (signal=6) at harness/process_signals.cc:121
#3  <signal handler called>
#4  0x0000 in __GI_abort () at ./stdlib/abort.c:79
#5  0x0000 in engine::detail::CheckFailed (condition=0x1) at engine/src/check.h:17
#6  0x0000 in engine::VersionSet::~VersionSet (this=0x2) at engine/src/version_set.cc:53
)";
  EXPECT_EQ(TopFramesOfStacks(stacks, 2),
            "engine::detail::CheckFailed < engine::VersionSet::~VersionSet");
}

// Proves: a hung or dead shard signs with where it was, so seeds stuck at one site share a row;
// without frames the reason stands in, as for any failure without a violation.
TEST(SignatureOfPostmortemTest, NamesTheSite) {
  const FailureSignature hung =
      SignatureOfPostmortem("liveness", "engine::DBImpl::Write", "", "no progress for 60s");
  EXPECT_EQ(hung.Text(), "liveness: stuck in engine::DBImpl::Write");
  const FailureSignature dead =
      SignatureOfPostmortem("crash", "engine::detail::CheckFailed", "SIGABRT", "died");
  EXPECT_EQ(dead.Text(), "crash: SIGABRT in engine::detail::CheckFailed");
  EXPECT_EQ(SignatureOfPostmortem("liveness", "", "", "no progress for 60s").Text(),
            SignatureOfFailure("liveness", "no progress for 60s").Text());
}

}  // namespace
}  // namespace reports
