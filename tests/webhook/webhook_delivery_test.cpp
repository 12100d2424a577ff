// The built webhook plugin, loaded as the daemon loads it, against a real HTTP receiver on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "core/plugin_call.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/webhook_peer.hpp"
#include "tests/webhook/webhook_plugin_support.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test::WebhookReceiver;
using test::closed_port;
using test::local_config;
using test::send_all;
using test::webhook;
using test::WebhookTestMessage;

constexpr const char *secret_a = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char *secret_b = "whsec_YW5vdGhlciBrZXkgb2YgMjQgYnl0ZXMh";

TEST(WebhookPlugin, ExportsAThreadSafeTableWithSendBatch) {
  auto plugin = LoadedPlugin::open(test::webhook_plugin_path());
  EXPECT_EQ(plugin->name(), "webhook");
  EXPECT_EQ(plugin->version(), OUTBOXD_WEBHOOK_VERSION);
  EXPECT_TRUE(plugin->thread_safe());
  PluginInstance p(plugin, "hooks", R"({"url": "https://hooks.example/in"})");
  EXPECT_TRUE(p.has_send_batch());
}

TEST(WebhookPlugin, RefusesBadConfigByKeyAndSurvivesShutdownAfterFailedInit) {
  for (int i = 0; i < 20; ++i) {
    try {
      webhook(R"({"url": "https://hooks.example/in", "no_such_key": 1})");
      FAIL() << "init accepted an unknown key";
    } catch (const PluginLoadError &e) {
      EXPECT_THAT(e.what(), AllOf(StartsWith("destination hooks: plugin webhook refused its config: "),
                                  HasSubstr("unknown key 'no_such_key'")));
    }
  }
  EXPECT_THROW(webhook("[1]"), PluginLoadError);
  EXPECT_THROW(webhook("{not json"), PluginLoadError);
}

TEST(WebhookPlugin, SignedRequestVerifiesWithPythonsHmacForEverySecret) {
  WebhookReceiver rx({secret_a, secret_b});
  auto p = webhook(local_config(rx.url("/orders"), std::string(R"(, "secret": [")") + secret_a + "\", \"" + secret_b +
                                                       R"("], "headers": {"X-Env": "test"})"));
  WebhookTestMessage m;
  m.payload = "{\"b\": 1,  \"a\": \"caf\xc3\xa9\", \"n\": [1, 2]}";  // spacing and UTF-8 kept as stored
  const auto before = std::time(nullptr);
  const auto result = p->send(m.view());
  ASSERT_EQ(result.status, OUTBOXD_OK) << result.error;
  ASSERT_EQ(rx.requests().size(), 1u);
  const auto r = rx.requests()[0];
  EXPECT_EQ(r["method"], "POST");
  EXPECT_EQ(r["path"], "/orders");
  EXPECT_EQ(r["body"], m.payload);
  EXPECT_EQ(r["signatures_given"], 2);
  EXPECT_EQ(r["signatures_valid"], 2) << "both v1 signatures verify with Python's hmac: " << r.dump();
  EXPECT_EQ(r["headers"]["webhook-id"], m.id);
  const long long ts = std::stoll(r["headers"]["webhook-timestamp"].get<std::string>());
  EXPECT_GE(ts, before);
  EXPECT_LE(ts, std::time(nullptr));
  EXPECT_EQ(r["headers"]["content-type"], "application/json");
  EXPECT_EQ(r["headers"]["user-agent"], std::string("outboxd/") + OUTBOXD_WEBHOOK_VERSION + " webhook");
  EXPECT_EQ(r["headers"]["x-env"], "test");
}

TEST(WebhookPlugin, ARotatedOutSecretNoLongerVerifies) {
  WebhookReceiver rx({secret_b});  // the receiver knows only the new key
  auto p = webhook(local_config(rx.url(), std::string(R"(, "secret": ")") + secret_a + "\""));
  ASSERT_EQ(p->send(WebhookTestMessage{}.view()).status, OUTBOXD_OK);
  ASSERT_EQ(rx.requests().size(), 1u);
  EXPECT_EQ(rx.requests()[0]["signatures_valid"], 0) << "the check can fail";
}

TEST(WebhookPlugin, PutIsSentWhenConfigured) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url(), R"(, "method": "PUT")"));
  ASSERT_EQ(p->send(WebhookTestMessage{}.view()).status, OUTBOXD_OK);
  EXPECT_EQ(rx.requests().at(0)["method"], "PUT");
}

