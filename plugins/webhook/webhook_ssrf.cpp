// SSRF rules: every block of the IANA IPv4 and IPv6 Special-Purpose Address Registries that is not
// globally reachable, multicast, IPv4 carried inside IPv6, and this host's own addresses.
#include "webhook_ssrf.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace outboxd::webhook {

namespace {

struct V4Block {
  std::uint32_t net;  // host byte order
  int prefix;
  const char *reason;
};

// Globally reachable blocks inside a refused one (the registry's "True" entries within 192.0.0.0/24).
constexpr V4Block v4_reachable[] = {
    {0xc0000009, 32, "Port Control Protocol anycast (RFC 7723)"},
    {0xc000000a, 32, "TURN anycast (RFC 8155)"},
};

// The IANA IPv4 Special-Purpose Address Registry's blocks that are not globally reachable, and
// multicast. 192.31.196.0/24, 192.52.193.0/24 and 192.175.48.0/24 (AS112, AMT) are globally
// reachable and not listed.
constexpr V4Block v4_blocked[] = {
    // RFC 791 "this network"; connecting to 0.0.0.0 reaches the local host on Linux.
    {0x00000000, 8, "unspecified/this network (0.0.0.0/8)"},
    // RFC 1918 private-use.
    {0x0a000000, 8, "private (10.0.0.0/8)"},
    // RFC 6598 carrier-grade NAT space: the provider's internal network.
    {0x64400000, 10, "shared address space (100.64.0.0/10)"},
    // RFC 1122 loopback.
    {0x7f000000, 8, "loopback (127.0.0.0/8)"},
    // RFC 3927 link-local: cloud metadata services (169.254.169.254) live here.
    {0xa9fe0000, 16, "link-local (169.254.0.0/16)"},
    // RFC 1918 private-use.
    {0xac100000, 12, "private (172.16.0.0/12)"},
    // RFC 6890 IETF protocol assignments, with the DS-Lite /29, the dummy address 192.0.0.8 and
    // the NAT64 discovery addresses .170/.171 inside it.
    {0xc0000000, 24, "IETF protocol assignments (192.0.0.0/24)"},
    // RFC 5737 documentation.
    {0xc0000200, 24, "documentation (TEST-NET-1, 192.0.2.0/24)"},
    // RFC 7526: the deprecated 6to4 relay anycast block.
    {0xc0586300, 24, "deprecated 6to4 relay anycast (192.88.99.0/24)"},
    // RFC 1918 private-use.
    {0xc0a80000, 16, "private (192.168.0.0/16)"},
    // RFC 2544 benchmarking.
    {0xc6120000, 15, "benchmarking (198.18.0.0/15)"},
    // RFC 5737 documentation.
    {0xc6336400, 24, "documentation (TEST-NET-2, 198.51.100.0/24)"},
    // RFC 5737 documentation.
    {0xcb007100, 24, "documentation (TEST-NET-3, 203.0.113.0/24)"},
    // RFC 5771 multicast: not in the special-purpose registry, and never a TCP peer.
    {0xe0000000, 4, "multicast (224.0.0.0/4)"},
    // RFC 1112 reserved, with RFC 919's limited broadcast 255.255.255.255 inside it.
    {0xf0000000, 4, "reserved (240.0.0.0/4)"},
};

bool in_v4(std::uint32_t ip, const V4Block &b) {
  const std::uint32_t mask = b.prefix == 0 ? 0 : ~std::uint32_t(0) << (32 - b.prefix);
  return (ip & mask) == b.net;
}

// The reason of the first block in `blocks` that holds the address, nullptr when none does.
template <class Blocks, class Holds>
const char *first_holding(const Blocks &blocks, Holds holds) {
  for (const auto &b : blocks)
    if (holds(b)) return b.reason;
  return nullptr;
}

// Both facts when an address is in a blocked range and this host's (the address of eth0 in a
// documentation range names both), either when only one holds, "" when neither does.
std::string with_own(const char *reason, const std::string *interface) {
  const std::string blocked = reason != nullptr ? reason : "";
  if (interface == nullptr) return blocked;
  return (blocked.empty() ? "" : blocked + ", ") + "an address of this host (" + *interface + ")";
}

// `ip` in host byte order.
std::string blocked_v4(std::uint32_t ip, const HostAddresses &own) {
  const auto holds = [ip](const V4Block &b) { return in_v4(ip, b); };
  if (first_holding(v4_reachable, holds) != nullptr) return "";
  return with_own(first_holding(v4_blocked, holds), own.find_v4(ip));
}

struct V6Block {
  std::uint8_t net[16];
  int prefix;
  const char *reason;
};

// Globally reachable blocks inside 2001::/23 (the registry's "True" entries).
const V6Block v6_reachable[] = {
    {{0x20, 0x01, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}, 128, "PCP anycast (RFC 7723)"},
    {{0x20, 0x01, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}, 128, "TURN anycast (RFC 8155)"},
    {{0x20, 0x01, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03}, 128, "DNS-SD SRP anycast (RFC 9665)"},
    {{0x20, 0x01, 0, 0x03}, 32, "AMT (RFC 7450)"},
    {{0x20, 0x01, 0, 0x04, 0x01, 0x12}, 48, "AS112-v6 (RFC 7535)"},
    {{0x20, 0x01, 0, 0x20}, 28, "ORCHIDv2 (RFC 7343)"},
    {{0x20, 0x01, 0, 0x30}, 28, "drone remote ID tags (RFC 9374)"},
};

// The IANA IPv6 Special-Purpose Address Registry's blocks that are not globally reachable, the
// deprecated site-local block and multicast. The blocks that carry IPv4 (::ffff:0:0/96,
// 64:ff9b::/96, 2002::/16, Teredo 2001::/32, ::/96) are judged by their IPv4 address first.
const V6Block v6_blocked[] = {
    // RFC 4291 loopback.
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback (::1)"},
    // RFC 4291 unspecified; connecting to :: reaches the local host on Linux.
    {{}, 128, "unspecified (::)"},
    // RFC 8215 local-use IPv4/IPv6 translation: a site's own translator; refused whole, as the
    // registry marks it, whatever IPv4 address it carries (its layout depends on the site's prefix).
    {{0, 0x64, 0xff, 0x9b, 0, 0x01}, 48, "local-use IPv4/IPv6 translation (64:ff9b:1::/48)"},
    // RFC 6666 discard-only.
    {{0x01, 0}, 64, "discard-only (100::/64)"},
    // RFC 9780 dummy prefix.
    {{0x01, 0, 0, 0, 0, 0, 0, 0x01}, 64, "dummy prefix (100:0:0:1::/64)"},
    // RFC 2928 IETF protocol assignments, with benchmarking 2001:2::/48 and the deprecated ORCHID
    // 2001:10::/28 inside it (Teredo and the reachable blocks above are judged before).
    {{0x20, 0x01, 0, 0}, 23, "IETF protocol assignments (2001::/23)"},
    // RFC 3849 documentation.
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation (2001:db8::/32)"},
    // RFC 9637 documentation.
    {{0x3f, 0xff, 0}, 20, "documentation (3fff::/20)"},
    // RFC 9602 segment routing SIDs.
    {{0x5f, 0}, 16, "segment routing SIDs (5f00::/16)"},
    // RFC 4193 unique-local: IPv6's private networks.
    {{0xfc}, 7, "unique-local (fc00::/7)"},
    // RFC 4291 link-local.
    {{0xfe, 0x80}, 10, "link-local (fe80::/10)"},
    // RFC 3879: deprecated site-local, still routed inside some sites.
    {{0xfe, 0xc0}, 10, "site-local (fec0::/10)"},
    // RFC 4291 multicast.
    {{0xff}, 8, "multicast (ff00::/8)"},
};

bool in_v6(const std::uint8_t *a, const V6Block &b) {
  const int whole = b.prefix / 8, bits = b.prefix % 8;
  if (std::memcmp(a, b.net, whole) != 0) return false;
  if (bits == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - bits));
  return (a[whole] & mask) == (b.net[whole] & mask);
}

