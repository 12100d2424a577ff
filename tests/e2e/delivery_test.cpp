// End to end through the real daemon: delivery, retries, dead letters, unknown destinations, hooks.
#include <signal.h>

#include <sstream>

#include "tests/e2e/harness.hpp"

using namespace outboxd::test;

class Delivery : public E2E {};

TEST_F(Delivery, EnqueuedMessageIsDeliveredWithItsIdAndPayload) {
  auto daemon = start(write_config(scripted_destination("orders")));
  auto id = db.scalar("SELECT outbox.enqueue('orders', '{\"order\": 42}', '{\"trace\": \"t1\"}')");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 1", 1)) << daemon->log();
  auto calls = read_calls(record_path());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].id, id);
  EXPECT_EQ(calls[0].payload["order"], 42);
  EXPECT_EQ(calls[0].attempt, 1);
}

TEST_F(Delivery, RolledBackApplicationTransactionDeliversNothing) {
  auto daemon = start(write_config(scripted_destination("orders")));
  {
    auto c = db.connect();
    pqxx::work tx(*c);
    tx.exec("SELECT outbox.enqueue('orders', '{\"rolled\": \"back\"}')");
    tx.abort();
  }
  enqueue("orders", R"({"marker": true})");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  auto calls = read_calls(record_path());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].payload["marker"], true);
}

TEST_F(Delivery, TransientFailuresAreRetriedUntilDelivered) {
  auto daemon = start(write_config(scripted_destination("orders")));
  enqueue("orders", R"({"behavior": "fail_until", "attempt": 3})");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 3", 1, std::chrono::seconds(30))) << daemon->log();
  EXPECT_EQ(db.scalar("SELECT jsonb_array_length(errors) FROM outbox.messages"), "2");
  auto calls = read_calls(record_path());
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].id, calls[2].id) << "the same id on every retry";
  EXPECT_EQ(calls[2].attempt, 3);
  EXPECT_TRUE(daemon->wait_for_log("attempt 1 failed, retry in")) << "each failure is logged with the message id";
}

TEST_F(Delivery, RetryAfterFromThePluginSetsTheNextAttemptTime) {
  auto daemon = start(write_config(scripted_destination("orders", "    max_backoff: 1h\n")));
  enqueue("orders", R"({"behavior": "retry", "retry_after_ms": 600000})");
  ASSERT_TRUE(wait_count("attempt = 1", 1)) << daemon->log();
  auto seconds = std::stod(db.scalar("SELECT extract(epoch FROM available_at - updated_at) FROM outbox.messages"));
  EXPECT_NEAR(seconds, 600.0, 1.0);
  EXPECT_EQ(db.count("state = 'pending' AND last_error = 'scripted retry'"), 1);
}

TEST_F(Delivery, BackoffWithoutAHintIsAttemptToTheFourthSecondsWithJitter) {
  auto daemon = start(write_config(scripted_destination("orders", "    max_backoff: 1h\n")));
  enqueue("orders", R"({"behavior": "retry"})");
  ASSERT_TRUE(wait_count("attempt = 1", 1)) << daemon->log();
  auto first = std::stod(db.scalar("SELECT extract(epoch FROM available_at - updated_at) FROM outbox.messages"));
  EXPECT_GE(first, 0.89);  // 1^4 s +/- 10 %
  EXPECT_LE(first, 1.11);
  ASSERT_TRUE(wait_count("attempt = 2", 1)) << daemon->log();
  auto second = std::stod(db.scalar("SELECT extract(epoch FROM available_at - updated_at) FROM outbox.messages"));
  EXPECT_GE(second, 16 * 0.89);  // 2^4 s +/- 10 %
  EXPECT_LE(second, 16 * 1.11);
}

TEST_F(Delivery, MessageIsDeadAfterMaxAttempts) {
  auto daemon = start(write_config(scripted_destination("orders")));
  enqueue("orders", R"({"behavior": "retry", "retry_after_ms": 10})", ", max_attempts => 3");
  ASSERT_TRUE(wait_count("state = 'dead' AND attempt = 3 AND finalized_at IS NOT NULL", 1)) << daemon->log();
  EXPECT_EQ(db.count("last_error LIKE '%gave up after 3 attempts%'"), 1);
  EXPECT_EQ(read_calls(record_path()).size(), 3u);
}