TEST(WebhookPlugin, ARetryCarriesTheSameWebhookId) {
  WebhookReceiver rx({secret_a});
  auto p = webhook(local_config(rx.url("/h?seq=503,200"), std::string(R"(, "secret": ")") + secret_a + "\""));
  WebhookTestMessage m;
  const auto first = p->send(m.view());
  EXPECT_EQ(first.status, OUTBOXD_RETRY);
  EXPECT_EQ(first.error, "HTTP 503: error");
  m.attempt = 2;
  EXPECT_EQ(p->send(m.view()).status, OUTBOXD_OK);
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0]["headers"]["webhook-id"], m.id);
  EXPECT_EQ(reqs[1]["headers"]["webhook-id"], m.id);
  EXPECT_EQ(reqs[1]["signatures_valid"], 1);
}

TEST(WebhookPlugin, RetryAfterInSecondsAndAsADateBecomeRetryAfterMs) {
  WebhookReceiver rx;
  auto seconds = webhook(local_config(rx.url("/h?status=503&retry_after=7")));
  const auto a = seconds->send(WebhookTestMessage{}.view());
  EXPECT_EQ(a.status, OUTBOXD_RETRY);
  EXPECT_EQ(a.retry_after_ms, 7000);
  EXPECT_THAT(a.error, HasSubstr("Retry-After: 7"));
  auto date = webhook(local_config(rx.url("/h?status=429&retry_after=date%2B30")));
  const auto b = date->send(WebhookTestMessage{}.view());
  EXPECT_EQ(b.status, OUTBOXD_RETRY);
  EXPECT_GE(b.retry_after_ms, 28000) << "an HTTP date 30 s ahead (one-second resolution)";
  EXPECT_LE(b.retry_after_ms, 30000);
}

TEST(WebhookPlugin, BadRequestAndGoneArePermanentWithStatusAndBodyStart) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?status=400&body=missing%20field%20order_id")));
  const auto r = p->send(WebhookTestMessage{}.view());
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(r.error, "HTTP 400: missing field order_id");
  auto gone = webhook(local_config(rx.url("/h?status=410")));
  EXPECT_EQ(gone->send(WebhookTestMessage{}.view()).status, OUTBOXD_PERMANENT);
  auto throttled = webhook(local_config(rx.url("/h?status=429")));
  EXPECT_EQ(throttled->send(WebhookTestMessage{}.view()).status, OUTBOXD_RETRY);
}

TEST(WebhookPlugin, ASlowReceiverIsATimeoutAndRetried) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?delay_ms=3000")));
  WebhookTestMessage m;
  m.timeout_ms = 300;
  const auto r = p->send(m.view());
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_THAT(r.error, ::testing::ContainsRegex("^timed out after (2[0-9][0-9]|300) ms"));  // within the 300
}

TEST(WebhookPlugin, ARequestTimeoutShorterThanTheDestinationsIsUsed) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?delay_ms=3000"), R"(, "request_timeout_ms": 200)"));
  const auto r = p->send(WebhookTestMessage{}.view());  // timeout_ms 5000
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_THAT(r.error, StartsWith("timed out after 200 ms"));
}

TEST(WebhookPlugin, ConnectionRefusedAndDnsFailuresAreRetried) {
  auto refused = webhook(local_config("http://127.0.0.1:" + std::to_string(closed_port()) + "/h"));
  const auto a = refused->send(WebhookTestMessage{}.view());
  EXPECT_EQ(a.status, OUTBOXD_RETRY);
  EXPECT_THAT(a.error, StartsWith("connection failed"));
  auto dns = webhook(R"({"url": "http://no-such-host.invalid/h"})");
  WebhookTestMessage m;
  m.timeout_ms = 3000;
  const auto b = dns->send(m.view());
  EXPECT_EQ(b.status, OUTBOXD_RETRY);
  EXPECT_THAT(b.error, AnyOf(StartsWith("DNS lookup failed"), StartsWith("timed out"))) << b.error;
}

TEST(WebhookPlugin, RedirectsAreNotFollowed) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?status=302&location=/elsewhere")));
  const auto r = p->send(WebhookTestMessage{}.view());
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_THAT(r.error, HasSubstr("redirect to /elsewhere not followed"));
  ASSERT_EQ(rx.requests().size(), 1u);
  EXPECT_EQ(rx.requests()[0]["path"], "/h");
}

