// HTTP API, messages: create, idempotency, read, list, batch, and every client error code.
#include <set>
#include <thread>

#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

class ApiMessages : public ApiE2E {
 protected:
  void SetUp() override { start_api(scripted_destination("orders")); }
};

TEST_F(ApiMessages, CreateAnswers201ThenTheMessageIsDeliveredAndReadable) {
  HttpReply r = post("/v1/messages", R"({"destination":"orders","payload":{"behavior":"ok","n":1},
                                         "headers":{"x-trace":"t1"},"priority":3,"max_attempts":4})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"];
  EXPECT_EQ(r.json()["state"], "pending");
  EXPECT_NE(r.headers.find("application/json"), std::string::npos) << r.headers;
  ASSERT_TRUE(wait_state(id, "delivered"));
  json m = get("/v1/messages/" + id).json();
  EXPECT_EQ(m["destination"], "orders");
  EXPECT_EQ(m["payload"]["n"], 1);
  EXPECT_EQ(m["headers"]["x-trace"], "t1");
  EXPECT_EQ(m["attempt"], 1);
  EXPECT_EQ(m["max_attempts"], 4);
  EXPECT_EQ(m["priority"], 3);
  EXPECT_TRUE(m["errors"].is_array());
  for (const char *ts : {"created_at", "updated_at", "available_at", "finalized_at"})
    EXPECT_TRUE(m[ts].is_string()) << ts << ": " << m.dump();
}

TEST_F(ApiMessages, ASeenIdempotencyKeyAnswers200WithTheExistingId) {
  const std::string body = R"({"destination":"orders","payload":{},"idempotency_key":"order-17"})";
  HttpReply first = post("/v1/messages", body);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpReply second = post("/v1/messages", body);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json()["id"], first.json()["id"]);
  EXPECT_EQ(db.count("idempotency_key = 'order-17'"), 1);
}

TEST_F(ApiMessages, DelayAndAvailableAtScheduleTheMessage) {
  std::string id1 = create({{"destination", "orders"}, {"payload", 1}, {"delay_ms", 3600000}});
  std::string id2 = create({{"destination", "orders"}, {"payload", 2}, {"available_at", "2199-01-01T00:00:00Z"}});
  EXPECT_EQ(db.scalar("SELECT (available_at > now() + interval '59 minutes')::text FROM outbox.messages "
                      "WHERE id = '" + id1 + "'"), "true");
  EXPECT_EQ(db.scalar("SELECT extract(year FROM available_at)::int::text FROM outbox.messages WHERE id = '" + id2 + "'"),
            "2199");
}

TEST_F(ApiMessages, ClientErrorsAreJsonNamingTheFieldAndWriteNothing) {
  struct Case {
    std::string body, content_type;
    long status;
    std::string error, detail_has;
  };
  const std::vector<Case> cases = {
      {"{not json", "application/json", 400, "invalid_json", "body"},
      {"", "application/json", 400, "invalid_json", "body"},
      {"[1]", "application/json", 400, "invalid_field", "body"},
      {R"({"destination":"orders"})", "application/json", 400, "invalid_field", "payload: required"},
      {R"({"payload":{}})", "application/json", 400, "invalid_field", "destination: required"},
      {R"({"destination":5,"payload":{}})", "application/json", 400, "invalid_field", "destination: must be a string"},
      {R"({"destination":"orders","payload":{},"priority":"high"})", "application/json", 400, "invalid_field", "priority"},
      {R"({"destination":"orders","payload":{},"priority":40000})", "application/json", 400, "invalid_field", "priority"},
      {R"({"destination":"orders","payload":{},"max_attempts":0})", "application/json", 400, "invalid_field", "max_attempts"},
      {R"({"destination":"orders","payload":{},"delay_ms":-1})", "application/json", 400, "invalid_field", "delay_ms"},
      {R"({"destination":"orders","payload":{},"delay_ms":1.5})", "application/json", 400, "invalid_field", "delay_ms"},
      {R"({"destination":"orders","payload":{},"headers":[]})", "application/json", 400, "invalid_field", "headers"},
      {R"({"destination":"orders","payload":{},"delay_ms":1,"available_at":"2030-01-01"})", "application/json", 400,
       "invalid_field", "not both"},
      {R"({"destination":"orders","payload":{},"available_at":"next tuesday"})", "application/json", 400,
       "invalid_field", "available_at"},
      {R"({"destination":"orders","payload":"a\u0000b"})", "application/json", 400, "invalid_field", "payload"},
      {R"({"destination":"orders","payload":{},"colour":"red"})", "application/json", 400, "invalid_field", "colour"},
      {R"({"destination":"orders","payload":{},"idempotency_key":""})", "application/json", 400, "invalid_field",
       "idempotency_key"},
      {R"({"destination":"nowhere","payload":{}})", "application/json", 422, "unknown_destination", "nowhere"},
      {R"({"destination":"orders","payload":{}})", "text/plain", 415, "unsupported_media_type", "Content-Type"},
      {R"({"destination":"orders","payload":{}})", "", 415, "unsupported_media_type", "Content-Type"},
  };
  for (const Case &c : cases) {
    HttpReply r = post("/v1/messages", c.body, c.content_type);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    json j = r.json();
    ASSERT_TRUE(j.is_object()) << c.body << " -> " << r.body;
    EXPECT_EQ(j.value("error", ""), c.error) << c.body << " -> " << r.body;
    EXPECT_NE(j.value("detail", "").find(c.detail_has), std::string::npos) << c.body << " -> " << r.body;
  }
  EXPECT_EQ(db.count(), 0);
}

