// POST /v1/destinations/{name}/pause and /resume end to end, through the real daemon: scope and
// answers, what a pause does to delivery, that it survives a restart, that a resume wakes a sleeping
// daemon, and the stats and metrics that show it. The CLI's side is cli_pause_test.cpp.
#include <csignal>

#include "tests/e2e/api_harness.hpp"
#include "tests/support/text.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

const std::string kPauseAdminToken = "pause-admin-token-0123456789abcdef";
const std::string kPauseReadToken = "pause-read-token-0123456789abcdef";

std::string pause_tokens_yaml() {
  return "  tokens:\n"
         "    - name: ops\n      token: " + kPauseAdminToken + "\n      scopes: [admin]\n"
         "    - name: dashboard\n      token: " + kPauseReadToken + "\n      scopes: [read]\n";
}

}  // namespace

// Two destinations on the scripted plugin: "orders", the one paused, and "mail", which keeps
// delivering and so shows the daemon is working all along.
class ApiPause : public ApiE2E {
 protected:
  std::string destinations() const { return scripted_destination("orders") + scripted_destination("mail"); }
  void SetUp() override { start_api(destinations(), pause_tokens_yaml()); }

  HttpReply as(const std::string &token, const std::string &method, const std::string &path) {
    return http(method, base + path, "", "application/json", {"Authorization: Bearer " + token});
  }
  HttpReply admin(const std::string &path) { return as(kPauseAdminToken, "POST", path); }
  json stats() { return as(kPauseReadToken, "GET", "/v1/stats").json()["destinations"]; }

  // Enqueues one message to mail and waits for its delivery: the daemon is claiming and sending.
  void expect_mail_delivers(const std::string &tag) {
    enqueue("mail", R"({"behavior": "ok", "tag": ")" + tag + R"("})");
    EXPECT_TRUE(wait_count("destination = 'mail' AND payload->>'tag' = '" + tag + "' AND state = 'delivered'", 1))
        << daemon->log();
  }
  long long orders_untouched() const {
    return db.count("destination = 'orders' AND state = 'pending' AND attempt = 0 AND last_error IS NULL");
  }
  long long orders_calls() const {
    long long n = 0;
    for (const auto &c : read_calls(record_path())) n += c.destination == "orders";
    return n;
  }
};

TEST_F(ApiPause, NeedsTheAdminScopeAndAConfiguredDestinationAndRepeatsHarmlessly) {
  EXPECT_EQ(http("POST", base + "/v1/destinations/orders/pause").status, 401);
  HttpReply read_only = as(kPauseReadToken, "POST", "/v1/destinations/orders/pause");
  EXPECT_EQ(read_only.status, 403) << read_only.body;
  EXPECT_EQ(read_only.json().value("detail", ""), "token 'dashboard' lacks scope 'admin'") << read_only.body;
  EXPECT_EQ(as(kPauseReadToken, "POST", "/v1/destinations/orders/resume").status, 403);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.destination_controls"), "0") << "a refusal writes nothing";

  HttpReply unknown = admin("/v1/destinations/nowhere/pause");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.json().value("error", ""), "unknown_destination") << unknown.body;
  EXPECT_TRUE(contains(unknown.json().value("detail", ""), "\"nowhere\" is not configured")) << unknown.body;
  EXPECT_TRUE(contains(unknown.json().value("detail", ""), "mail, orders")) << unknown.body;
  EXPECT_EQ(admin("/v1/destinations/nowhere/resume").status, 404);
  HttpReply get = as(kPauseAdminToken, "GET", "/v1/destinations/orders/pause");
  EXPECT_EQ(get.status, 405) << get.body;

  HttpReply first = admin("/v1/destinations/orders/pause");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json(), (json{{"destination", "orders"}, {"paused", true}, {"changed", true}})) << first.body;
  EXPECT_EQ(admin("/v1/destinations/orders/pause").json(),
            (json{{"destination", "orders"}, {"paused", true}, {"changed", false}}));
  HttpReply resume = admin("/v1/destinations/orders/resume");
  ASSERT_EQ(resume.status, 200) << resume.body;
  EXPECT_EQ(resume.json(), (json{{"destination", "orders"}, {"paused", false}, {"changed", true}})) << resume.body;
  EXPECT_EQ(admin("/v1/destinations/orders/resume").json(),
            (json{{"destination", "orders"}, {"paused", false}, {"changed", false}}));
}

