// End to end: the real daemon delivers through the webhook plugin to a real HTTP receiver.
#include <gmock/gmock.h>
#include <stdlib.h>

#include <set>

#include "tests/e2e/harness.hpp"
#include "tests/support/webhook_peer.hpp"

using namespace outboxd::test;
using ::testing::HasSubstr;

namespace {

constexpr const char *secret_env = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char *secret_file = "whsec_YW5vdGhlciBrZXkgb2YgMjQgYnl0ZXMh";

class WebhookE2E : public E2E {
 protected:
  // A webhook destination `name` posting to `url`; `config` and `extra` add YAML lines (indented).
  std::string webhook_destination(const std::string &name, const std::string &url, const std::string &config = "",
                                  const std::string &extra = "", bool allow_private = true) const {
    std::string backoff = extra.find("max_backoff:") == std::string::npos ? "    max_backoff: 1s\n" : "";
    return "  " + name + ":\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/webhook.so\"\n    max_attempts: 5\n" +
           backoff + extra + "    config:\n      url: \"" + url + "\"\n" +
           (allow_private ? "      allow_private_networks: true\n" : "") + config;
  }
};

TEST_F(WebhookE2E, SignedWithSecretsFromTheEnvironmentAndAFileAndVerifiedByTheReceiver) {
  WebhookReceiver rx({secret_env, secret_file});
  setenv("OUTBOXD_TEST_WEBHOOK_SECRET", secret_env, 1);
  write_file(dir.file("secret"), std::string(secret_file) + "\n");
  auto daemon = start(write_config(webhook_destination(
      "orders", rx.url("/orders"),
      "      secret:\n        - !env OUTBOXD_TEST_WEBHOOK_SECRET\n        - !file " + dir.file("secret") + "\n")));
  const auto id = db.scalar("SELECT outbox.enqueue('orders', '{\"order\": 42, \"note\": \"caf\xc3\xa9\"}')");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 1", 1)) << daemon->log() << rx.log();
  ASSERT_EQ(rx.requests().size(), 1u);
  const auto r = rx.requests()[0];
  EXPECT_EQ(r["headers"]["webhook-id"], id);
  EXPECT_EQ(r["signatures_given"], 2);
  EXPECT_EQ(r["signatures_valid"], 2) << r.dump();
  EXPECT_EQ(r["body"], db.scalar("SELECT payload::text FROM outbox.messages")) << "the payload as stored";
  EXPECT_EQ(daemon->log().find(secret_env), std::string::npos) << "secrets are never logged";
  EXPECT_EQ(daemon->log().find("YW5vdGhlciBrZXkgb2YgMjQgYnl0ZXMh"), std::string::npos);
}

// The receiver answers 503 with Retry-After: 2 the first time: the retry, with the same
// webhook-id, comes no earlier than 2 s after the first request arrived.
TEST_F(WebhookE2E, ServiceUnavailableWithRetryAfterIsRetriedNoEarlierThanAsked) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_destination("orders", rx.url("/h?seq=503,200&retry_after=2"), "",
                                                       "    max_backoff: 1h\n")));
  const auto id = db.scalar("SELECT outbox.enqueue('orders', '{\"n\": 1}')");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 2", 1, std::chrono::seconds(30))) << daemon->log();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0]["headers"]["webhook-id"], id);
  EXPECT_EQ(reqs[1]["headers"]["webhook-id"], id);
  EXPECT_GE(reqs[1]["arrived"].get<double>() - reqs[0]["arrived"].get<double>(), 2.0);
  EXPECT_THAT(db.scalar("SELECT errors::text FROM outbox.messages"), HasSubstr("HTTP 503: error (Retry-After: 2)"));
}