TEST(WebhookPlugin, SsrfGuardRefusesLoopbackPrivateAndLinkLocalIncludingAResolvedName) {
  WebhookReceiver rx({}, /*ipv6=*/true);
  const std::string port = std::to_string(rx.port());
  const std::pair<std::string, std::string> cases[] = {
      {rx.url(), "127.0.0.1 (loopback"},
      {rx.url6(), "::1 (loopback"},
      {"http://localhost:" + port + "/hook", "(loopback"},  // resolved by the system resolver
      {"http://10.255.255.1/hook", "10.255.255.1 (private (10.0.0.0/8))"},
      {"http://169.254.169.254/latest/meta-data", "169.254.169.254 (link-local"},
      {"http://[fd00::1]/hook", "fd00::1 (unique-local"},
  };
  for (const auto &[url, reason] : cases) {
    auto p = webhook(R"({"url": ")" + url + "\"}");
    WebhookTestMessage m;
    m.timeout_ms = 3000;
    const auto r = p->send(m.view());
    EXPECT_EQ(r.status, OUTBOXD_PERMANENT) << url;
    EXPECT_THAT(r.error, AllOf(StartsWith("refused to connect to "), HasSubstr(reason),
                               HasSubstr("set allow_private_networks: true")))
        << url;
  }
  EXPECT_TRUE(rx.requests().empty()) << "nothing reached the receiver";
}

TEST(WebhookPlugin, AllowPrivateNetworksLetsLoopbackThrough) {
  WebhookReceiver rx({}, /*ipv6=*/true);
  for (const auto &url : {rx.url(), rx.url6(), "http://localhost:" + std::to_string(rx.port()) + "/hook"}) {
    auto p = webhook(local_config(url));
    const auto r = p->send(WebhookTestMessage{}.view());
    EXPECT_EQ(r.status, OUTBOXD_OK) << url << ": " << r.error;
  }
  EXPECT_EQ(rx.requests().size(), 3u);
}

// With the flag the guard lets the connection be attempted; nothing listens there, so the attempt
// itself fails (a retry), but not with the guard's refusal.
TEST(WebhookPlugin, AllowPrivateNetworksLetsPrivateAndLinkLocalBeTried) {
  for (const std::string url : {"http://10.255.255.1:9/hook", "http://169.254.169.254:9/hook"}) {
    auto p = webhook(local_config(url));
    WebhookTestMessage m;
    m.timeout_ms = 500;
    const auto r = p->send(m.view());
    EXPECT_NE(r.status, OUTBOXD_OK) << url;
    EXPECT_THAT(r.error, Not(HasSubstr("refused to connect"))) << url;
  }
}

TEST(WebhookPlugin, AMessageUrlMustMatchAllowedHosts) {
  WebhookReceiver rx;
  auto p = webhook(R"({"allowed_hosts": ["127.0.0.1"], "allow_private_networks": true})");
  WebhookTestMessage ok;
  ok.headers = R"({"webhook-url": ")" + rx.url("/tenant-a") + "\"}";
  EXPECT_EQ(p->send(ok.view()).status, OUTBOXD_OK);
  WebhookTestMessage bad;
  bad.headers = R"({"webhook-url": "http://localhost:)" + std::to_string(rx.port()) + "/tenant-b\"}";
  const auto r = p->send(bad.view());
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_THAT(r.error, HasSubstr("host localhost is not in the destination's allowed_hosts"));
  ASSERT_EQ(rx.requests().size(), 1u);
  EXPECT_EQ(rx.requests()[0]["path"], "/tenant-a");
}

