// The recorded outcome follows the request that was actually made when the SSRF guard refused
// some of a name's addresses: the decision alone, and a real request to a name with mixed addresses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "core/plugin_call.hpp"
#include "tests/support/webhook_peer.hpp"
#include "tests/webhook/webhook_test_support.hpp"
#include "webhook_outcome.hpp"
#include "webhook_sender.hpp"
#include "webhook_ssrf.hpp"

namespace outboxd::webhook {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const GuardRecord refused_loopback{"127.0.0.1 (loopback (127.0.0.0/8))", 0};

TEST(WebhookGuardedOutcome, AnAnswerFromAnAllowedAddressCountsWhateverElseWasRefused) {
  HttpAnswer ok;
  ok.status = 200;
  const Verdict v = webhook_classify_finished(CURLE_OK, ok, {refused_loopback.refused, 1}, "", 5000, 0);
  EXPECT_EQ(v.status, OUTBOXD_OK) << v.error;
  HttpAnswer bad;
  bad.status = 400;
  EXPECT_EQ(webhook_classify_finished(CURLE_OK, bad, {refused_loopback.refused, 1}, "", 5000, 0).status,
            OUTBOXD_PERMANENT);
}

TEST(WebhookGuardedOutcome, AFailedConnectionToAnAllowedAddressIsARetryNamingTheRefusedOnes) {
  const Verdict v =
      webhook_classify_finished(CURLE_COULDNT_CONNECT, {}, {refused_loopback.refused, 1}, "Connection refused", 5000, 0);
  EXPECT_EQ(v.status, OUTBOXD_RETRY);
  EXPECT_THAT(v.error, AllOf(StartsWith("connection failed: Connection refused"),
                             HasSubstr("(the SSRF guard refused 127.0.0.1 (loopback (127.0.0.0/8)))")));
}

TEST(WebhookGuardedOutcome, OnlyEveryAddressRefusedIsTheGuardsPermanentRefusal) {
  const Verdict v = webhook_classify_finished(CURLE_COULDNT_CONNECT, {}, refused_loopback, "", 5000, 0);
  EXPECT_EQ(v.status, OUTBOXD_PERMANENT);
  EXPECT_THAT(v.error, AllOf(StartsWith("refused to connect to 127.0.0.1 (loopback"),
                             HasSubstr("set allow_private_networks: true")));
  EXPECT_EQ(webhook_classify_finished(CURLE_COULDNT_CONNECT, {}, {}, "", 5000, 0).status, OUTBOXD_RETRY);
}

// A real request: the name mixed.test resolves to ::1 and 127.0.0.1 (through curl's resolve list,
// the tests' stand-in for DNS), and the guard is the production one for IPv6 but lets IPv4
// loopback through, standing in for a public address (the production rules refuse every address
// a test can listen on). curl is refused ::1, connects to 127.0.0.1, and the outcome is that
// request's: delivered on a 200, a retry when nothing listens there.
class WebhookMixedAddresses : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  void SetUp() override {
    // curl leaves out IPv6 addresses on a host without IPv6, and the test needs it to try ::1.
    const int fd = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool usable = fd >= 0 && bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    if (fd >= 0) close(fd);
    if (!usable) GTEST_SKIP() << "no IPv6 loopback on this host";
  }

  std::atomic<int> refusals{0};

  std::unique_ptr<WebhookSender> sender(int port) {
    WebhookConfig config;
    config.url = "http://mixed.test:" + std::to_string(port) + "/h";
    WebhookSenderHooks hooks;
    hooks.guard = [this](const sockaddr *a) {
      if (a->sa_family != AF_INET6) return std::string();
      const std::string reason = webhook_blocked_reason(a);
      if (!reason.empty()) ++refusals;
      return reason;
    };
    hooks.resolve = {"mixed.test:" + std::to_string(port) + ":[::1],127.0.0.1"};
    return std::make_unique<WebhookSender>(config, [](int, const std::string &) {}, hooks);
  }

  static SendResult send_one(WebhookSender &s) {
    test::WebhookTestMessage m;
    const outboxd_message view = m.view();
    const outboxd_message *msgs[] = {&view};
    char error[512] = "";
    outboxd_result result{OUTBOXD_OK, -1, error, sizeof error};
    outboxd_result *results[] = {&result};
    s.send_batch(msgs, results, 1);
    return SendResult{result.status, result.retry_after_ms, error};
  }
};

TEST_F(WebhookMixedAddresses, ANameWithARefusedAndAnAllowedAddressIsDeliveredThroughTheAllowedOne) {
  test::WebhookReceiver rx;
  auto s = sender(rx.port());
  const SendResult r = send_one(*s);
  EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  EXPECT_GE(refusals.load(), 1) << "curl tried ::1 first and the guard refused it";
  EXPECT_EQ(rx.requests().size(), 1u);
}

TEST_F(WebhookMixedAddresses, WhenTheAllowedAddressRefusesTheConnectionTheMessageWaits) {
  auto s = sender(test::closed_port());
  const SendResult r = send_one(*s);
  EXPECT_EQ(r.status, OUTBOXD_RETRY) << r.error;
  EXPECT_THAT(r.error, AllOf(StartsWith("connection failed"), HasSubstr("(the SSRF guard refused ::1 (loopback (::1)")));
}

}  // namespace
}  // namespace outboxd::webhook