std::uint32_t v4_at(const std::uint8_t *b) {
  return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
}

// The IPv4 address(es) an IPv6 address carries and the form's name; 0 addresses for any other.
struct Embedded {
  std::uint32_t v4[2] = {};
  int count = 0;
  const char *form = nullptr;
  bool refused_anyway = false;  // the form itself is refused, whatever it carries
};

Embedded embedded_v4(const std::uint8_t *b) {
  static const std::uint8_t zero[16] = {};
  static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const std::uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  Embedded e;
  if (std::memcmp(b, mapped, 12) == 0) {
    e = {{v4_at(b + 12)}, 1, "IPv4-mapped (::ffff:0:0/96)"};
  } else if (std::memcmp(b, nat64, 12) == 0) {
    e = {{v4_at(b + 12)}, 1, "NAT64 (64:ff9b::/96)"};
  } else if (b[0] == 0x20 && b[1] == 0x02) {
    e = {{v4_at(b + 2)}, 1, "6to4 (2002::/16)"};
  } else if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
    // RFC 4380: the Teredo server's address, then the client's, stored inverted.
    e = {{v4_at(b + 4), ~v4_at(b + 12)}, 2, "Teredo (2001::/32)"};
  } else if (std::memcmp(b, zero, 12) == 0 && v4_at(b + 12) > 1) {
    // RFC 4291 deprecated IPv4-compatible addresses: nothing legitimate is reached through them
    // any more, so they are refused whatever they carry (a blocked IPv4 inside is named).
    e = {{v4_at(b + 12)}, 1, "IPv4-compatible (::/96, deprecated)", true};
  }
  return e;
}

