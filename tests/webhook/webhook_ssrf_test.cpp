// The SSRF guard's address rules over IPv4, IPv6, mapped and NAT64 addresses.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

#include "webhook_ssrf.hpp"

namespace outboxd::webhook {
namespace {

// The reason for a textual address, going through a real sockaddr as curl hands it over.
std::string reason_for(const std::string &text) {
  sockaddr_storage ss{};
  if (inet_pton(AF_INET, text.c_str(), &reinterpret_cast<sockaddr_in *>(&ss)->sin_addr) == 1) {
    ss.ss_family = AF_INET;
  } else if (inet_pton(AF_INET6, text.c_str(), &reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_addr) == 1) {
    ss.ss_family = AF_INET6;
  } else {
    ADD_FAILURE() << "not an address: " << text;
  }
  const char *r = webhook_blocked_reason(reinterpret_cast<const sockaddr *>(&ss));
  return r == nullptr ? "" : r;
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

TEST(WebhookSsrf, LiteralsInUrlsAreJudgedTheSameWayAndHostNamesAreLeftToTheConnectTimeCheck) {
  EXPECT_NE(webhook_blocked_literal("127.0.0.1"), nullptr);
  EXPECT_NE(webhook_blocked_literal("[::1]"), nullptr);
  EXPECT_NE(webhook_blocked_literal("[fe80::1%25eth0]"), nullptr);
  EXPECT_NE(webhook_blocked_literal("[::ffff:10.0.0.1]"), nullptr);
  EXPECT_EQ(webhook_blocked_literal("8.8.8.8"), nullptr);
  EXPECT_EQ(webhook_blocked_literal("localhost"), nullptr) << "a name: judged after DNS";
  EXPECT_EQ(webhook_blocked_literal("example.com"), nullptr);
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
