// Fair claiming inside a lane: a storm of due retries (older rows, so first in the claim's order)
// must not starve the destination's new messages. A lane's worker claims first attempts only after
// a batch that held retries (sql/queries/message_claim.sql, $6), so new messages get every other
// claim however many retries are due. Real daemon, real PostgreSQL; assertions on the order of
// events, never on how long something took.
#include "tests/e2e/harness.hpp"

using namespace outboxd::test;

class LaneFairness : public E2E {};

TEST_F(LaneFairness, AStormOfDueRetriesDoesNotStarveNewMessages) {
  // 200 messages that always ask to be retried 1 ms later: each is due again almost at once, and all
  // are older than what comes next, so a claim in (priority, seq) order alone would never reach it.
  db.exec("SELECT outbox.enqueue('orders', '{\"behavior\": \"retry\", \"retry_after_ms\": 1}'::jsonb, "
          "max_attempts => 1000) FROM generate_series(1, 200)");
  auto daemon = start(write_config(scripted_destination("orders"), "workers: 1\nbatch_size: 5\n"));
  // The storm is on: every one of them has been tried, and the oldest again and again.
  ASSERT_TRUE(wait_count("destination = 'orders' AND attempt >= 1", 200)) << daemon->log();
  ASSERT_TRUE(wait_until([&] { return db.count("attempt >= 5") >= 5; })) << daemon->log();

  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('fresh', n)) FROM generate_series(1, 10) n");
  ASSERT_TRUE(wait_count("payload ? 'fresh' AND state = 'delivered'", 10)) << daemon->log();
  // ... while the storm still goes on: none of it has run out of attempts or been delivered.
  EXPECT_EQ(db.count("NOT payload ? 'fresh' AND state = 'pending'"), 200);
}
