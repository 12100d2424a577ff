// The built webhook plugin against hostile network situations: the host's own address, requests
// that wait for a slot, budgets too short to start a request, and a Retry-After of 0.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cmath>
#include <ctime>
#include <map>

#include "tests/support/webhook_peer.hpp"
#include "tests/webhook/webhook_plugin_support.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test::local_config;
using test::send_all;
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

// One slot and a receiver that takes 1.2 s: the third request waits about 2.4 s for its slot. Its
// webhook-timestamp is taken when it starts, so it is no earlier than the second it arrives in
// (less one for a start just before a second boundary), and its signature covers that timestamp.
TEST(WebhookHostileNetwork, ARequestThatWaitedForASlotIsTimestampedAndSignedWhenItStarts) {
  const char *secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  WebhookReceiver rx({secret});
  auto p = webhook(local_config(rx.url("/h?delay_ms=1200"),
                                std::string(R"(, "max_concurrent_requests": 1, "secret": ")") + secret + "\""));
  const auto results = send_all(*p, test::webhook_test_messages(3, 20000));
  for (const auto &r : results) ASSERT_EQ(r.status, OUTBOXD_OK) << r.error;
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (const auto &r : reqs) {
    const long long ts = std::stoll(r["headers"]["webhook-timestamp"].get<std::string>());
    const auto arrived = static_cast<long long>(std::floor(r["arrived"].get<double>()));
    EXPECT_GE(ts + 1, arrived) << "timestamp " << ts << " for a request that arrived at " << arrived;
    EXPECT_EQ(r["signatures_valid"], 1) << r.dump();
  }
}

// One slot, a receiver that takes 900 ms and a 4 s budget: requests start at 0, 0.9, 1.8 and 2.7 s;
// the fifth would start with 0.4 s left (under the 1 s minimum) and time out after the receiver got
// it, so its retry would be a duplicate. It is not started: a RETRY, due at once, that says so,
// and no message that comes back as RETRY ever reached the receiver.
TEST(WebhookHostileNetwork, ARequestThatCannotFinishIsNotStarted) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?delay_ms=900"), R"(, "max_concurrent_requests": 1)"));
  const auto msgs = test::webhook_test_messages(6, 4000);
  const auto results = send_all(*p, msgs);
  std::size_t ok = 0, not_sent = 0;
  for (const auto &r : results) {
    if (r.status == OUTBOXD_OK) {
      ++ok;
      continue;
    }
    EXPECT_EQ(r.status, OUTBOXD_RETRY);
    EXPECT_EQ(r.retry_after_ms, 0) << r.error;
    EXPECT_THAT(r.error, AllOf(StartsWith("not sent: all 1 request slots (max_concurrent_requests) stayed busy"),
                               HasSubstr("the receiver never saw this attempt")));
    ++not_sent;
  }
  EXPECT_GE(ok, 3u);
  EXPECT_GE(not_sent, 1u);
  // A request cut off by its timeout would still be recorded when the receiver answers it, up to
  // 900 ms later.
  EXPECT_FALSE(rx.wait_requests(ok + 1, std::chrono::milliseconds(2000))) << "a request that was cut off arrived";
  std::map<std::string, int> posts;
  for (const auto &r : rx.requests()) posts[r["headers"]["webhook-id"].get<std::string>()]++;
  for (std::size_t i = 0; i < msgs.size(); ++i)
    EXPECT_EQ(posts[msgs[i].id], results[i].status == OUTBOXD_OK ? 1 : 0) << msgs[i].id << ": " << results[i].error;
}

// "Retry-After: 0" and a date in the past are not a 0 ms delay: the daemon's backoff decides.
TEST(WebhookHostileNetwork, RetryAfterZeroOrInThePastLeavesTheDelayToTheBackoff) {
  WebhookReceiver rx;
  const auto zero = webhook(local_config(rx.url("/h?status=503&retry_after=0")))->send(WebhookTestMessage{}.view());
  EXPECT_EQ(zero.status, OUTBOXD_RETRY);
  EXPECT_EQ(zero.retry_after_ms, -1) << zero.error;
  EXPECT_THAT(zero.error, HasSubstr("(Retry-After: 0, under 1 s: the destination's backoff applies)"));
  const auto past = webhook(local_config(rx.url("/h?status=429&retry_after=date%2B-30")))->send(WebhookTestMessage{}.view());
  EXPECT_EQ(past.status, OUTBOXD_RETRY);
  EXPECT_EQ(past.retry_after_ms, -1) << past.error;
}

}  // namespace
}  // namespace outboxd
