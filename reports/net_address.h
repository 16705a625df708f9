// Network addresses the command line takes: HOST:PORT for --metrics-listen and http(s)://HOST:PORT
// for --push-gateway, parsed strictly so that a typo is refused instead of wrapping or guessing.
//
// HOST is empty (every interface; listening only), an IPv4 dotted quad (four decimal octets, each
// 0-255), a bracketed IPv6 address ("[::1]"), or a host name, which must resolve (getaddrinfo);
// PORT is decimal 1-65535, or 0 where the caller allows "pick a free port". `address` is the
// numeric form to bind or connect to.
//
// Thread contract: thread-safe (pure functions; getaddrinfo is thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace reports {

struct HostPort {
  std::string host;     // as written ("localhost", "127.0.0.1", "[::1]", "" for every interface)
  std::string address;  // numeric: "127.0.0.1", "[::1]", "" for every interface
  uint16_t port = 0;
};

struct HostPortRules {
  bool allow_empty_host = false;  // ":9464" means every interface
  bool allow_port_zero = false;   // port 0 means a free port, chosen when binding
};

// Errors are InvalidArgument and say what is wrong with `text` ("octet 999 is above 255").
engine::Result<HostPort> ParseHostPort(std::string_view text, HostPortRules rules);

struct HttpUrl {
  std::string scheme;  // "http" or "https"
  HostPort host_port;
};

// "http://HOST:PORT" or "https://HOST:PORT", with an optional trailing '/' and no other path.
engine::Result<HttpUrl> ParseHttpUrl(std::string_view text);

}  // namespace reports
