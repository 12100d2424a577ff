// The daemon under stress: two daemons at once, kill -9, SIGTERM mid-flight (ordering keys under
// stress: ordering_keys_test.cpp).
#include <signal.h>

#include <set>

#include "tests/e2e/harness.hpp"
#include "tests/support/private_cluster.hpp"

using namespace outboxd::test;

class Robustness : public E2E {};

TEST_F(Robustness, TwoDaemonsDeliverTenThousandMessagesWithoutDuplicatesOrLosses) {
  const std::string rec_a = dir.file("a.jsonl"), rec_b = dir.file("b.jsonl");
  auto a = start(write_config(scripted_destination("orders", "", rec_a), "batch_size: 100\n", "a.yaml"), "a.log");
  auto b = start(write_config(scripted_destination("orders", "", rec_b), "batch_size: 100\n", "b.yaml"), "b.log");
  db.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'orders', to_jsonb(g) FROM generate_series(1, 10000) g");
  ASSERT_TRUE(wait_count("state = 'delivered'", 10000, std::chrono::seconds(120))) << a->log() << b->log();
  auto calls = read_calls(rec_a);
  auto more = read_calls(rec_b);
  calls.insert(calls.end(), more.begin(), more.end());
  auto by_id = ok_calls_by_id(calls);
  EXPECT_EQ(calls.size(), 10000u) << "every message handed to a plugin exactly once";
  EXPECT_EQ(by_id.size(), 10000u);
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT id) FROM outbox.messages WHERE state = 'delivered'"), "10000");
}

TEST_F(Robustness, Kill9MidBatchThenRestartDeliversEveryMessage) {
  auto config = write_config(scripted_destination("orders"));
  db.exec("INSERT INTO outbox.messages (destination, payload) "
          "SELECT 'orders', jsonb_build_object('n', g, 'behavior', 'slow', 'ms', 10) FROM generate_series(1, 300) g");
  {
    auto daemon = start(config, "first.log");
    ASSERT_TRUE(wait_until([&] { return read_calls(record_path()).size() >= 40; })) << daemon->log();
    daemon->signal(SIGKILL);
    EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(10)), 128 + SIGKILL);
  }
  EXPECT_GT(db.count("state = 'pending'"), 0) << "the kill came mid-way";
  auto daemon = start(config, "second.log");
  ASSERT_TRUE(wait_count("state = 'delivered'", 300, std::chrono::seconds(60))) << daemon->log();
  auto by_id = ok_calls_by_id(read_calls(record_path()));
  EXPECT_EQ(by_id.size(), 300u) << "none lost";
  int duplicates = 0;
  for (const auto &[id, n] : by_id) duplicates += n - 1;
  // Only the batches in flight at the kill can be sent twice (2 workers x batch_size 10), and
  // each duplicate carries the same id, so a receiver drops it.
  EXPECT_LE(duplicates, 20);
}

TEST_F(Robustness, SigtermFinishesInFlightBatchesAndClaimsNothingNew) {
  auto config = write_config(scripted_destination("orders"));
  db.exec("INSERT INTO outbox.messages (destination, payload) "
          "SELECT 'orders', jsonb_build_object('n', g, 'behavior', 'slow', 'ms', 10) FROM generate_series(1, 300) g");
  {
    auto daemon = start(config, "first.log");
    ASSERT_TRUE(wait_until([&] { return read_calls(record_path()).size() >= 30; })) << daemon->log();
    daemon->signal(SIGTERM);
    EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
    EXPECT_NE(daemon->log().find("stopped cleanly"), std::string::npos) << daemon->log();
  }
  // Everything a plugin was handed was committed as delivered, and nothing else was.
  auto calls = read_calls(record_path());
  EXPECT_EQ(db.count("state = 'delivered'"), static_cast<long long>(calls.size()));
  EXPECT_GT(db.count("state = 'pending'"), 0);
  auto daemon = start(config, "second.log");
  ASSERT_TRUE(wait_count("state = 'delivered'", 300, std::chrono::seconds(60))) << daemon->log();
  EXPECT_EQ(read_calls(record_path()).size(), 300u) << "a graceful stop sends nothing twice";
}

