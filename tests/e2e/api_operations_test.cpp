// HTTP API, operators: retry, cancel, bulk retry of dead messages, stats, health, the Go demo's
// mail endpoint, and how the daemon starts (or refuses to) with the API.
#include <cstdio>

#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

class ApiOps : public ApiE2E {
 protected:
  void SetUp() override { start_api(scripted_destination("orders") + scripted_destination("mail"), "  mail_destination: mail\n"); }
};

TEST_F(ApiOps, RetryOfADeadMessageLeadsToDelivery) {
  // Fails until attempt 3 but may only try twice: dead after attempt 2.
  const std::string id = create({{"destination", "orders"}, {"payload", {{"behavior", "fail_until"}, {"attempt", 3}}},
                                 {"max_attempts", 2}});
  ASSERT_TRUE(wait_state(id, "dead"));
  EXPECT_EQ(get("/v1/messages/" + id).json()["errors"].size(), 2u);
  HttpReply r = post("/v1/messages/" + id + "/retry");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["state"], "pending");
  ASSERT_TRUE(wait_state(id, "delivered"));
  json m = get("/v1/messages/" + id).json();
  EXPECT_EQ(m["attempt"], 3);
  EXPECT_EQ(m["max_attempts"], 4) << "spent attempts are raised by a new round";
}

TEST_F(ApiOps, RetryAndCancelAnswer404And409ForTheWrongMessage) {
  const std::string nobody = "00000000-0000-7000-8000-000000000000";
  EXPECT_EQ(post("/v1/messages/" + nobody + "/retry").status, 404);
  EXPECT_EQ(post("/v1/messages/" + nobody + "/cancel").status, 404);
  EXPECT_EQ(post("/v1/messages/nope/retry").status, 400);
  EXPECT_EQ(post("/v1/messages/nope/cancel").status, 400);

  const std::string later = create({{"destination", "orders"}, {"payload", 1}, {"delay_ms", 3600000}});
  HttpReply pending_retry = post("/v1/messages/" + later + "/retry");
  EXPECT_EQ(pending_retry.status, 409);
  EXPECT_EQ(pending_retry.json().value("error", ""), "wrong_state");
  EXPECT_NE(pending_retry.json().value("detail", "").find("is pending"), std::string::npos) << pending_retry.body;

  const std::string done = create({{"destination", "orders"}, {"payload", {{"behavior", "ok"}}}});
  ASSERT_TRUE(wait_state(done, "delivered"));
  HttpReply cancel_done = post("/v1/messages/" + done + "/cancel");
  EXPECT_EQ(cancel_done.status, 409);
  EXPECT_NE(cancel_done.json().value("detail", "").find("is delivered"), std::string::npos) << cancel_done.body;
  EXPECT_EQ(state_of(done), "delivered");
}

TEST_F(ApiOps, CancelOfAPendingMessageThenRetryBringsItBack) {
  const std::string id = create({{"destination", "orders"}, {"payload", {{"behavior", "ok"}}}, {"delay_ms", 3600000}});
  HttpReply c = post("/v1/messages/" + id + "/cancel");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.json()["state"], "cancelled");
  EXPECT_EQ(state_of(id), "cancelled");
  EXPECT_EQ(post("/v1/messages/" + id + "/cancel").status, 409);
  ASSERT_EQ(post("/v1/messages/" + id + "/retry").status, 200);
  ASSERT_TRUE(wait_state(id, "delivered")) << "retry makes it due now, not in an hour";
}

TEST_F(ApiOps, CancelRefusesAMessageAWorkerIsSending) {
  const std::string id = create({{"destination", "orders"}, {"payload", {{"behavior", "slow"}, {"ms", 3000}}}});
  // Claimed = row-locked by a worker: a SKIP LOCKED probe no longer sees it.
  ASSERT_TRUE(wait_until([&] {
    return db.scalar("SELECT count(*) FROM (SELECT 1 FROM outbox.messages WHERE id = '" + id +
                     "' AND state = 'pending' FOR UPDATE SKIP LOCKED) s") == "0";
  }));
  HttpReply r = post("/v1/messages/" + id + "/cancel");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json().value("error", ""), "locked") << r.body;
  ASSERT_TRUE(wait_state(id, "delivered"));
}