// The receiver holds every request until 100 are in flight at once (or 8 s pass): only a
// concurrent batch can make in_flight reach 100.
TEST(WebhookPlugin, HundredMessagesInOneBatchArriveConcurrently) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?gather=100&gather_ms=8000"), R"(, "max_concurrent_requests": 100)"));
  const auto msgs = test::webhook_test_messages(100, 20000);
  const auto results = send_all(*p, msgs);
  for (const auto &r : results) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 100u);
  EXPECT_EQ(rx.max_in_flight(), 100);
  std::set<std::string> ids;
  for (const auto &r : reqs) ids.insert(r["headers"]["webhook-id"].get<std::string>());
  EXPECT_EQ(ids.size(), 100u);
}

TEST(WebhookPlugin, MaxConcurrentRequestsBoundsTheRequestsInFlight) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?gather=3&gather_ms=3000"), R"(, "max_concurrent_requests": 3)"));
  const auto results = send_all(*p, test::webhook_test_messages(9, 20000));
  for (const auto &r : results) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  EXPECT_EQ(rx.max_in_flight(), 3);
}

// One slot, and a call with 40 slow requests holding it: a second call still gets its turn after
// the request in flight (slots are handed out in order), well within its 600 ms budget, instead of
// waiting for the whole first batch (1.2 s) and giving up.
TEST(WebhookPlugin, SlotsAreSharedFairlyBetweenConcurrentCalls) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url("/h?delay_ms=30"), R"(, "max_concurrent_requests": 1)"));
  std::vector<SendResult> long_results;
  std::thread long_call([&] { long_results = send_all(*p, test::webhook_test_messages(40, 20000)); });
  EXPECT_TRUE(test::wait_until([&] { return !rx.requests().empty(); }));
  auto short_msgs = test::webhook_test_messages(5, 1000);
  for (auto &m : short_msgs) m.id.replace(0, 4, "ffff");
  const auto short_results = send_all(*p, short_msgs);
  long_call.join();
  for (const auto &r : short_results) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  for (const auto &r : long_results) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  EXPECT_EQ(rx.max_in_flight(), 1);
  // In turn: between two requests of the short call, at most one of the long call's.
  auto reqs = rx.requests();
  std::sort(reqs.begin(), reqs.end(), [](const auto &a, const auto &b) { return a["arrived"] < b["arrived"]; });
  std::vector<std::size_t> short_at;
  for (std::size_t i = 0; i < reqs.size(); ++i)
    if (reqs[i]["headers"]["webhook-id"].get<std::string>().rfind("ffff", 0) == 0) short_at.push_back(i);
  ASSERT_EQ(short_at.size(), 5u);
  for (std::size_t k = 1; k < short_at.size(); ++k)
    EXPECT_LE(short_at[k] - short_at[k - 1] - 1, 1u) << "requests of the long call between short ones";
}

TEST(WebhookPlugin, EachOutcomeLandsOnItsOwnMessageInABatch) {
  WebhookReceiver rx;
  auto p = webhook(R"({"allowed_hosts": ["127.0.0.1"], "allow_private_networks": true})");
  auto msgs = test::webhook_test_messages(3);
  msgs[0].headers = R"({"webhook-url": ")" + rx.url("/a?status=204") + "\"}";
  msgs[1].headers = R"({"webhook-url": ")" + rx.url("/b?status=500") + "\"}";
  msgs[2].headers = R"({"webhook-url": ")" + rx.url("/c?status=404") + "\"}";
  const auto results = send_all(*p, msgs);
  EXPECT_EQ(results[0].status, OUTBOXD_OK);
  EXPECT_EQ(results[1].status, OUTBOXD_RETRY);
  EXPECT_EQ(results[2].status, OUTBOXD_PERMANENT);
}

TEST(WebhookPlugin, ConnectionsAreKeptAliveAndReused) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url()));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(p->send(WebhookTestMessage{}.view()).status, OUTBOXD_OK);
  std::set<int> client_ports;
  for (const auto &r : rx.requests()) client_ports.insert(r["client_port"].get<int>());
  EXPECT_EQ(client_ports.size(), 1u) << "three requests over one connection";
}