TEST_F(ApiPause, APausedDestinationKeepsItsMessagesWhileAnotherDeliversUntilResumed) {
  ASSERT_EQ(admin("/v1/destinations/orders/pause").status, 200);
  for (int i = 0; i < 3; ++i) enqueue("orders", R"({"behavior": "ok"})");  // first in the claim's order
  expect_mail_delivers("after-orders");
  EXPECT_EQ(orders_untouched(), 3) << "still pending, no attempt counted";
  EXPECT_EQ(orders_calls(), 0) << "the plugin never saw them";

  json s = stats();
  EXPECT_EQ(s["orders"]["pending"], 3) << s.dump();
  EXPECT_EQ(s["orders"]["paused"], true) << s.dump();
  EXPECT_TRUE(s["orders"]["paused_at"].is_string()) << s.dump();
  EXPECT_EQ(s["mail"]["paused"], false) << s.dump();
  EXPECT_TRUE(s["mail"]["paused_at"].is_null()) << s.dump();
  const std::string metrics = as(kPauseReadToken, "GET", "/metrics").body;
  EXPECT_TRUE(contains(metrics, "\noutboxd_destination_paused{destination=\"orders\"} 1\n")) << metrics;
  EXPECT_TRUE(contains(metrics, "\noutboxd_destination_paused{destination=\"mail\"} 0\n")) << metrics;

  ASSERT_EQ(admin("/v1/destinations/orders/resume").status, 200);
  EXPECT_TRUE(wait_count("destination = 'orders' AND state = 'delivered' AND attempt = 1", 3)) << daemon->log();
  EXPECT_EQ(stats()["orders"]["paused"], false);
  // The metrics' database reading is at most a second old.
  EXPECT_TRUE(wait_until([&] {
    return contains(as(kPauseReadToken, "GET", "/metrics").body, "\noutboxd_destination_paused{destination=\"orders\"} 0\n");
  }));
}

TEST_F(ApiPause, APauseSurvivesARestartOfTheDaemon) {
  ASSERT_EQ(admin("/v1/destinations/orders/pause").status, 200);
  enqueue("orders", R"({"behavior": "ok"})");
  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_exit(std::chrono::seconds(30)), 0) << daemon->log();

  daemon = start(dir.file("outboxd.yaml"), "restarted.log");
  read_base();
  expect_mail_delivers("after-the-restart");
  EXPECT_EQ(orders_untouched(), 1) << "the new daemon honours the pause it never heard of";
  EXPECT_EQ(stats()["orders"]["paused"], true);

  ASSERT_EQ(admin("/v1/destinations/orders/resume").json().value("changed", false), true);
  EXPECT_TRUE(wait_count("destination = 'orders' AND state = 'delivered'", 1)) << daemon->log();
}

// Every configured destination is listed (its lane's state is news even with no messages); the
// pause shows there too.
TEST_F(ApiPause, StatsShowAPausedDestinationThatHasNoMessages) {
  EXPECT_EQ(stats()["mail"].value("lane", ""), "running") << "no messages, not paused: a running lane";
  ASSERT_EQ(admin("/v1/destinations/mail/pause").status, 200);
  json s = stats();
  ASSERT_TRUE(s.contains("mail")) << s.dump();
  EXPECT_EQ(s["mail"]["paused"], true) << s.dump();
  EXPECT_EQ(s["mail"]["pending"], 0) << s.dump();
  EXPECT_EQ(s["mail"]["lane"], "paused") << s.dump();
  ASSERT_EQ(admin("/v1/destinations/mail/resume").status, 200);
  EXPECT_EQ(stats()["mail"]["paused"], false);
}

// With a safety poll of ten minutes, only the resume's wake-up can have the daemon deliver within
// the deadline: it went to sleep with the paused messages due and nothing else to do.
class ApiPauseAsleep : public ApiPause {
 protected:
  void SetUp() override {
    start_api(destinations(), pause_tokens_yaml(), "wakeup:\n  linger: 50ms\n  safety_poll: 10m\n");
  }
};

TEST_F(ApiPauseAsleep, AResumeWakesASleepingDaemon) {
  ASSERT_EQ(admin("/v1/destinations/orders/pause").status, 200);
  enqueue("orders", R"({"behavior": "ok"})");
  expect_mail_delivers("awake");
  ASSERT_TRUE(wait_until([&] { return db.scalar("SELECT last_value FROM outbox.wake_wanted") == "1"; }))
      << "the daemon never went to sleep:\n" << daemon->log();
  EXPECT_EQ(orders_untouched(), 1);
  ASSERT_EQ(admin("/v1/destinations/orders/resume").status, 200);
  EXPECT_TRUE(wait_count("destination = 'orders' AND state = 'delivered'", 1)) << daemon->log();
}
