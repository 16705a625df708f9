#include "reports/net_address.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>

namespace reports {
namespace {

using engine::Status;

constexpr size_t kHostNameBytesMax = 253;
constexpr size_t kHostLabelBytesMax = 63;

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(fmt::format("'{}' {}", text, why));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status ParsePort(std::string_view text, std::string_view port, bool allow_zero, uint16_t* out) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (!AllDigits(port) || ec != std::errc() || ptr != port.data() + port.size() || value > 65535 ||
      (value == 0 && !allow_zero)) {
    return Bad(text, fmt::format("has port '{}'; a port is a whole number in [{}, 65535]", port,
                                 allow_zero ? 0 : 1));
  }
  *out = static_cast<uint16_t>(value);
  return Status::Ok();
}

// Four decimal octets 0-255; reported octet by octet so "999.1.1.1" says which one is wrong.
Status ParseIpv4(std::string_view text, std::string_view host) {
  size_t parts = 0;
  size_t begin = 0;
  while (true) {
    const size_t dot = host.find('.', begin);
    const std::string_view octet =
        host.substr(begin, dot == std::string_view::npos ? dot : dot - begin);
    parts++;
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(octet.data(), octet.data() + octet.size(), value);
    if (!AllDigits(octet) || octet.size() > 3 || ec != std::errc() ||
        ptr != octet.data() + octet.size()) {
      return Bad(text, fmt::format("is not an IPv4 address: octet '{}' is not a number", octet));
    }
    if (value > 255)
      return Bad(text, fmt::format("is not an IPv4 address: octet {} is above 255", value));
    if (dot == std::string_view::npos) break;
    begin = dot + 1;
  }
  if (parts != 4) return Bad(text, fmt::format("is not an IPv4 address: {} octets, not 4", parts));
  return Status::Ok();
}

bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > kHostNameBytesMax) return false;
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ascii_alnum =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ascii_alnum && c != '-') return false;
    if (++label > kHostLabelBytesMax) return false;
  }
  return true;
}

// The first IPv4 address `host` resolves to (else the first IPv6 one, bracketed).
Status Resolve(std::string_view text, const std::string& host, std::string* address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Bad(text,
               fmt::format("names host '{}', which does not resolve ({})", host, gai_strerror(rc)));
  }
  std::string v4;
  std::string v6;
  char buffer[INET6_ADDRSTRLEN] = {};
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family == AF_INET && v4.empty()) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      if (inet_ntop(AF_INET, &in->sin_addr, buffer, sizeof buffer)) v4 = buffer;
    } else if (a->ai_family == AF_INET6 && v6.empty()) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      if (inet_ntop(AF_INET6, &in6->sin6_addr, buffer, sizeof buffer))
        v6 = "[" + std::string(buffer) + "]";
    }
  }
  freeaddrinfo(found);
  *address = !v4.empty() ? v4 : v6;
  if (address->empty())
    return Bad(text, fmt::format("names host '{}', which has no address", host));
  return Status::Ok();
}

Status ParseHost(std::string_view text, std::string_view host, bool allow_empty,
                 std::string* address) {
  if (host.empty()) {
    if (!allow_empty) return Bad(text, "has no host");
    address->clear();
    return Status::Ok();
  }
  if (host.front() == '[') {
    in6_addr ignored{};
    const std::string inner(host.substr(1, host.size() - 2));
    if (host.back() != ']' || inet_pton(AF_INET6, inner.c_str(), &ignored) != 1) {
      return Bad(text, "has a bracketed host that is not an IPv6 address");
    }
    *address = std::string(host);
    return Status::Ok();
  }
  if (std::all_of(host.begin(), host.end(),
                  [](char c) { return c == '.' || (c >= '0' && c <= '9'); })) {
    if (Status s = ParseIpv4(text, host); !s.ok()) return s;
    *address = std::string(host);
    return Status::Ok();
  }
  if (!IsHostName(host)) {
    return Bad(text,
               fmt::format("has host '{}', which is neither an IP address nor a host name", host));
  }
  return Resolve(text, std::string(host), address);
}

}  // namespace

engine::Result<HostPort> ParseHostPort(std::string_view text, HostPortRules rules) {
  const size_t colon = text.rfind(':');
  const size_t bracket = text.rfind(']');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    return Bad(text, "is not HOST:PORT (e.g. 127.0.0.1:9464)");
  }
  HostPort out;
  out.host = std::string(text.substr(0, colon));
  if (Status s = ParsePort(text, text.substr(colon + 1), rules.allow_port_zero, &out.port);
      !s.ok()) {
    return s;
  }
  if (Status s = ParseHost(text, out.host, rules.allow_empty_host, &out.address); !s.ok()) {
    return s;
  }
  return out;
}

engine::Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  HttpUrl url;
  std::string_view rest = text;
  for (const char* scheme : {"http", "https"}) {
    const std::string prefix = std::string(scheme) + "://";
    if (rest.substr(0, prefix.size()) == prefix) {
      url.scheme = scheme;
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  if (url.scheme.empty()) return Bad(text, "is not a URL like http://127.0.0.1:9091");
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return Bad(text, "has a path; give only http://HOST:PORT");
  }
  auto host_port = ParseHostPort(rest, {});
  if (!host_port.ok())
    return Bad(text, "is not http(s)://HOST:PORT: " + host_port.status().message());
  url.host_port = std::move(host_port).value();
  return url;
}

}  // namespace reports
