#include "reports/net_address.h"

#include <gtest/gtest.h>

namespace reports {
namespace {

std::string ErrorOf(std::string_view text, HostPortRules rules = {}) {
  auto parsed = ParseHostPort(text, rules);
  return parsed.ok() ? "" : parsed.status().message();
}

// Proves: numeric IPv4 and IPv6 hosts, names that resolve, and the empty host and port 0 where
// allowed, come back with the numeric address to bind or connect to.
TEST(ParseHostPortTest, AcceptsWellFormedAddresses) {
  auto v4 = ParseHostPort("127.0.0.1:9464", {});
  ASSERT_TRUE(v4.ok()) << v4.status().ToString();
  EXPECT_EQ(v4.value().address, "127.0.0.1");
  EXPECT_EQ(v4.value().port, 9464);
  auto v6 = ParseHostPort("[::1]:80", {});
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6.value().address, "[::1]");
  auto name = ParseHostPort("localhost:65535", {});
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(name.value().host, "localhost");
  EXPECT_FALSE(name.value().address.empty());
  auto any = ParseHostPort(":0", {.allow_empty_host = true, .allow_port_zero = true});
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ(any.value().address, "");
  EXPECT_EQ(any.value().port, 0);
}

// Proves: an octet above 255 (which used to wrap: 999 listened on 231), a wrong octet count, bad
// ports, unresolvable and malformed names are refused, each with a message saying why.
TEST(ParseHostPortTest, RefusesWhatWouldWrapOrGuess) {
  EXPECT_NE(ErrorOf("999.1.1.1:9999").find("octet 999 is above 255"), std::string::npos);
  EXPECT_NE(ErrorOf("256.0.0.1:80").find("above 255"), std::string::npos);
  EXPECT_NE(ErrorOf("1.1.1:80").find("3 octets"), std::string::npos);
  EXPECT_NE(ErrorOf("1.1.1.1.1:80").find("5 octets"), std::string::npos);
  EXPECT_NE(ErrorOf("1..1.1:80").find("not a number"), std::string::npos);
  EXPECT_NE(ErrorOf("1.1.1.1000:80").find("not a number"), std::string::npos);
  EXPECT_NE(ErrorOf("127.0.0.1:70000").find("port '70000'"), std::string::npos);
  EXPECT_NE(ErrorOf("127.0.0.1:0").find("[1, 65535]"), std::string::npos);
  EXPECT_NE(ErrorOf("127.0.0.1:-1").find("port '-1'"), std::string::npos);
  EXPECT_NE(ErrorOf("127.0.0.1:80x").find("port '80x'"), std::string::npos);
  EXPECT_NE(ErrorOf("127.0.0.1:").find("port ''"), std::string::npos);
  EXPECT_NE(ErrorOf("127.0.0.1").find("not HOST:PORT"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("not HOST:PORT"), std::string::npos);
  EXPECT_NE(ErrorOf(":9464").find("no host"), std::string::npos);
  EXPECT_NE(ErrorOf("[::1:80").find("not an IPv6"), std::string::npos);
  EXPECT_NE(ErrorOf("[zz]:80").find("not an IPv6"), std::string::npos);
  EXPECT_NE(ErrorOf("no such host:80").find("neither an IP address nor a host name"),
            std::string::npos);
  EXPECT_NE(ErrorOf("nosuchhost.invalid:80").find("does not resolve"), std::string::npos);
}

// Proves: push-gateway URLs need a scheme, a valid host and port, and no path.
TEST(ParseHttpUrlTest, SplitsSchemeHostAndPort) {
  auto url = ParseHttpUrl("http://127.0.0.1:9091");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url.value().scheme, "http");
  EXPECT_EQ(url.value().host_port.host, "127.0.0.1");
  EXPECT_EQ(url.value().host_port.port, 9091);
  auto https = ParseHttpUrl("https://localhost:443/");
  ASSERT_TRUE(https.ok()) << https.status().ToString();
  EXPECT_EQ(https.value().scheme, "https");
  for (const char* bad : {"127.0.0.1:9091", "http://127.0.0.1", "http://127.0.0.1:0",
                          "http://127.0.0.1:99999", "http://127.0.0.1:9091/metrics/job/x",
                          "http://999.1.1.1:9091", "ftp://127.0.0.1:21", "http://:9091"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace reports