std::string blocked_v6(const in6_addr &a, const HostAddresses &own) {
  const std::uint8_t *b = a.s6_addr;
  const Embedded e = embedded_v4(b);
  for (int i = 0; i < e.count; ++i) {
    const std::string inside = blocked_v4(e.v4[i], own);
    if (!inside.empty()) return inside + " inside " + e.form;
  }
  if (e.refused_anyway) return e.form;
  if (e.count > 0) return "";
  const auto holds = [b](const V6Block &r) { return in_v6(b, r); };
  if (first_holding(v6_reachable, holds) != nullptr) return "";
  return with_own(first_holding(v6_blocked, holds), own.find_v6(a));
}

// `host` without brackets, zone id and trailing dots, in lower case.
std::string plain_host(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  // A zone id ("fe80::1%eth0", "%25" in a URL) is not part of the address.
  if (host.find(':') != std::string::npos)
    if (const auto pct = host.find('%'); pct != std::string::npos) host.resize(pct);
  // "localhost." and "127.0.0.1." are the same host to every resolver (a fully qualified name).
  while (!host.empty() && host.back() == '.') host.pop_back();
  for (auto &c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

bool names_this_host(const std::string &host) {
  static const char *const names[] = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"};
  if (std::find_if(std::begin(names), std::end(names), [&](const char *n) { return host == n; }) != std::end(names))
    return true;
  // RFC 6761: every name under .localhost is loopback.
  const std::string suffix = ".localhost";
  return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string webhook_blocked_reason(const sockaddr *addr, const HostAddresses &own) {
  if (addr == nullptr) return "no address";
  if (addr->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, addr, sizeof v4);
    return blocked_v4(ntohl(v4.sin_addr.s_addr), own);
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, addr, sizeof v6);
    return blocked_v6(v6.sin6_addr, own);
  }
  return "not an IPv4 or IPv6 address";
}

std::string webhook_blocked_reason(const sockaddr *addr) { return webhook_blocked_reason(addr, *webhook_host_addresses()); }

std::string webhook_blocked_host(const std::string &text, const HostAddresses &own) {
  const std::string host = plain_host(text);
  if (names_this_host(host)) return "loopback (localhost)";
  // inet_aton takes every IPv4 spelling getaddrinfo and curl do: "127.1", "0x7f.1", "017700000001".
  in_addr v4{};
  if (host.find(':') == std::string::npos && inet_aton(host.c_str(), &v4) == 1) return blocked_v4(ntohl(v4.s_addr), own);
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return blocked_v6(v6, own);
  return "";
}

std::string webhook_blocked_host(const std::string &host) { return webhook_blocked_host(host, *webhook_host_addresses()); }

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
