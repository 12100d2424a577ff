// SSRF rules: loopback, private, link-local, unique-local and other non-public ranges are refused.
#include "webhook_ssrf.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace outboxd::webhook {

namespace {

// `ip` in host byte order.
const char *webhook_blocked_v4(std::uint32_t ip) {
  const auto in = [ip](std::uint32_t net, int prefix) {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t(0) << (32 - prefix);
    return (ip & mask) == net;
  };
  if (in(0x7f000000, 8)) return "loopback (127.0.0.0/8)";
  if (in(0x0a000000, 8)) return "private (10.0.0.0/8)";
  if (in(0xac100000, 12)) return "private (172.16.0.0/12)";
  if (in(0xc0a80000, 16)) return "private (192.168.0.0/16)";
  if (in(0xa9fe0000, 16)) return "link-local (169.254.0.0/16)";
  if (in(0x64400000, 10)) return "shared address space (100.64.0.0/10)";
  // Connecting to 0.0.0.0 reaches the local host on Linux.
  if (in(0x00000000, 8)) return "unspecified/this-network (0.0.0.0/8)";
  if (in(0xc0000000, 24)) return "IETF protocol assignments (192.0.0.0/24)";
  if (in(0xc6120000, 15)) return "benchmarking (198.18.0.0/15)";
  if (in(0xe0000000, 4)) return "multicast (224.0.0.0/4)";
  if (in(0xf0000000, 4)) return "reserved (240.0.0.0/4)";
  return nullptr;
}

const char *webhook_blocked_v6(const in6_addr &a) {
  const std::uint8_t *b = a.s6_addr;
  static const std::uint8_t zero[16] = {};
  if (std::memcmp(b, zero, 15) == 0 && b[15] == 1) return "loopback (::1)";
  if (std::memcmp(b, zero, 16) == 0) return "unspecified (::)";
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64): judged by the IPv4 address inside.
  static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const std::uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, mapped, 12) == 0 || std::memcmp(b, nat64, 12) == 0) {
    const std::uint32_t v4 = (std::uint32_t(b[12]) << 24) | (std::uint32_t(b[13]) << 16) |
                             (std::uint32_t(b[14]) << 8) | b[15];
    return webhook_blocked_v4(v4);
  }
  // ::a.b.c.d (deprecated IPv4-compatible) can reach IPv4 hosts too.
  if (std::memcmp(b, zero, 12) == 0) return "IPv4-compatible (::/96)";
  if ((b[0] & 0xfe) == 0xfc) return "unique-local (fc00::/7)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local (fe80::/10)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "site-local (fec0::/10)";
  if (b[0] == 0xff) return "multicast (ff00::/8)";
  return nullptr;
}

}  // namespace

const char *webhook_blocked_reason(const sockaddr *addr) {
  if (addr == nullptr) return "no address";
  if (addr->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, addr, sizeof v4);
    return webhook_blocked_v4(ntohl(v4.sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, addr, sizeof v6);
    return webhook_blocked_v6(v6.sin6_addr);
  }
  return "not an IPv4 or IPv6 address";
}

const char *webhook_blocked_literal(const std::string &text) {
  std::string host = text;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  // A zone id ("fe80::1%eth0") is not part of the address.
  if (const auto pct = host.find('%'); pct != std::string::npos) host.resize(pct);
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return webhook_blocked_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return webhook_blocked_v6(v6);
  return nullptr;
}

std::string webhook_address_text(const sockaddr *addr) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (addr == nullptr) return buf;
  if (addr->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, addr, sizeof v4);
    inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
  } else if (addr->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, addr, sizeof v6);
    inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace outboxd::webhook
