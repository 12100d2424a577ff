// The built webhook plugin against hostile network situations: the host's own address.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "tests/support/webhook_peer.hpp"
#include "tests/webhook/webhook_plugin_support.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test::local_config;
using test::webhook;
using test::WebhookReceiver;
using test::WebhookTestMessage;

// This host's first IPv4 address that is not loopback, "" when it has none.
std::string own_non_loopback_v4() {
  ifaddrs *list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (const ifaddrs *i = list; i != nullptr && found.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(i->ifa_addr)->sin_addr, buf, sizeof buf);
    if (std::string(buf).rfind("127.", 0) != 0) found = buf;
  }
  freeifaddrs(list);
  return found;
}

// A receiver listening on every interface is reachable at the host's own address, and at its
// IPv4-mapped form; without allow_private_networks neither may be delivered to.
TEST(WebhookHostileNetwork, TheHostsOwnAddressIsRefusedAlsoInItsMappedForm) {
  const std::string own = own_non_loopback_v4();
  if (own.empty()) GTEST_SKIP() << "this host has no non-loopback IPv4 address";
  WebhookReceiver rx({}, false, WebhookReceiver::Transport::Http, WebhookReceiver::Bind::AllInterfaces);
  const std::string port = std::to_string(rx.port());
  for (const std::string &url : {"http://" + own + ":" + port + "/hook", "http://[::ffff:" + own + "]:" + port + "/hook"}) {
    // With the guard off the address is reachable: the refusal below is the guard's.
    ASSERT_EQ(webhook(local_config(url))->send(WebhookTestMessage{}.view()).status, OUTBOXD_OK) << url;
    WebhookTestMessage m;
    m.timeout_ms = 3000;
    const auto r = webhook(R"({"url": ")" + url + "\"}")->send(m.view());
    EXPECT_EQ(r.status, OUTBOXD_PERMANENT) << url;
    EXPECT_THAT(r.error, AllOf(StartsWith("refused to connect to "), HasSubstr("an address of this host (")))
        << url;
  }
  EXPECT_EQ(rx.requests().size(), 2u) << "only the two sends with allow_private_networks arrived";
}

}  // namespace
}  // namespace outboxd
