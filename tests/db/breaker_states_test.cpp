// Each daemon's circuit breakers in PostgreSQL (migration 0006, sql/queries/breaker_state*.sql):
// the typed functions write and read back every column, a rewrite replaces the daemon's row, a
// daemon's rows go with it, and rows nobody refreshed are pruned.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "core/queries.hpp"
#include "tests/support/test_database.hpp"

namespace outboxd {
namespace {

using test::TestDatabase;

TEST(BreakerStates, PublishWritesEveryColumnAndARewriteReplacesTheRow) {
  TestDatabase db;
  auto conn = db.connect();
  pqxx::nontransaction tx(*conn);
  queries::breaker_state_publish(tx, "host-a:10", "mail", "open", "breaker of mail opened after 3 consecutive failures",
                                 2000, 58000);
  queries::breaker_state_publish(tx, "host-b:20", "mail", "closed", "breaker of mail closed: a message was delivered",
                                 0, std::nullopt);
  queries::breaker_state_publish(tx, "host-a:10", "hooks", "half_open", "breaker of hooks half-open", 10, std::nullopt);
  auto rows = queries::breaker_states_list(tx);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].destination, "hooks") << "in destination, then daemon, order";
  EXPECT_EQ(rows[1].daemon, "host-a:10");
  EXPECT_EQ(rows[2].daemon, "host-b:20");
  const queries::BreakerStateRow &open = rows[1];
  EXPECT_EQ(open.destination, "mail");
  EXPECT_EQ(open.state, "open");
  EXPECT_EQ(open.reason, "breaker of mail opened after 3 consecutive failures");
  EXPECT_NEAR(open.changed_seconds_ago, 2.0, 1.0);
  ASSERT_TRUE(open.next_probe_in_seconds.has_value());
  EXPECT_NEAR(*open.next_probe_in_seconds, 58.0, 1.0);
  ASSERT_TRUE(open.next_probe_at.has_value());
  EXPECT_NE(open.next_probe_at->find('T'), std::string::npos) << "ISO 8601: " << *open.next_probe_at;
  EXPECT_NE(open.changed_at.find('T'), std::string::npos) << open.changed_at;
  EXPECT_NEAR(open.refreshed_seconds_ago, 0.0, 1.0);
  EXPECT_FALSE(rows[2].next_probe_at.has_value());
  EXPECT_FALSE(rows[2].next_probe_in_seconds.has_value());

  queries::breaker_state_publish(tx, "host-a:10", "mail", "closed", "breaker of mail closed: turned off", 0,
                                 std::nullopt);
  rows = queries::breaker_states_list(tx);
  ASSERT_EQ(rows.size(), 3u) << "the same daemon and destination: one row";
  EXPECT_EQ(rows[1].state, "closed");
  EXPECT_FALSE(rows[1].next_probe_at.has_value());
}

TEST(BreakerStates, ADaemonsRowsGoWithItAndUnrefreshedRowsArePruned) {
  TestDatabase db;
  auto conn = db.connect();
  pqxx::nontransaction tx(*conn);
  queries::breaker_state_publish(tx, "gone:1", "mail", "open", "r", 0, 1000);
  queries::breaker_state_publish(tx, "alive:2", "mail", "open", "r", 0, 1000);
  queries::breaker_state_publish(tx, "alive:2", "hooks", "open", "r", 0, 1000);
  tx.exec("UPDATE outbox.breaker_states SET refreshed_at = now() - interval '11 minutes' WHERE daemon = 'gone:1'");
  queries::breaker_states_prune(tx, 600);
  auto rows = queries::breaker_states_list(tx);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto &r : rows) EXPECT_EQ(r.daemon, "alive:2");
  queries::breaker_states_forget_daemon(tx, "alive:2");
  EXPECT_TRUE(queries::breaker_states_list(tx).empty());
}

TEST(BreakerStates, TheTableRefusesAnUnknownState) {
  TestDatabase db;
  auto conn = db.connect();
  pqxx::nontransaction tx(*conn);
  EXPECT_THROW(queries::breaker_state_publish(tx, "d:1", "mail", "ajar", "r", 0, std::nullopt), pqxx::check_violation);
}

}  // namespace
}  // namespace outboxd