TEST_F(ApiOps, RetryDeadRetriesEveryDeadMessageOfADestination) {
  const std::string a = create({{"destination", "orders"}, {"payload", {{"behavior", "fail_until"}, {"attempt", 2}}}, {"max_attempts", 1}});
  const std::string b = create({{"destination", "orders"}, {"payload", {{"behavior", "fail_until"}, {"attempt", 2}}}, {"max_attempts", 1}});
  ASSERT_TRUE(wait_state(a, "dead"));
  ASSERT_TRUE(wait_state(b, "dead"));
  HttpReply r = post("/v1/destinations/orders/retry-dead");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["retried"], 2);
  EXPECT_TRUE(wait_state(a, "delivered"));
  EXPECT_TRUE(wait_state(b, "delivered"));
  HttpReply unknown = post("/v1/destinations/nowhere/retry-dead");
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_EQ(unknown.json().value("error", ""), "unknown_destination");
}

TEST_F(ApiOps, StatsCountPerDestinationAndState) {
  create({{"destination", "orders"}, {"payload", 1}, {"delay_ms", 3600000}});
  create({{"destination", "orders"}, {"payload", 2}, {"delay_ms", 3600000}});
  const std::string ok = create({{"destination", "mail"}, {"payload", {{"behavior", "ok"}}}});
  ASSERT_TRUE(wait_state(ok, "delivered"));
  HttpReply r = get("/v1/stats");
  ASSERT_EQ(r.status, 200) << r.body;
  json d = r.json()["destinations"];
  EXPECT_EQ(d["orders"]["pending"], 2) << r.body;
  EXPECT_EQ(d["orders"]["dead"], 0) << r.body;
  EXPECT_TRUE(d["orders"]["oldest_pending_seconds"].is_number()) << r.body;
  EXPECT_EQ(d["mail"]["delivered"], 1) << r.body;
  EXPECT_EQ(d["mail"]["delivered_last_minute"], 1) << r.body;
  EXPECT_EQ(d["orders"]["delivered_last_minute"], 0) << r.body;
  EXPECT_EQ(r.json().value("delivered_last_minute_counted_by", ""), "database") << r.body;

  // A delivery from two minutes ago still counts as delivered, but not as "in the last minute".
  const std::string old = create({{"destination", "mail"}, {"payload", {{"behavior", "ok"}}}});
  ASSERT_TRUE(wait_state(old, "delivered"));
  db.exec("UPDATE outbox.messages SET finalized_at = now() - interval '2 minutes' WHERE id = '" + old + "'");
  json later = get("/v1/stats").json()["destinations"]["mail"];
  EXPECT_EQ(later["delivered"], 2) << later.dump();
  EXPECT_EQ(later["delivered_last_minute"], 1) << later.dump();
}

// retention.delivered: 0 deletes delivered rows at once: the daemon's own count stands in.
class ApiStatsWithoutRetention : public ApiE2E {
 protected:
  void SetUp() override {
    start_api(scripted_destination("mail"), "", "retention:\n  delivered: 0\n  prune_interval: 1s\n");
  }
};

TEST_F(ApiStatsWithoutRetention, DeliveredInTheLastMinuteComesFromTheDaemon) {
  for (int i = 0; i < 3; ++i) create({{"destination", "mail"}, {"payload", {{"behavior", "ok"}}}});
  ASSERT_TRUE(wait_until([&] { return db.scalar("SELECT count(*) FROM outbox.messages") == "0"; }));
  // The daemon counts a batch once its transaction has committed, so the rows can be gone a moment
  // before the count has them.
  HttpReply r;
  ASSERT_TRUE(wait_until([&] {
    r = get("/v1/stats");
    const nlohmann::json j = r.json();
    return r.status == 200 && j.is_object() &&
           j.value(nlohmann::json::json_pointer("/destinations/mail/delivered_last_minute"), 0) == 3;
  })) << r.body;
  EXPECT_EQ(r.json().value("delivered_last_minute_counted_by", ""), "this daemon") << r.body;
  EXPECT_EQ(r.json()["destinations"]["mail"]["delivered"], 0) << r.body;
}