TEST_F(ApiMessages, ContentTypeWithCharsetIsAccepted) {
  HttpReply r = post("/v1/messages", R"({"destination":"orders","payload":{}})", "application/json; charset=utf-8");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(ApiMessages, UnknownRouteIs404AndWrongMethodIs405BothJson) {
  HttpReply nf = get("/v1/nothing-here");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.json().value("error", ""), "not_found") << nf.body;
  HttpReply wm = http("DELETE", base + "/v1/messages");
  EXPECT_EQ(wm.status, 405);
  EXPECT_EQ(wm.json().value("error", ""), "method_not_allowed") << wm.body;
  EXPECT_NE(wm.headers.find("Allow: "), std::string::npos) << wm.headers;
  HttpReply wm2 = get("/v1/stats/");
  EXPECT_EQ(wm2.status, 404) << wm2.body;
  HttpReply wm3 = post("/v1/stats", "{}");
  EXPECT_EQ(wm3.status, 405) << wm3.body;
}

TEST_F(ApiMessages, GetChecksTheIdBeforeLookingItUp) {
  HttpReply bad = get("/v1/messages/not-a-uuid");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().value("error", ""), "invalid_id") << bad.body;
  HttpReply quote = get("/v1/messages/'%3B%20drop%20table");
  EXPECT_EQ(quote.status, 400) << quote.body;
  HttpReply missing = get("/v1/messages/00000000-0000-7000-8000-000000000000");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json().value("error", ""), "not_found") << missing.body;
}

TEST_F(ApiMessages, BatchWritesAllOrNothing) {
  HttpReply bad = post("/v1/messages/batch",
                       R"([{"destination":"orders","payload":1},{"destination":"orders"},{"destination":"orders","payload":3}])");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.json().value("detail", "").find("[1].payload: required"), std::string::npos) << bad.body;
  EXPECT_EQ(db.count(), 0);

  // An error only PostgreSQL finds (an unparsable time) in the second item: the first rolls back.
  HttpReply late = post("/v1/messages/batch",
                        R"([{"destination":"orders","payload":1},{"destination":"orders","payload":2,"available_at":"soon"}])");
  EXPECT_EQ(late.status, 400) << late.body;
  EXPECT_NE(late.json().value("detail", "").find("[1].available_at"), std::string::npos) << late.body;
  EXPECT_EQ(db.count(), 0);

  HttpReply unknown = post("/v1/messages/batch", R"([{"destination":"orders","payload":1},{"destination":"x","payload":2}])");
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_EQ(db.count(), 0);

  EXPECT_EQ(post("/v1/messages/batch", "[]").status, 400);
  EXPECT_EQ(post("/v1/messages/batch", R"({"destination":"orders","payload":1})").status, 400);

  HttpReply ok = post("/v1/messages/batch", R"([{"destination":"orders","payload":1},{"destination":"orders","payload":2}])");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json()["messages"].size(), 2u);
  EXPECT_EQ(db.count(), 2);
}

TEST_F(ApiMessages, ListFiltersAndValidatesItsParameters) {
  for (int i = 0; i < 3; ++i) create({{"destination", "orders"}, {"payload", i}, {"delay_ms", 3600000}});
  HttpReply all = get("/v1/messages?destination=orders&state=pending&limit=2");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json()["messages"].size(), 2u);
  ASSERT_TRUE(all.json()["next_after"].is_string()) << all.body;
  HttpReply rest = get("/v1/messages?destination=orders&state=pending&limit=2&after=" +
                       all.json()["next_after"].get<std::string>());
  EXPECT_EQ(rest.json()["messages"].size(), 1u) << rest.body;
  EXPECT_TRUE(rest.json()["next_after"].is_null()) << rest.body;
  EXPECT_EQ(get("/v1/messages?state=dead").json()["messages"].size(), 0u);
  for (const char *q : {"limit=0", "limit=1001", "limit=x", "state=lost", "after=-1", "colour=red"}) {
    HttpReply r = get(std::string("/v1/messages?") + q);
    EXPECT_EQ(r.status, 400) << q << " -> " << r.body;
    EXPECT_EQ(r.json().value("error", ""), "invalid_field") << q;
  }
}

