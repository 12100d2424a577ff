// The SSRF guard's address rules: which IPv4/IPv6 addresses a webhook may not connect to.
#pragma once

#include <sys/socket.h>

#include <string>

#include "webhook_host_addresses.hpp"

namespace outboxd::webhook {

// Why the plugin refuses to connect to `addr` by default ("loopback (127.0.0.0/8)", "documentation
// (TEST-NET-1, 192.0.2.0/24)", "an address of this host (eth0)", ...), or "" when it may connect:
// every block of the IANA IPv4 and IPv6 Special-Purpose Address Registries that is not globally
// reachable, multicast, and every address in `own`. IPv6 forms that carry an IPv4 address
// (IPv4-mapped, IPv4-compatible, 6to4, NAT64, Teredo) are judged by the IPv4 address inside them.
// Address families other than IPv4 and IPv6 are refused.
std::string webhook_blocked_reason(const sockaddr *addr, const HostAddresses &own);
// The same against this host's current interface addresses (webhook_host_addresses()).
std::string webhook_blocked_reason(const sockaddr *addr);

// The same rules for a URL's host as text ("10.1.2.3", "[::1]", and every spelling a resolver
// takes for an address: "127.1", "0x7f.1", "2130706433", a trailing dot), plus the names that
// mean this host (localhost, *.localhost, localhost.localdomain, ip6-localhost, ip6-loopback), in
// any case. "" for any other name: a name is judged after DNS, or, through a proxy, not at all.
std::string webhook_blocked_host(const std::string &host, const HostAddresses &own);
std::string webhook_blocked_host(const std::string &host);

// "127.0.0.1" or "::1" for messages.
std::string webhook_address_text(const sockaddr *addr);

}  // namespace outboxd::webhook