TEST_F(ApiOps, HealthAndReadiness) {
  HttpReply h = get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json().value("status", ""), "ok");
  HttpReply r = get("/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().value("status", ""), "ready") << r.body;
  EXPECT_EQ(r.json()["checks"].value("schema", ""), "ok") << r.body;
}

TEST_F(ApiOps, TheSeedsCurlLineEnqueuesMail) {
  const std::string port = base.substr(base.rfind(':') + 1);
  const std::string cmd = "curl -s -w '\\n%{http_code}' -X POST http://127.0.0.1:" + port +
                          "/api/mail/send -H 'Content-Type: application/json' -d "
                          "'{\"from\":\"a@example.com\",\"to\":\"b@example.com\",\"subject\":\"hi\",\"content\":\"hello\"}'";
  std::string out;
  FILE *p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  ASSERT_EQ(pclose(p), 0) << out;
  const std::string code = out.substr(out.rfind('\n') + 1);
  EXPECT_EQ(code, "202") << out;
  json j = json::parse(out.substr(0, out.rfind('\n')), nullptr, false);
  ASSERT_TRUE(j.contains("id")) << out;
  const std::string id = j["id"];
  ASSERT_TRUE(wait_state(id, "delivered"));
  json m = get("/v1/messages/" + id).json();
  EXPECT_EQ(m["destination"], "mail");
  EXPECT_EQ(m["payload"]["subject"], "hi");
  EXPECT_EQ(m["payload"]["to"], "b@example.com");

  // Which fields a mail needs is the destination's plugin's to say (tests/smtp/smtp_api_e2e_test.cpp);
  // the API itself only wants a JSON object.
  HttpReply list = post("/api/mail/send", R"(["b@example.com"])");
  EXPECT_EQ(list.status, 400);
  EXPECT_EQ(list.json().value("detail", ""), "body: must be a JSON object, got array") << list.body;
}

class ApiStartup : public ApiE2E {};

TEST_F(ApiStartup, MailEndpointWithoutADestinationSaysItIsNotConfigured) {
  start_api(scripted_destination("orders"));
  HttpReply r = post("/api/mail/send", R"({"from":"a","to":"b","subject":"s","content":"c"})");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.json().value("error", ""), "not_configured") << r.body;
  EXPECT_NE(r.json().value("detail", "").find("api.mail_destination"), std::string::npos) << r.body;
}

TEST_F(ApiStartup, MailDestinationThatIsNotConfiguredRefusesToStartNamingTheKey) {
  // Before: the daemon started, and every POST /api/mail/send got a 422 long after the file was accepted.
  auto path = write_config(scripted_destination("orders"), "api:\n  listen: 127.0.0.1:0\n  mail_destination: mail\n");
  auto [code, out] = run_outboxd({"run", "--config", path});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("api.mail_destination: \"mail\" is not a configured destination (configured: orders)"),
            std::string::npos)
      << out;
  EXPECT_EQ(db.count(), 0);
}

TEST_F(ApiStartup, ANonLoopbackListenAddressRefusesToStartNamingTheKey) {
  auto path = write_config(scripted_destination("orders"), "api:\n  listen: 0.0.0.0:3080\n");
  auto [code, out] = run_outboxd({"run", "--config", path});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("api.listen"), std::string::npos) << out;
  EXPECT_NE(out.find("loopback"), std::string::npos) << out;
}

TEST_F(ApiStartup, AnAddressInUseExitsOneNamingIt) {
  start_api(scripted_destination("orders"));
  const std::string addr = base.substr(std::string("http://").size());
  auto path = write_config(scripted_destination("orders"), "api:\n  listen: " + addr + "\n", "second.yaml");
  auto [code, out] = run_outboxd({"run", "--config", path});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find(addr), std::string::npos) << out;
}

TEST_F(ApiStartup, DisabledApiListensNowhere) {
  auto d = start(write_config(scripted_destination("orders"), "api:\n  enabled: false\n"));
  EXPECT_EQ(d->log().find("api: listening"), std::string::npos) << d->log();
}

TEST_F(ApiStartup, SigtermStopsTheApiAndTheDaemonCleanly) {
  start_api(scripted_destination("orders"));
  EXPECT_EQ(get("/healthz").status, 200);
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
  EXPECT_EQ(get("/healthz").status, 0) << "nothing listens any more";
}