TEST_F(ApiMessages, PaginationReturnsEachRowOnceWhileRowsAreAdded) {
  for (int i = 0; i < 40; ++i) enqueue("orders", R"({"behavior":"ok"})");
  std::atomic<bool> done{false};
  std::thread inserter([&] {
    auto conn = db.connect();
    for (int i = 0; i < 150; ++i) {
      pqxx::work tx(*conn);
      tx.exec("SELECT outbox.enqueue('orders', '{\"behavior\":\"ok\"}'::jsonb)");
      tx.commit();
    }
    done = true;
  });
  std::vector<std::string> seen;
  std::vector<std::string> pages_seen;
  std::string after = "0";
  for (int pages = 0; pages < 10000; ++pages) {
    HttpReply r = get("/v1/messages?destination=orders&limit=7&after=" + after);
    ASSERT_EQ(r.status, 200) << r.body;
    json j = r.json();
    std::string page = after + ":";
    for (const auto &m : j["messages"]) page += std::to_string(m["seq"].get<long long>()) + ",";
    pages_seen.push_back(page);
    for (const auto &m : j["messages"]) {
      seen.push_back(m["id"]);
      after = std::to_string(m["seq"].get<long long>());
    }
    if (j["next_after"].is_null() && done) {
      // One last look after the inserter finished: the last page may have been short before.
      HttpReply last = get("/v1/messages?destination=orders&limit=1000&after=" + after);
      EXPECT_EQ(last.status, 200) << last.body;
      const json rest = last.json();  // kept alive: the loop below walks into it
      for (const auto &m : rest["messages"]) seen.push_back(m["id"]);
      break;
    }
  }
  inserter.join();
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a row came back twice";
  std::string trace;  // after:seq,seq,... of every page, for a failure message
  for (const auto &s : pages_seen) trace += s + " | ";
  EXPECT_EQ(static_cast<long long>(seen.size()), db.count()) << "a row was missed; pages: " << trace;
  EXPECT_EQ(db.count(), 190);
}

TEST_F(ApiMessages, ABarrageOfOddRequestsNeverGets500) {
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"POST", "/v1/messages"}, {"POST", "/v1/messages/batch"}, {"GET", "/v1/messages/%00"},
      {"POST", "/v1/messages/00000000-0000-7000-8000-000000000000/retry"},
      {"POST", "/v1/messages/00000000-0000-7000-8000-000000000000/cancel"},
      {"POST", "/v1/destinations/%20/retry-dead"}, {"GET", "/v1/messages?after=99999999999999999999"},
      {"PUT", "/v1/messages"}, {"GET", "//"}, {"POST", "/api/mail/send"}};
  const std::vector<std::string> bodies = {"", "null", "{}", "[]", "[null]", "\"x\"", "{\"destination\":null}",
                                           "{\"destination\":\"orders\",\"payload\":{},\"priority\":1e99}",
                                           "{\"destination\":\"orders\",\"payload\":{},\"max_attempts\":18446744073709551615}",
                                           std::string("{\"a\":\"\xff\"}")};
  for (const auto &[method, path] : requests)
    for (const auto &body : bodies) {
      HttpReply r = http(method, base + path, body);
      EXPECT_GE(r.status, 400) << method << " " << path << " " << body << " -> " << r.body;
      EXPECT_LT(r.status, 500) << method << " " << path << " " << body << " -> " << r.body;
      EXPECT_TRUE(r.json().is_object()) << method << " " << path << " " << body << " -> " << r.body;
    }
  EXPECT_EQ(db.count(), 0);
}

class ApiSmallBody : public ApiE2E {
 protected:
  void SetUp() override { start_api(scripted_destination("orders"), "  max_body_bytes: 2048\n"); }
};

TEST_F(ApiSmallBody, ABodyOverTheLimitGets413) {
  const std::string big = R"({"destination":"orders","payload":")" + std::string(4000, 'x') + "\"}";
  HttpReply r = post("/v1/messages", big);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(r.json().value("error", ""), "body_too_large") << r.body;
  // Far over the limit, the transport refuses it on its Content-Length, before the body: still 413.
  HttpReply huge = post("/v1/messages", std::string(200000, ' '));
  EXPECT_EQ(huge.status, 413) << huge.body;
  EXPECT_EQ(db.count(), 0);
}
