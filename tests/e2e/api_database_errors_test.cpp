// What the database says, as the HTTP API answers it: a value PostgreSQL refuses is a 400 naming
// the field, on every enqueue path (POST /v1/messages and the mail endpoint alike); a statement
// cancelled or timed out is a 503 database_timeout; a database that refuses connections is a 503
// whose body names no host, user or database (libpq's text does; it goes to the log instead).
#include <future>

#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;

namespace {

// PostgreSQL's words for a character a LATIN1 database cannot hold (U+4E2D).
const std::string kNotLatin1 =
    "character with byte sequence 0xe4 0xb8 0xad in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"";

class ApiOnALatin1Database : public ApiE2E {
 protected:
  TestDatabase latin1{true, "LATIN1"};
  void SetUp() override {
    start_api(scripted_destination("orders") + scripted_destination("mail"), "  mail_destination: mail\n", "",
              latin1.conninfo() + " client_encoding=UTF8");  // the API's JSON is UTF-8
  }
};

TEST_F(ApiOnALatin1Database, TextTheDatabaseCannotHoldIsA400NamingTheFieldOnEveryEnqueuePath) {
  HttpReply r = http("POST", base + "/v1/messages", "{\"destination\":\"orders\",\"payload\":{\"s\":\"\xe4\xb8\xad\"}}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json().value("detail", ""), "payload: " + kNotLatin1) << r.body;
  r = http("POST", base + "/v1/messages/batch",
           "[{\"destination\":\"orders\",\"payload\":{}},{\"destination\":\"orders\",\"payload\":{},"
           "\"idempotency_key\":\"\xe4\xb8\xad\"}]");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json().value("detail", ""), "[1].idempotency_key: " + kNotLatin1) << r.body;
  // The mail endpoint goes through the same checked enqueue: its payload is the body.
  r = http("POST", base + "/api/mail/send",
           "{\"from\":\"a@example.com\",\"to\":\"b@example.com\",\"subject\":\"\xe4\xb8\xad\",\"content\":\"x\"}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json().value("error", ""), "invalid_field") << r.body;
  EXPECT_EQ(r.json().value("detail", ""), "body: " + kNotLatin1) << r.body;
  EXPECT_EQ(http("GET", base + "/healthz").status, 200);
  EXPECT_EQ(latin1.scalar("SELECT count(*) FROM outbox.messages"), "0");
}

class ApiDatabaseTrouble : public ApiE2E {
 protected:
  void SetUp() override { start_api(scripted_destination("orders")); }
};

TEST_F(ApiDatabaseTrouble, ACancelledStatementIs503DatabaseTimeout) {
  // A lock held by the test keeps the API's list waiting; cancelling that wait is what a
  // statement_timeout does too (SQLSTATE 57014).
  auto locker = db.connect();
  pqxx::work lock(*locker);
  lock.exec("LOCK TABLE outbox.messages IN ACCESS EXCLUSIVE MODE");
  auto reply = std::async(std::launch::async, [&] { return get("/v1/messages"); });
  // The list's statement (its text starts with message_list.sql's comment; pg_stat_activity shows
  // only the first 1024 bytes), not the workers', which wait too.
  const std::string waiting = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
                              "wait_event_type = 'Lock' AND query LIKE '%keyset pagination (GET /v1/messages)%'";
  ASSERT_TRUE(wait_until([&] { return !db.scalar(waiting).empty(); }, std::chrono::seconds(20)))
      << db.scalar("SELECT string_agg(wait_event_type || ': ' || left(query, 80), E'\n') FROM pg_stat_activity "
                   "WHERE datname = current_database()");
  db.exec("SELECT pg_cancel_backend(pid) FROM (" + waiting + ") w");
  const HttpReply r = reply.get();
  lock.abort();
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.json().value("error", ""), "database_timeout") << r.body;
  EXPECT_EQ(r.json().value("detail", ""), "the database did not answer in time (statement timeout); retry");
  EXPECT_EQ(get("/v1/messages").status, 200);
}

TEST_F(ApiDatabaseTrouble, ADatabaseRefusingConnectionsIs503NamingNothingOfIt) {
  ASSERT_EQ(get("/v1/messages").status, 200);
  // The database stops taking connections and the API's are ended: the next requests meet a lost
  // connection, then a refused one whose libpq text names the database.
  {
    pqxx::connection admin(admin_conninfo());
    pqxx::nontransaction tx(admin);
    tx.exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS false");
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.name() + "'");
  }
  bool refused_seen = false;
  for (int i = 0; i < 20 && !refused_seen; ++i) {  // each idle pooled connection is found lost first
    const HttpReply r = get("/v1/messages");
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.json().value("error", ""), "database_unavailable") << r.body;
    EXPECT_EQ(r.body.find(db.name()), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("outbox"), std::string::npos) << "no user name: " << r.body;
    EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << r.body;
    refused_seen = refused_seen || r.json().value("detail", "") == "the database cannot be reached; retry";
  }
  EXPECT_TRUE(refused_seen);
  // The log has what the client was not told.
  EXPECT_TRUE(daemon->wait_for_log("is not currently accepting connections")) << daemon->log();
  {
    pqxx::connection admin(admin_conninfo());
    pqxx::nontransaction tx(admin);
    tx.exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS true");
  }
  EXPECT_TRUE(wait_until([&] { return get("/v1/messages").status == 200; }, std::chrono::seconds(30)));
}

}  // namespace