TEST_F(WebhookE2E, BadRequestIsDeadAtOnceWithStatusAndBodyInTheErrorHistory) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_destination("orders", rx.url("/h?status=400&body=order_id%20missing"))));
  enqueue("orders", R"({"n": 1})");
  ASSERT_TRUE(wait_count("state = 'dead' AND attempt = 1", 1)) << daemon->log();
  EXPECT_EQ(db.scalar("SELECT last_error FROM outbox.messages"), "HTTP 400: order_id missing");
  EXPECT_EQ(rx.requests().size(), 1u);
}

TEST_F(WebhookE2E, ATimeoutIsRetriedAndThenDelivered) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_destination("orders", rx.url("/h?seq=200@3000,200"), "",
                                                       "    timeout_ms: 700\n")));
  enqueue("orders", R"({"n": 1})");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 2", 1)) << daemon->log();
  EXPECT_THAT(db.scalar("SELECT errors::text FROM outbox.messages"), HasSubstr("timed out after"));
}

TEST_F(WebhookE2E, SsrfGuardMakesALoopbackDestinationDeadSayingWhy) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_destination("orders", rx.url(), "", "", /*allow_private=*/false)));
  enqueue("orders", R"({"n": 1})");
  ASSERT_TRUE(wait_count("state = 'dead' AND attempt = 1", 1)) << daemon->log();
  EXPECT_THAT(db.scalar("SELECT last_error FROM outbox.messages"),
              AllOf(HasSubstr("refused to connect to 127.0.0.1 (loopback"), HasSubstr("allow_private_networks")));
  EXPECT_TRUE(rx.requests().empty());
}

TEST_F(WebhookE2E, UnknownConfigKeyStopsTheDaemonAtStartNamingIt) {
  const auto config = write_config(webhook_destination("orders", "http://127.0.0.1:9/h", "      retry: 3\n"));
  const auto [code, out] = run_outboxd({"check-config", "--config", config});
  EXPECT_EQ(code, 2) << out;
  EXPECT_THAT(out, AllOf(HasSubstr("destination orders: plugin webhook refused its config: unknown key 'retry'")));
}

TEST_F(WebhookE2E, AMessagesOwnUrlFromItsHeadersIsUsedOnlyForAnAllowedHost) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_destination("tenants", rx.url("/default"),
                                                       "      allowed_hosts: [\"127.0.0.1\"]\n")));
  db.exec("SELECT outbox.enqueue('tenants', '{\"n\": 1}', '{\"webhook-url\": \"" + rx.url("/tenant-a") + "\"}')");
  db.exec("SELECT outbox.enqueue('tenants', '{\"n\": 2}', '{\"webhook-url\": \"http://localhost:" +
          std::to_string(rx.port()) + "/tenant-b\"}')");
  db.exec("SELECT outbox.enqueue('tenants', '{\"n\": 3}')");
  ASSERT_TRUE(wait_count("state <> 'pending'", 3)) << daemon->log();
  EXPECT_EQ(db.count("state = 'delivered'"), 2);
  EXPECT_EQ(db.scalar("SELECT last_error FROM outbox.messages WHERE state = 'dead'"),
            "headers.webhook-url: host localhost is not in the destination's allowed_hosts");
  std::set<std::string> paths;
  for (const auto &r : rx.requests()) paths.insert(r["path"].get<std::string>());
  EXPECT_EQ(paths, (std::set<std::string>{"/tenant-a", "/default"}));
}

// One claim of 100 messages; the receiver holds each request until 100 are in flight at once.
TEST_F(WebhookE2E, HundredMessagesOfOneBatchArriveConcurrently) {
  WebhookReceiver rx;
  auto daemon = start(write_config(
      webhook_destination("orders", rx.url("/h?gather=100&gather_ms=8000"), "      max_concurrent_requests: 100\n",
                          "    timeout_ms: 20000\n"),
      "workers: 1\nbatch_size: 100\n"));
  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('n', n)) FROM generate_series(1, 100) n");
  ASSERT_TRUE(wait_count("state = 'delivered'", 100)) << daemon->log();
  EXPECT_EQ(rx.requests().size(), 100u);
  EXPECT_EQ(rx.max_in_flight(), 100);
}

}  // namespace
