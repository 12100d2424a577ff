// The SSRF guard's address rules over IPv4, IPv6, mapped and NAT64 addresses.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

#include "webhook_ssrf.hpp"

namespace outboxd::webhook {
namespace {

// The reason for a textual address, going through a real sockaddr as curl hands it over; against
// `own` as this host's addresses when given, else the real ones.
std::string reason_for(const std::string &text, const HostAddresses *own = nullptr) {
  sockaddr_storage ss{};
  if (inet_pton(AF_INET, text.c_str(), &reinterpret_cast<sockaddr_in *>(&ss)->sin_addr) == 1) {
    ss.ss_family = AF_INET;
  } else if (inet_pton(AF_INET6, text.c_str(), &reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_addr) == 1) {
    ss.ss_family = AF_INET6;
  } else {
    ADD_FAILURE() << "not an address: " << text;
  }
  const auto *addr = reinterpret_cast<const sockaddr *>(&ss);
  return own != nullptr ? webhook_blocked_reason(addr, *own) : webhook_blocked_reason(addr);
}

TEST(WebhookSsrf, RefusesLoopbackPrivateLinkLocalAndUniqueLocal) {
  const struct {
    const char *address, *reason_part;
  } cases[] = {
      {"127.0.0.1", "loopback"},    {"127.255.1.2", "loopback"},   {"10.0.0.1", "private"},
      {"10.255.255.255", "private"}, {"172.16.0.1", "private"},    {"172.31.255.254", "private"},
      {"192.168.1.1", "private"},   {"169.254.169.254", "link-local"}, {"0.0.0.0", "unspecified"},
      {"100.64.0.1", "shared"},     {"224.0.0.1", "multicast"},     {"255.255.255.255", "reserved"},
      {"::1", "loopback"},          {"::", "unspecified"},          {"fc00::1", "unique-local"},
      {"fd12:3456::1", "unique-local"}, {"fe80::1", "link-local"},  {"febf::1", "link-local"},
      {"ff02::1", "multicast"},     {"::ffff:127.0.0.1", "loopback"}, {"::ffff:10.1.2.3", "private"},
      {"::ffff:169.254.169.254", "link-local"}, {"64:ff9b::a00:1", "private"}, {"::127.0.0.1", "IPv4-compatible"},
  };
  for (const auto &c : cases) {
    const std::string r = reason_for(c.address);
    EXPECT_NE(r.find(c.reason_part), std::string::npos) << c.address << " gave '" << r << "'";
  }
}

TEST(WebhookSsrf, AllowsPublicAddressesIncludingNeighboursOfBlockedRanges) {
  for (const char *a : {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0",
                        "192.167.255.255", "192.169.0.0", "169.253.255.255", "100.128.0.0", "128.0.0.1",
                        "2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808",
                        "fbff::1"})
    EXPECT_EQ(reason_for(a), "") << a;
  EXPECT_NE(reason_for("fec0::1").find("site-local"), std::string::npos);
}

// Every block of the IANA IPv4 and IPv6 Special-Purpose Address Registries that is not globally
// reachable, and IPv4 inside IPv6 (mapped, compatible, 6to4, NAT64, Teredo) judged as IPv4.
TEST(WebhookSsrf, RefusesEverySpecialPurposeBlockThatIsNotGloballyReachable) {
  const struct {
    const char *address, *reason_part;
  } cases[] = {
      {"192.0.2.1", "TEST-NET-1"},
      {"198.51.100.7", "TEST-NET-2"},
      {"203.0.113.255", "TEST-NET-3"},
      {"192.0.0.8", "IETF protocol assignments"},
      {"192.0.0.170", "IETF protocol assignments"},
      {"192.88.99.1", "6to4 relay anycast"},
      {"198.19.255.255", "benchmarking"},
      {"100.127.255.255", "shared address space"},
      {"0.1.2.3", "this network"},
      {"2001:db8::1", "documentation (2001:db8::/32)"},
      {"3fff::1", "documentation (3fff::/20)"},
      {"100::1", "discard-only"},
      {"2001:2::1", "IETF protocol assignments"},
      {"2001:10::1", "IETF protocol assignments"},
      {"2001:1ff::1", "IETF protocol assignments"},
      {"5f00::1", "segment routing"},
      {"64:ff9b:1::808:808", "local-use IPv4/IPv6 translation"},
      {"64:ff9b::7f00:1", "inside NAT64 (64:ff9b::/96)"},
      {"64:ff9b::c000:201", "TEST-NET-1"},
      {"2002:7f00:1::1", "inside 6to4 (2002::/16)"},
      {"2002:a00:1::", "private (10.0.0.0/8) inside 6to4"},
      {"2002:c000:201::1", "TEST-NET-1"},
      {"::ffff:192.0.2.2", "TEST-NET-1"},
      {"::ffff:198.51.100.1", "TEST-NET-2"},
      {"::10.0.0.1", "private (10.0.0.0/8) inside IPv4-compatible"},
      {"::8.8.8.8", "IPv4-compatible"},
      // Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted (80ff:fffe).
      {"2001:0:4136:e378:8000:63bf:80ff:fffe", "inside Teredo (2001::/32)"},
      // Teredo: server 10.0.0.1, client 8.8.8.8 inverted.
      {"2001:0:a00:1::f7f7:f7f7", "private (10.0.0.0/8) inside Teredo"},
  };
  for (const auto &c : cases) {
    const std::string r = reason_for(c.address);
    EXPECT_NE(r.find(c.reason_part), std::string::npos) << c.address << " gave '" << r << "'";
  }
  EXPECT_EQ(reason_for("2002:7f00:1::1").rfind("loopback (127.0.0.0/8)", 0), 0u) << "the IPv4 reason comes first";
}

TEST(WebhookSsrf, AllowsTheGloballyReachableSpecialPurposeBlocksAndPublicIPv4InsideIPv6) {
  for (const char *a : {"192.0.0.9", "192.0.0.10", "192.31.196.1", "192.52.193.1", "192.175.48.1", "192.0.3.0",
                        "198.51.99.255", "203.0.114.0", "2001:1::1", "2001:1::2", "2001:3::1", "2001:4:112::1",
                        "2001:20::1", "2001:30::1", "2620:4f:8000::1", "2001:200::1", "2002:808:808::1",
                        "64:ff9b::808:808", "::ffff:8.8.8.8", "2001:0:808:808::f7f7:f7f7"})
    EXPECT_EQ(reason_for(a), "") << a;
}

TEST(WebhookSsrf, HostsInUrlsAreJudgedTheSameWayAndOtherNamesAreLeftToTheConnectTimeCheck) {
  EXPECT_NE(webhook_blocked_host("127.0.0.1"), "");
  EXPECT_NE(webhook_blocked_host("[::1]"), "");
  EXPECT_NE(webhook_blocked_host("[fe80::1%25eth0]"), "");
  EXPECT_NE(webhook_blocked_host("[::ffff:10.0.0.1]"), "");
  EXPECT_EQ(webhook_blocked_host("8.8.8.8"), "");
  EXPECT_EQ(webhook_blocked_host("localhost"), "loopback (localhost)");
  EXPECT_EQ(webhook_blocked_host("example.com"), "") << "a name: judged after DNS";
  EXPECT_EQ(webhook_blocked_host("example.com."), "");
}

// An address of one of this host's interfaces is refused even when it is globally reachable, and
// IPv4 forms in IPv6 are matched against the host's IPv4 addresses.
TEST(WebhookSsrf, RefusesTheHostsOwnAddresses) {
  HostAddresses own;
  own.v4.push_back({0x08080404, "eth0"});  // 8.8.4.4
  own.v6.push_back({{0x26, 0x06, 0x47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11}, "eth1"});  // 2606:4700::1111
  const auto reason = [&own](const std::string &text) { return reason_for(text, &own); };
  EXPECT_EQ(reason("8.8.4.4"), "an address of this host (eth0)");
  EXPECT_EQ(reason("::ffff:8.8.4.4"), "an address of this host (eth0) inside IPv4-mapped (::ffff:0:0/96)");
  EXPECT_EQ(reason("2002:808:404::1"), "an address of this host (eth0) inside 6to4 (2002::/16)");
  EXPECT_EQ(reason("2606:4700::1111"), "an address of this host (eth1)");
  EXPECT_EQ(reason("8.8.8.8"), "");
  EXPECT_EQ(reason("2606:4700::1112"), "");
  EXPECT_EQ(webhook_blocked_host("8.8.4.4.", own), "an address of this host (eth0)");
  EXPECT_EQ(webhook_blocked_host("[2606:4700::1111]", own), "an address of this host (eth1)");
}

// The cached view holds what getifaddrs reports: loopback at least, and the same as a fresh read.
TEST(WebhookSsrf, TheHostAddressCacheHoldsTheInterfacesAddresses) {
  const auto fresh = webhook_read_host_addresses();
  const auto cached = webhook_host_addresses();
  ASSERT_NE(cached, nullptr);
  EXPECT_NE(cached->find_v4(0x7f000001), nullptr) << "127.0.0.1 on lo";
  for (const auto &a : fresh.v4) EXPECT_NE(cached->find_v4(a.address), nullptr) << a.interface;
  EXPECT_EQ(webhook_host_addresses(), cached) << "read again only after a second";
}

TEST(WebhookSsrf, AddressTextForMessages) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "10.1.2.3", &v4.sin_addr);
  EXPECT_EQ(webhook_address_text(reinterpret_cast<sockaddr *>(&v4)), "10.1.2.3");
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::1", &v6.sin6_addr);
  EXPECT_EQ(webhook_address_text(reinterpret_cast<sockaddr *>(&v6)), "::1");
}

}  // namespace
}  // namespace outboxd::webhook
