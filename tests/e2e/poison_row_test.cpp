// A row PostgreSQL cannot write out must not stop delivery. Written through SQL (no API check in
// the way), 9,000 numbers of 131,072 digits each are more text than PostgreSQL can build (1 GB):
// every claim once failed on it, and no destination delivered anything. Now the claim falls back
// to claiming the rows bare and writing each out under a savepoint: the bomb goes dead with the
// reason, named by id in the log, and the others are delivered. A row that can be written out but
// is larger than a plugin is handed (kMaxMessageTextBytes) goes dead too. GET shows both without a
// 5xx, and the daemon's memory stays bounded: the bytes never leave PostgreSQL.
#include "tests/e2e/api_harness.hpp"
#include "tests/support/proc_stats.hpp"

using namespace outboxd::test;

namespace {

constexpr long kMiBInKiB = 1024;

class PoisonRow : public ApiE2E {
 protected:
  void SetUp() override { start_api(scripted_destination("orders")); }

  // Enqueues through SQL a payload of `n` numbers PostgreSQL writes out with 131,072 digits each
  // (stored in a few bytes each), and returns its id.
  std::string enqueue_digits(int n) {
    return db.scalar("SELECT outbox.enqueue('orders', (SELECT jsonb_agg(1e131071::numeric) FROM generate_series(1, " +
                     std::to_string(n) + ")))::text");
  }
};

TEST_F(PoisonRow, TheOthersAreDeliveredAndTheRowsPostgresCannotHandOnGoDead) {
  for (int i = 0; i < 5; ++i) enqueue("orders", R"({"n": 1})");
  const std::string bomb = enqueue_digits(9000);       // ~1.18 GB written out: PostgreSQL refuses
  const std::string too_large = enqueue_digits(1000);  // ~131 MB written out: over the 64 MiB handed on
  for (int i = 0; i < 5; ++i) enqueue("orders", R"({"n": 2})");
  ASSERT_FALSE(bomb.empty());

  ASSERT_TRUE(wait_count("state = 'delivered'", 10, std::chrono::seconds(120))) << daemon->log();
  ASSERT_TRUE(wait_count("state = 'dead'", 2, std::chrono::seconds(60))) << daemon->log();
  const std::string bomb_error = db.scalar("SELECT last_error FROM outbox.messages WHERE id = '" + bomb + "'");
  EXPECT_EQ(bomb_error.rfind("PostgreSQL cannot write its payload or headers out (", 0), 0u) << bomb_error;
  EXPECT_NE(bomb_error.find("never sent"), std::string::npos) << bomb_error;
  EXPECT_EQ(db.scalar("SELECT last_error FROM outbox.messages WHERE id = '" + too_large + "'"),
            "payload and headers are 131074002 bytes written out, more than the 67108864 (64 MiB) a plugin is "
            "handed; never sent");
  EXPECT_TRUE(daemon->wait_for_log("message " + bomb + " (seq ")) << daemon->log();
  EXPECT_LT(rss_kib(daemon->pid()), 200 * kMiBInKiB) << "the bytes must stay in PostgreSQL";

  // GET answers for both rows and for a list holding them, showing why the payload is left out.
  for (const std::string &id : {bomb, too_large}) {
    HttpReply one = get("/v1/messages/" + id);
    ASSERT_EQ(one.status, 200) << one.body.substr(0, 300);
    EXPECT_TRUE(one.json()["payload"].is_null()) << one.body.substr(0, 300);
    EXPECT_TRUE(one.json()["omitted"].is_object()) << one.body.substr(0, 300);
    EXPECT_EQ(one.json().value("state", ""), "dead");
  }
  EXPECT_NE(get("/v1/messages/" + bomb).json()["omitted"].value("reason", "").find("cannot write"), std::string::npos);
  HttpReply list = get("/v1/messages?limit=100");
  ASSERT_EQ(list.status, 200) << list.body.substr(0, 300);
  const auto messages = list.json()["messages"];
  ASSERT_EQ(messages.size(), 12u) << list.body.substr(0, 300);
  EXPECT_EQ(messages[0]["payload"], nlohmann::json::parse(R"({"n": 1})"));
  EXPECT_TRUE(messages[5]["omitted"].is_object());
  EXPECT_TRUE(messages[6]["omitted"].is_object());
  EXPECT_EQ(messages[11]["payload"], nlohmann::json::parse(R"({"n": 2})"));
  EXPECT_LT(rss_kib(daemon->pid()), 200 * kMiBInKiB) << "the bytes must stay in PostgreSQL";

  // Delivery goes on afterwards.
  enqueue("orders", R"({"n": 3})");
  EXPECT_TRUE(wait_count("state = 'delivered'", 11)) << daemon->log();
}

// A pending row whose attempts already reach its own max_attempts (what a hand-written requeue,
// UPDATE ... SET state = 'pending' without resetting attempt, leaves) or whose count is at the
// integer limit: once it was sent, its outcome could not be written (CHECK, or integer out of
// range), the batch rolled back, and every claim sent it again and stopped everyone else's
// delivery. Now it is dead at its claim, never sent, and the rest are delivered.
class ExhaustedRow : public ApiE2E {};

TEST_F(ExhaustedRow, IsDeadNeverSentAndStopsNoClaim) {
  db.exec("INSERT INTO outbox.messages (destination, payload, attempt, max_attempts) VALUES "
          "('orders', '{\"full\": 1}', 3, 3), ('orders', '{\"full\": 2}', 2147483647, NULL), "
          "('orders', '{\"full\": 3}', 2147483647, 2147483647)");
  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('n', g)) FROM generate_series(1, 20) g");
  start_api(scripted_destination("orders"));
  ASSERT_TRUE(wait_count("state = 'delivered'", 20)) << daemon->log();
  ASSERT_TRUE(wait_count("state = 'dead'", 3)) << daemon->log();
  EXPECT_EQ(db.count("state = 'dead' AND last_error LIKE '%attempts already reach its max_attempts%never sent'"), 3)
      << db.scalar("SELECT string_agg(last_error, ' | ') FROM outbox.messages WHERE state = 'dead'");
  EXPECT_EQ(db.count("state = 'dead' AND attempt <= coalesce(max_attempts, 2147483647)"), 3);
  for (const auto &c : read_calls(record_path())) EXPECT_FALSE(c.payload.contains("full")) << c.payload.dump();
  EXPECT_EQ(daemon->log().find("batch failed"), std::string::npos) << daemon->log();

  // The way out the error names: a retry grants a new round, and the message is sent.
  const std::string requeued = db.scalar("SELECT id FROM outbox.messages WHERE payload = '{\"full\": 1}'");
  EXPECT_EQ(post("/v1/messages/" + requeued + "/retry").status, 200);
  EXPECT_TRUE(wait_state(requeued, "delivered")) << daemon->log();
}

}  // namespace
