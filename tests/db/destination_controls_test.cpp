// Pause and resume of a destination (outbox.destination_controls, migration 0005) against a real
// PostgreSQL: what the claim does with a paused destination, the wake-up a resume sends, and the
// migration on an outbox in use. The typed functions themselves are tested in queries_test.cpp.
#include <gtest/gtest.h>

#include <set>

#include <pqxx/pqxx>

#include "core/message_limits.hpp"
#include "core/migrations.hpp"
#include "core/queries.hpp"
#include "tests/support/test_database.hpp"

namespace outboxd {
namespace {

using test::TestDatabase;

bool pause_now(pqxx::connection &conn, const std::string &destination) {
  pqxx::work tx(conn);
  const bool changed = queries::destination_pause(tx, destination);
  tx.commit();
  return changed;
}

bool resume_now(pqxx::connection &conn, const std::string &destination) {
  pqxx::work tx(conn);
  const bool changed = queries::destination_resume(tx, destination);
  tx.commit();
  return changed;
}

std::vector<queries::DestinationControlRow> controls_now(pqxx::connection &conn) {
  pqxx::read_transaction tx(conn);
  return queries::destination_controls_list(tx);
}

// The destinations of the rows that the lanes of a and b claim (up to 10 each); the claims are
// rolled back.
std::multiset<std::string> claimed_destinations(pqxx::connection &conn) {
  pqxx::work tx(conn);
  std::multiset<std::string> out;
  for (const char *lane : {"a", "b"})
    for (const auto &row : queries::message_claim(tx, lane, 10, false, kMaxMessageTextBytes, true))
      out.insert(row.destination);
  return out;
}

TEST(DestinationControls, ASecondPauseKeepsTheTimeThePauseBegan) {
  TestDatabase db;
  auto conn = db.connect();
  ASSERT_TRUE(pause_now(*conn, "a"));
  const std::string first = db.scalar("SELECT paused_at FROM outbox.destination_controls");
  EXPECT_FALSE(pause_now(*conn, "a"));
  EXPECT_EQ(db.scalar("SELECT paused_at FROM outbox.destination_controls"), first);
  ASSERT_TRUE(resume_now(*conn, "a"));
  EXPECT_EQ(db.scalar("SELECT paused_at IS NULL FROM outbox.destination_controls"), "t");
}

// Migration 0005 on an outbox in use (built at version 4): nothing is paused, every pending
// message is claimed as before.
TEST(DestinationControls, TheMigrationLeavesAnOutboxInUseUnpaused) {
  TestDatabase db(/*migrate=*/false);
  {
    pqxx::connection c(db.conninfo());
    outboxd::apply_migrations(c, 4);
  }
  db.exec("SELECT outbox.enqueue('a', '1'), outbox.enqueue('b', '2')");
  {
    pqxx::connection c(db.conninfo());
    const std::vector<int> applied = outboxd::apply_migrations(c);
    ASSERT_FALSE(applied.empty());
    EXPECT_EQ(applied.front(), 5);
  }
  auto conn = db.connect();
  EXPECT_TRUE(controls_now(*conn).empty());
  EXPECT_EQ(claimed_destinations(*conn), (std::multiset<std::string>{"a", "b"}));
}

TEST(DestinationControls, TheClaimSkipsAPausedDestinationAndTakesItAgainOnceResumed) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '1'), outbox.enqueue('a', '2'), outbox.enqueue('b', '3')");
  auto conn = db.connect();
  ASSERT_TRUE(pause_now(*conn, "a"));
  EXPECT_EQ(claimed_destinations(*conn), (std::multiset<std::string>{"b"}))
      << "a's rows come first in seq order, yet only b's are claimed";
  {
    // A claim that commits without taking a's rows leaves them exactly as they were.
    pqxx::work tx(*conn);
    EXPECT_EQ(queries::message_claim(tx, "a", 10, false, kMaxMessageTextBytes, true).size(), 0u);
    tx.commit();
  }
  EXPECT_EQ(db.count("destination = 'a' AND state = 'pending' AND attempt = 0 AND last_error IS NULL"), 2);
  ASSERT_TRUE(pause_now(*conn, "b"));
  EXPECT_TRUE(claimed_destinations(*conn).empty()) << "both paused";

  ASSERT_TRUE(resume_now(*conn, "a"));
  EXPECT_EQ(claimed_destinations(*conn), (std::multiset<std::string>{"a", "a"}));
  ASSERT_TRUE(resume_now(*conn, "b"));
  EXPECT_EQ(claimed_destinations(*conn), (std::multiset<std::string>{"a", "a", "b"}));
  EXPECT_EQ(db.count("attempt = 0"), 3) << "skipping a row never counts an attempt";
}

struct PauseWakeCounter : pqxx::notification_receiver {
  explicit PauseWakeCounter(pqxx::connection_base &c) : pqxx::notification_receiver(c, "outbox_wake") {}
  void operator()(const std::string &, int) override { ++count; }
  int count = 0;
};

// The notifications that arrived by now. Each was sent at a commit that has already happened, so
// a short bounded wait is enough to see one arrive.
int wakes_so_far(pqxx::connection &listen, PauseWakeCounter &counter) {
  listen.await_notification(0, 200000);
  listen.get_notifs();
  return counter.count;
}

TEST(DestinationControls, EndingAPauseWakesASleepingDaemonHoweverItIsWritten) {
  TestDatabase db;
  auto listen = db.connect();
  PauseWakeCounter counter(*listen);
  {
    pqxx::nontransaction tx(*listen);
    queries::wake_flag_set(tx, true);  // as a daemon does before it sleeps
  }
  auto conn = db.connect();
  ASSERT_TRUE(pause_now(*conn, "a"));
  EXPECT_EQ(wakes_so_far(*listen, counter), 0) << "a pause makes nothing due";
  ASSERT_TRUE(resume_now(*conn, "a"));
  EXPECT_EQ(wakes_so_far(*listen, counter), 1) << "destination_resume.sql";
  EXPECT_FALSE(resume_now(*conn, "a"));
  EXPECT_EQ(wakes_so_far(*listen, counter), 1) << "a resume that changed nothing wakes nobody";

  ASSERT_TRUE(pause_now(*conn, "a"));
  db.exec("UPDATE outbox.destination_controls SET paused = false, paused_at = NULL");
  EXPECT_EQ(wakes_so_far(*listen, counter), 2) << "a resume written by hand";
  ASSERT_TRUE(pause_now(*conn, "a"));
  db.exec("DELETE FROM outbox.destination_controls");
  EXPECT_EQ(wakes_so_far(*listen, counter), 3) << "a paused row deleted by hand";
  {
    pqxx::nontransaction tx(*listen);
    queries::wake_flag_set(tx, false);
  }
}

TEST(DestinationControls, AnEmptyNameIsRefusedByTheTable) {
  TestDatabase db;
  auto conn = db.connect();
  EXPECT_THROW(pause_now(*conn, ""), pqxx::check_violation);
}

}  // namespace
}  // namespace outboxd
