// lane_due_work.sql, the lane scout's look (core/lane_scout.hpp): which quiet lanes have a message a
// claim would take now. Real PostgreSQL; each case is one kind of row the claim would or would not
// take.
#include <gtest/gtest.h>

#include <algorithm>

#include <pqxx/pqxx>

#include "core/queries.hpp"
#include "tests/support/test_database.hpp"

namespace outboxd {
namespace {

using test::TestDatabase;

std::vector<std::string> due(TestDatabase &db, const std::vector<std::string> &names,
                             const std::vector<std::string> &ahead = {}) {
  auto conn = db.connect();
  pqxx::nontransaction tx(*conn);
  std::vector<std::string> out = queries::lane_due_work(tx, names, ahead);
  std::sort(out.begin(), out.end());
  return out;
}

using Names = std::vector<std::string>;

TEST(LaneDueWork, NamesOnlyTheAskedDestinationsWithADuePendingMessage) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '{}')");
  db.exec("SELECT outbox.enqueue('c', '{}')");
  db.exec("SELECT outbox.enqueue('d', '{}')");
  EXPECT_EQ(due(db, {"a", "b", "c"}), (Names{"a", "c"})) << "d was not asked about, b has nothing";
  EXPECT_EQ(due(db, {}), Names{});
}

TEST(LaneDueWork, AFinishedMessageIsNoWork) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '{}')");
  db.exec("UPDATE outbox.messages SET state = 'delivered', finalized_at = now()");
  EXPECT_EQ(due(db, {"a"}), Names{});
}

TEST(LaneDueWork, AScheduledMessageCountsOnlyForAPluginThatSchedulesAhead) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue_in('a', '{}', interval '1 hour')");
  db.exec("SELECT outbox.enqueue_in('b', '{}', interval '1 hour')");
  EXPECT_EQ(due(db, {"a", "b"}), Names{}) << "not due yet";
  EXPECT_EQ(due(db, {"a", "b"}, {"b"}), Names{"b"}) << "b's plugin takes a first attempt before it is due";
  db.exec("UPDATE outbox.messages SET attempt = 1");
  EXPECT_EQ(due(db, {"a", "b"}, {"b"}), Names{}) << "a retry waits for its backoff even so";
}

TEST(LaneDueWork, APausedDestinationHasNothingToClaim) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '{}')");
  db.exec("INSERT INTO outbox.destination_controls (destination, paused) VALUES ('a', true)");
  EXPECT_EQ(due(db, {"a"}), Names{});
}

TEST(LaneDueWork, AnUncommittedMessageIsNotSeenUntilItsCommit) {
  TestDatabase db;
  auto producer = db.connect();
  pqxx::work open(*producer);
  open.exec("SELECT outbox.enqueue('a', '{}')");
  EXPECT_EQ(due(db, {"a"}), Names{});
  open.commit();
  EXPECT_EQ(due(db, {"a"}), Names{"a"}) << "seen from its commit on, however long it was open";
}

}  // namespace
}  // namespace outboxd
