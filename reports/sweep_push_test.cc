#include "reports/sweep_push.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace reports {
namespace {

// Proves: plain label values go into the path as they are; values a path cannot hold (a slash, a
// space, nothing at all) are base64url-encoded the way the pushgateway's API decodes them.
TEST(PushGroupPathTest, EncodesValuesThePathCannotHold) {
  EXPECT_EQ(PushGroupPath("vstress_sweep", {{"sweep", "nightly-2026.12.03"}, {"shard", "3"}}),
            "/metrics/job/vstress_sweep/sweep/nightly-2026.12.03/shard/3");
  // base64url("a/b") = "YS9i", base64url("x y") = "eCB5", "" = "=".
  EXPECT_EQ(PushGroupPath("j", {{"sweep", "a/b"}, {"shard", ""}}),
            "/metrics/job/j/sweep@base64/YS9i/shard@base64/=");
  EXPECT_EQ(PushGroupPath("j", {{"sweep", "x y"}}), "/metrics/job/j/sweep@base64/eCB5");
  // Padding and the URL-safe alphabet: 0xfb 0xff -> "-_8=".
  EXPECT_EQ(PushGroupPath("j", {{"s", "\xfb\xff"}}), "/metrics/job/j/s@base64/-_8=");
}

// Proves: the record of pushed groups round-trips, and a file that is not one is refused by name.
TEST(PushedGroupsTest, RoundTripsAndRefusesForeignFiles) {
  PushedGroups pushed;
  pushed.gateway = "http://127.0.0.1:9091";
  pushed.groups = {"/metrics/job/vstress_sweep/sweep/s/shard/0"};
  PushedGroups back;
  ASSERT_TRUE(ParsePushedGroups("p.json", PushedGroupsJson(pushed), &back).ok());
  EXPECT_EQ(back.gateway, pushed.gateway);
  EXPECT_EQ(back.groups, pushed.groups);
  for (const char* text :
       {"[]", "{\"gateway\": \"x\"}", "{\"gateway\": \"x\", \"groups\": [\"/etc/passwd\"]}"}) {
    const engine::Status s = ParsePushedGroups("dir/pushed-groups.json", text, &back);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_NE(s.message().find("dir/pushed-groups.json"), std::string::npos);
  }
}

// A loopback port nothing listens on: bound, then closed.
int DeadPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Proves: a dead gateway costs one failed request, not one per group: the earlier groups stay
// recorded to be deleted next time, the rest of the shards are skipped with a message, and
// nothing waits for a timeout.
TEST(PushSweepTest, ADeadGatewayIsReportedOnceAndRemembered) {
  const std::string gateway = "http://127.0.0.1:" + std::to_string(DeadPort());
  PushedGroups previous;
  previous.gateway = gateway;
  previous.groups = {"/metrics/job/vstress_sweep/sweep/s/shard/0",
                     "/metrics/job/vstress_sweep/sweep/s/shard/1"};
  const auto start = std::chrono::steady_clock::now();
  const SweepPushResult result =
      PushSweep(gateway, "s", previous, {{"0", "a 1\n"}, {"1", "a 2\n"}, {"2", "a 3\n"}});
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::seconds(kPushConnectTimeoutMs / 1000));
  EXPECT_EQ(result.deleted, 0u);
  EXPECT_EQ(result.pushed, 0u);
  EXPECT_EQ(result.record.groups, previous.groups);
  ASSERT_EQ(result.errors.size(), 3u);  // one DELETE, one PUT, one "skipped"
  EXPECT_NE(result.errors[2].find("2 more shards not pushed"), std::string::npos);
}

}  // namespace
}  // namespace reports