TEST(WebhookPlugin, ConcurrentCallsFromSeveralWorkersAreSafe) {
  WebhookReceiver rx;
  auto p = webhook(local_config(rx.url(), R"(, "max_concurrent_requests": 4)"));
  std::vector<std::thread> workers;
  std::vector<std::vector<SendResult>> results(3);
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&, w] { results[w] = send_all(*p, test::webhook_test_messages(10, 20000)); });
  for (auto &t : workers) t.join();
  for (const auto &batch : results)
    for (const auto &r : batch) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  EXPECT_EQ(rx.requests().size(), 30u);
  EXPECT_LE(rx.max_in_flight(), 4) << "the limit holds across calls";
}

TEST(WebhookProxy, AConfiguredProxyCarriesTheRequestAndTheEnvironmentsProxyIsIgnored) {
  WebhookReceiver rx;
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(closed_port());
  // The receiver is reachable, so a failure can only mean the request went to the proxy.
  auto proxied = webhook(local_config(rx.url(), R"(, "proxy": ")" + dead_proxy + "\""));
  const auto a = proxied->send(WebhookTestMessage{}.view());
  EXPECT_EQ(a.status, OUTBOXD_RETRY);
  EXPECT_TRUE(rx.requests().empty());
  // Without the key, http_proxy in the environment must not divert (or hide) the request.
  setenv("http_proxy", dead_proxy.c_str(), 1);
  auto direct = webhook(local_config(rx.url()));
  const auto b = direct->send(WebhookTestMessage{}.view());
  unsetenv("http_proxy");
  EXPECT_EQ(b.status, OUTBOXD_OK) << b.error;
  EXPECT_EQ(rx.requests().size(), 1u);
}

TEST(WebhookTls, CertificatesAreVerifiedByDefault) {
  WebhookReceiver rx({}, false, WebhookReceiver::Transport::Tls);
  auto p = webhook(local_config(rx.url()));
  const auto r = p->send(WebhookTestMessage{}.view());
  EXPECT_EQ(r.status, OUTBOXD_RETRY) << "an untrusted certificate may be fixed, so the message waits";
  EXPECT_THAT(r.error, HasSubstr("curl error 60")) << r.error;
  EXPECT_TRUE(rx.requests().empty());
}

TEST(WebhookTls, ACaFileIsTrustedAndTlsVerifyFalseSkipsTheCheck) {
  WebhookReceiver rx({}, false, WebhookReceiver::Transport::Tls);
  auto trusted = webhook(local_config(rx.url("/ca"), R"(, "ca_file": ")" + rx.ca_file() + "\""));
  const auto a = trusted->send(WebhookTestMessage{}.view());
  EXPECT_EQ(a.status, OUTBOXD_OK) << a.error;
  auto unchecked = webhook(local_config(rx.url("/unchecked"), R"(, "tls_verify": false)"));
  const auto b = unchecked->send(WebhookTestMessage{}.view());
  EXPECT_EQ(b.status, OUTBOXD_OK) << b.error;
  EXPECT_EQ(rx.requests().size(), 2u);
}

TEST(WebhookTls, MutualTlsPresentsTheClientCertificate) {
  WebhookReceiver rx({}, false, WebhookReceiver::Transport::Mtls);
  const std::string ca = R"(, "ca_file": ")" + rx.ca_file() + "\"";
  auto without = webhook(local_config(rx.url("/anonymous"), ca));
  EXPECT_EQ(without->send(WebhookTestMessage{}.view()).status, OUTBOXD_RETRY);
  auto with = webhook(local_config(rx.url("/mtls"), ca + R"(, "client_cert": ")" + rx.client_cert() +
                                                         R"(", "client_key": ")" + rx.client_key() + "\""));
  const auto r = with->send(WebhookTestMessage{}.view());
  ASSERT_EQ(r.status, OUTBOXD_OK) << r.error;
  ASSERT_EQ(rx.requests().size(), 1u);
  EXPECT_EQ(rx.requests()[0]["client_cert"]["commonName"], "outboxd test client");
}

}  // namespace
}  // namespace outboxd