TEST_F(Delivery, DestinationMaxAttemptsIsTheDefault) {
  auto daemon = start(write_config(scripted_destination("orders")));  // max_attempts: 5
  enqueue("orders", R"({"behavior": "retry", "retry_after_ms": 10})");
  ASSERT_TRUE(wait_count("state = 'dead' AND attempt = 5", 1)) << daemon->log();
}

TEST_F(Delivery, PermanentFailureIsDeadAtOnce) {
  auto daemon = start(write_config(scripted_destination("orders")));
  enqueue("orders", R"({"behavior": "permanent"})");
  ASSERT_TRUE(wait_count("state = 'dead' AND attempt = 1", 1)) << daemon->log();
  EXPECT_EQ(db.count("last_error = 'scripted permanent failure'"), 1);
  EXPECT_TRUE(daemon->wait_for_log("dead after attempt 1")) << daemon->log();
}

TEST_F(Delivery, UnknownDestinationIsKeptPendingAndNamedOnce) {
  auto daemon = start(write_config(scripted_destination("orders")));
  enqueue("nowhere", "{}");
  enqueue("orders", "{}");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  ASSERT_TRUE(daemon->wait_for_log("destination 'nowhere', which this config does not name")) << daemon->log();
  EXPECT_EQ(db.count("destination = 'nowhere' AND state = 'pending' AND attempt = 0"), 1);
  auto log = daemon->log();
  EXPECT_EQ(log.find("'nowhere'"), log.rfind("'nowhere'")) << "warned once";
}

TEST_F(Delivery, OnOutcomeUpdatesTheApplicationTableInTheSameTransaction) {
  db.exec("CREATE TABLE mail_deliveries (message_id uuid PRIMARY KEY, status text, attempts int, errors text)");
  auto daemon = start(write_config(scripted_destination(
      "mail", "    on_outcome: \"UPDATE mail_deliveries SET status = $2, attempts = $3, "
              "errors = coalesce(errors || '; ', '') || coalesce($4, '') WHERE message_id = $1::uuid\"\n")));
  {
    auto c = db.connect();
    pqxx::work tx(*c);
    auto id = tx.exec("SELECT outbox.enqueue('mail', '{\"behavior\": \"fail_until\", \"attempt\": 2}')")[0][0]
                  .as<std::string>();
    tx.exec("INSERT INTO mail_deliveries (message_id, status) VALUES ('" + id + "', 'queued')");
    tx.commit();
  }
  ASSERT_TRUE(wait_until([&] { return db.scalar("SELECT status FROM mail_deliveries") == "delivered"; }))
      << daemon->log();
  EXPECT_EQ(db.scalar("SELECT attempts FROM mail_deliveries"), "2");
  EXPECT_NE(db.scalar("SELECT errors FROM mail_deliveries").find("scripted"), std::string::npos);
}

TEST_F(Delivery, RetentionZeroDeletesTheRowAtDelivery) {
  auto daemon = start(write_config(scripted_destination("orders"), "retention:\n  delivered: 0\n"
                                                                   "  prune_interval: 1h\n"));
  enqueue("orders", "{}");
  enqueue("orders", R"({"behavior": "permanent"})");
  // The plugin records a call before its outcome commits, so wait on the database's state.
  ASSERT_TRUE(wait_until([&] { return db.count() == 1 && db.count("state = 'dead'") == 1; })) << daemon->log();
  EXPECT_EQ(read_calls(record_path()).size(), 2u);
}

TEST_F(Delivery, PollModeDeliversWithoutListen) {
  db.exec("SELECT setval('outbox.wake_wanted', 1)");  // as a notify-mode daemon leaves it
  auto daemon = start(write_config(scripted_destination("orders"), "wakeup:\n  mode: poll\n  poll_interval: 20ms\n"));
  enqueue("orders", "{}");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  EXPECT_NE(daemon->log().find("wake-up by polling"), std::string::npos);
  EXPECT_EQ(db.scalar("SELECT last_value FROM outbox.wake_wanted"), "0") << "producers need not notify";
}