TEST_F(Robustness, SigtermSendsNoMoreOfAKeysRunThanIsInFlight) {
  // One worker claims the key's 40 messages in one batch and sends them one after another.
  auto config = write_config(scripted_destination("orders"), "workers: 1\nbatch_size: 40\n");
  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('n', g, 'behavior', 'slow', 'ms', 50), "
          "ordering_key => 'k') FROM generate_series(1, 40) g ORDER BY g");
  {
    auto daemon = start(config, "first.log");
    ASSERT_TRUE(wait_until([&] { return read_calls(record_path()).size() >= 3; })) << daemon->log();
    daemon->signal(SIGTERM);
    EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
    EXPECT_NE(daemon->log().find("are not sent; they stay pending, unchanged"), std::string::npos) << daemon->log();
  }
  const auto sent = read_calls(record_path()).size();
  EXPECT_LT(sent, 40u) << "the stop waited for the whole run";
  EXPECT_EQ(db.count("state = 'delivered'"), static_cast<long long>(sent));
  EXPECT_EQ(db.count("state = 'pending' AND attempt = 0"), static_cast<long long>(40 - sent));
  auto daemon = start(config, "second.log");
  ASSERT_TRUE(wait_count("state = 'delivered'", 40, std::chrono::seconds(60))) << daemon->log();
  const auto calls = read_calls(record_path());
  ASSERT_EQ(calls.size(), 40u) << "a graceful stop sends nothing twice";
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].payload["n"], static_cast<int>(i) + 1);
}

TEST_F(Robustness, SecondSignalExitsAtOnceAndLeavesTheClaimPending) {
  auto daemon = start(write_config(scripted_destination("orders", "    timeout_ms: 30000\n"), "workers: 1\n"));
  enqueue("orders", R"({"behavior": "hang", "ms": 20000})");
  // The claim transaction is open while the plugin hangs.
  ASSERT_TRUE(wait_open_claims(1)) << daemon->log();
  daemon->signal(SIGTERM);
  ASSERT_TRUE(daemon->wait_for_log("send it again to exit at once")) << daemon->log();
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(5)), 1) << daemon->log();
  EXPECT_TRUE(wait_count("state = 'pending' AND attempt = 0", 1));
  // The message being sent may have reached its receiver, and will be sent again: said, by id.
  const std::string id = db.scalar("SELECT id FROM outbox.messages");
  EXPECT_NE(daemon->log().find("were being sent, or sent without their outcome written, when the daemon gave up on them; they may have reached their "
                               "receivers and will be sent again (receivers drop duplicates by id): " + id),
            std::string::npos)
      << daemon->log();
}

TEST_F(Robustness, PostgresRestartUnderLoadIsSurvivedWithoutLosses) {
  // A private cluster, so restarting it does not disturb tests running in parallel.
  PrivateCluster pg;
  {
    auto daemon = start(write_config(scripted_destination("orders"), "", "outboxd.yaml", pg.conninfo()));
    pg.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'orders', to_jsonb(g) FROM generate_series(1, 100) g");
    ASSERT_TRUE(wait_until([&] { return pg.count("state = 'delivered'") == 100; })) << daemon->log();

    pg.restart();
    pg.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'orders', to_jsonb(g) FROM generate_series(101, 200) g");
    EXPECT_TRUE(wait_until([&] { return pg.count("state = 'delivered'") == 200; }, std::chrono::seconds(60)))
        << daemon->log();
    EXPECT_TRUE(daemon->running());
    EXPECT_NE(daemon->log().find("reconnecting"), std::string::npos) << daemon->log();
    daemon->signal(SIGTERM);
    EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
  }
}
