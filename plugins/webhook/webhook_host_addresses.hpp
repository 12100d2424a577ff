// The addresses of this host's own network interfaces, which the SSRF guard refuses: a webhook
// to the machine's own public address reaches its local services as surely as 127.0.0.1 does.
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace outboxd::webhook {

struct HostAddresses {
  struct V4 {
    std::uint32_t address;  // host byte order
    std::string interface;
  };
  struct V6 {
    std::array<std::uint8_t, 16> address;
    std::string interface;
  };
  std::vector<V4> v4;
  std::vector<V6> v6;

  // The interface that has `ip` (host byte order) or `a`, or nullptr.
  const std::string *find_v4(std::uint32_t ip) const;
  const std::string *find_v6(const in6_addr &a) const;
};

// Interfaces and addresses come and go (DHCP, a VPN, a container's network), so the guard's view
// is read again when it is older than this. getifaddrs costs a netlink round trip, too much for
// every connection of a busy destination but nothing once a second.
inline constexpr int webhook_host_addresses_max_age_ms = 1000;

// getifaddrs(3) now. Empty when it fails (the special-purpose rules still apply).
HostAddresses webhook_read_host_addresses();

// The cached view, read again when older than webhook_host_addresses_max_age_ms. Thread-safe.
std::shared_ptr<const HostAddresses> webhook_host_addresses();

}  // namespace outboxd::webhook