TEST_F(Delivery, ScheduledMessagesAreDeliveredWhenDueNotAtTheSafetyPoll) {
  auto daemon = start(write_config(scripted_destination("orders"), "wakeup:\n  linger: 50ms\n  safety_poll: 1h\n"));
  enqueue("orders", R"({"scheduled": true})", ", available_at => now() + interval '1500 milliseconds'");
  enqueue("orders", R"({"behavior": "fail_until", "attempt": 2})");  // retried after ~1 s
  ASSERT_TRUE(wait_count("state = 'delivered'", 2, std::chrono::seconds(10))) << daemon->log();
  auto late = std::stod(db.scalar("SELECT max(extract(epoch FROM finalized_at - available_at)) FROM outbox.messages"));
  EXPECT_LT(late, 0.5) << "a timer, not the hour-long safety poll, woke the workers";
}

TEST_F(Delivery, APluginThatOverrunsItsTimeoutIsNamedInTheLog) {
  auto daemon = start(write_config(scripted_destination("orders", "    timeout_ms: 100\n")));
  enqueue("orders", R"({"behavior": "overrun", "ms": 1300})");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  EXPECT_TRUE(daemon->wait_for_log("past timeout_ms 100")) << daemon->log();
}

TEST_F(Delivery, PrunerDeletesFinishedMessagesPastTheirRetentionOnly) {
  auto daemon = start(write_config(scripted_destination("orders"),
                                   "retention:\n  delivered: 1s\n  finished: 1h\n  prune_interval: 1s\n"));
  enqueue("orders", "{}");
  enqueue("orders", R"({"behavior": "permanent"})");
  ASSERT_TRUE(wait_count("state = 'dead'", 1)) << daemon->log();
  EXPECT_TRUE(wait_count("state = 'delivered'", 0)) << "delivered row deleted after 1 s\n" << daemon->log();
  EXPECT_TRUE(daemon->wait_for_log("retention: deleted 1 finished messages")) << daemon->log();
  EXPECT_EQ(db.count("state = 'dead'"), 1) << "dead rows keep their 1 h retention";
}

// A backlog larger than a batch goes in one sweep, batch after batch, each resuming where the last
// ended (message_purge_finished.sql), and what retention still keeps stays.
TEST_F(Delivery, PrunerWorksThroughABacklogBatchByBatch) {
  db.exec("SELECT outbox.enqueue('orders', to_jsonb(g)) FROM generate_series(1, 28) g;"
          "UPDATE outbox.messages SET state = 'delivered', "
          "  finalized_at = now() - interval '2 days' + (payload::text::int) * interval '1 second' "
          "  WHERE payload::text::int <= 25;"
          "UPDATE outbox.messages SET state = 'delivered', finalized_at = now() WHERE payload::text::int > 25;");
  auto daemon = start(write_config(scripted_destination("orders"),
                                   "retention:\n  delivered: 1h\n  prune_interval: 1h\n  prune_batch: 4\n"));
  EXPECT_TRUE(daemon->wait_for_log("retention: deleted 25 finished messages")) << daemon->log();
  EXPECT_EQ(db.count(), 3) << "the three delivered within the hour stay";
}

TEST_F(Delivery, JsonLogFormatWritesOneJsonObjectPerLine) {
  auto daemon = start(write_config(scripted_destination("orders"), "log:\n  level: debug\n  format: json\n"));
  enqueue("orders", R"({"behavior": "retry", "retry_after_ms": 60000})");
  ASSERT_TRUE(daemon->wait_for_log("attempt 1 failed")) << daemon->log();
  std::istringstream lines(daemon->log());
  int parsed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("component") && j.contains("message")) << line;
    ++parsed;
  }
  EXPECT_GE(parsed, 3);
}

TEST_F(Delivery, APluginWithSendBatchGetsTheBatchInOneCallAndEachOutcomeLandsOnItsMessage) {
  auto daemon = start(write_config("  orders:\n    plugin: scripted_batch\n    config:\n      record: \"" +
                                   record_path() + "\"\n"));
  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('n', n, 'behavior', "
          "CASE WHEN n % 3 = 0 THEN 'permanent' ELSE 'ok' END)) FROM generate_series(0, 9) n");
  ASSERT_TRUE(wait_count("state <> 'pending'", 10)) << daemon->log();
  EXPECT_EQ(db.count("state = 'dead' AND (payload ->> 'n')::int % 3 = 0"), 4);
  EXPECT_EQ(db.count("state = 'delivered' AND (payload ->> 'n')::int % 3 <> 0"), 6);
  int largest = 0;
  for (const auto &c : read_calls(record_path())) largest = std::max(largest, c.batch);
  EXPECT_GT(largest, 1) << "messages claimed together reach the plugin together";
}
