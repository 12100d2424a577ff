// The SSRF guard's address rules: which IPv4/IPv6 addresses a webhook may not connect to.
#pragma once

#include <sys/socket.h>

#include <string>

namespace outboxd::webhook {

// Why the plugin refuses to connect to `addr` by default ("loopback", "private (10.0.0.0/8)", ...),
// or nullptr when it is an ordinary public address. IPv4-mapped and NAT64 IPv6 addresses are judged
// by the IPv4 address inside them. Address families other than IPv4 and IPv6 are refused.
const char *webhook_blocked_reason(const sockaddr *addr);

// The same rules for an address written as text ("10.1.2.3", "::1", "[fe80::1]"). Returns nullptr
// also when `text` is not an IP address at all (a host name): those are judged after DNS.
const char *webhook_blocked_literal(const std::string &text);

// "127.0.0.1" or "::1" for messages.
std::string webhook_address_text(const sockaddr *addr);

}  // namespace outboxd::webhook
