// The claim's plan on a worker connection: an ordered walk of messages_claim_idx, never a sort of
// every pending row, even when the statistics were taken while the table was empty.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <regex>

#include "core/db.hpp"
#include "core/sql_catalog.hpp"
#include "tests/support/test_database.hpp"

using outboxd::test::TestDatabase;

namespace {

std::string claim_plan(pqxx::connection_base &conn, const std::string &query = "message_claim") {
  std::string sql = outboxd::query_text(query);
  sql = std::regex_replace(sql, std::regex(R"(\$1::text)"), "'a'::text");
  sql = std::regex_replace(sql, std::regex(R"(\$2)"), "100");
  sql = std::regex_replace(sql, std::regex(R"(\$3::boolean)"), "false");
  sql = std::regex_replace(sql, std::regex(R"(\$4::bigint)"), "67108864");
  sql = std::regex_replace(sql, std::regex(R"(\$5::boolean)"), "true");
  sql = std::regex_replace(sql, std::regex(R"(\$6::boolean)"), "false");
  sql = std::regex_replace(sql, std::regex(R"(\$7::text\[\])"), "'{k}'::text[]");
  pqxx::work tx(conn);
  std::string plan;
  for (const auto &row : tx.exec("EXPLAIN " + sql)) plan += row[0].as<std::string>() + "\n";
  return plan;
}

}  // namespace

TEST(ClaimPlan, WalksTheClaimIndexInOrderEvenWithStaleStatistics) {
  TestDatabase db;
  db.exec("ANALYZE outbox.messages");  // statistics of an empty table
  db.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'a', '{}' FROM generate_series(1, 50000)");
  pqxx::connection conn(db.conninfo());
  outboxd::apply_session_settings(conn, outboxd::SessionRole::Worker);
  auto plan = claim_plan(conn);
  EXPECT_NE(plan.find("messages_claim_idx"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Sort"), std::string::npos) << plan;
}

// Each destination claims on its own: the walk starts at its own rows, so a deep backlog of
// another destination (throttled, paused, its receiver down) costs its claims nothing.
TEST(ClaimPlan, StartsAtItsOwnDestinationPastAnotherDestinationsBacklog) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'b', '{}' FROM generate_series(1, 50000)");
  db.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'a', '{}' FROM generate_series(1, 10)");
  db.exec("ANALYZE outbox.messages");
  pqxx::connection conn(db.conninfo());
  outboxd::apply_session_settings(conn, outboxd::SessionRole::Worker);
  auto plan = claim_plan(conn);
  EXPECT_NE(plan.find("messages_claim_idx"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Index Cond: (destination = 'a'::text)"), std::string::npos) << plan;
}

// The claim of keys' runs walks the same index for its window, stops after batch_size rows, and
// looks each window key up in messages_ordering_idx, however stale the statistics.
TEST(ClaimPlan, TheClaimOfKeysRunsWalksTheClaimIndexAndLooksKeysUpByIndex) {
  TestDatabase db;
  db.exec("ANALYZE outbox.messages");  // statistics of an empty table
  db.exec("INSERT INTO outbox.messages (destination, payload, ordering_key) "
          "SELECT 'a', '{}', 'k' || (g / 100) FROM generate_series(1, 50000) g");
  pqxx::connection conn(db.conninfo());
  outboxd::apply_session_settings(conn, outboxd::SessionRole::Worker);
  auto plan = claim_plan(conn, "message_claim_key_runs");
  EXPECT_NE(plan.find("Index Scan using messages_claim_idx"), std::string::npos) << plan;
  EXPECT_NE(plan.find("messages_ordering_idx"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan on messages"), std::string::npos) << plan;
}
