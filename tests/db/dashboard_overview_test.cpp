// The dashboard overview's reading (api/dashboard_overview.cpp) against a real PostgreSQL: every
// count equals what the table holds, deliveries are counted second by second without reading the
// delivered history again, and a database that goes away leaves the last reading, marked.
#include <gtest/gtest.h>

#include "api/dashboard_overview.hpp"
#include "core/queries.hpp"
#include "core/sql_catalog.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/wait.hpp"

using outboxd::api::DashboardOverview;
using outboxd::api::OverviewReading;
using outboxd::test::TestDatabase;
using outboxd::test::wait_until;

namespace {

// A reading taken after `sql` ran: the reader hands out one reading per fresh_for (here 0).
OverviewReading read_after(DashboardOverview &overview) {
  OverviewReading r;
  wait_until([&] {
    r = overview.read();
    return r.reachable;
  });
  return r;
}

}  // namespace

TEST(DashboardOverview, CountsEqualTheTable) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload, available_at, attempt) VALUES "
          "('orders', '1', now() - interval '5 minutes', 0), ('orders', '2', now(), 2), "
          "('orders', '3', now() + interval '1 hour', 1), ('mail', '4', now(), 0)");
  db.exec("INSERT INTO outbox.messages (destination, payload, state, finalized_at, attempt) VALUES "
          "('orders', '5', 'dead', now(), 5), ('orders', '6', 'dead', now(), 5), "
          "('orders', '7', 'cancelled', now(), 0), ('orders', '8', 'delivered', now() - interval '10 seconds', 1), "
          "('orders', '9', 'delivered', now() - interval '10 minutes', 1), "
          "('orders', '10', 'delivered', now() - interval '2 hours', 1), ('mail', '11', 'delivered', now(), 1)");
  db.exec("INSERT INTO outbox.destination_controls (destination, paused, paused_at) VALUES ('frozen', true, now())");
  DashboardOverview overview(db.conninfo(), std::chrono::seconds(10), std::chrono::milliseconds(0));
  const OverviewReading r = read_after(overview);
  ASSERT_TRUE(r.reachable);
  const auto &o = r.destinations.at("orders");
  EXPECT_EQ(o.pending_due, 2);
  EXPECT_EQ(o.scheduled, 1);
  EXPECT_EQ(o.retrying, 2);
  EXPECT_EQ(o.dead, 2);
  EXPECT_EQ(o.cancelled, 1);
  EXPECT_EQ(o.delivered_last_minute, 1);
  EXPECT_EQ(o.delivered_last_hour, 2) << "the one delivered two hours ago is not in the last hour";
  ASSERT_TRUE(o.oldest_pending_seconds);
  EXPECT_GE(*o.oldest_pending_seconds, 0);
  EXPECT_EQ(r.destinations.at("mail").pending_due, 1);
  EXPECT_EQ(r.destinations.at("mail").delivered_last_minute, 1);
  EXPECT_TRUE(r.paused.at("frozen"));
  ASSERT_TRUE(r.delivered_counted_since_unix);
  ASSERT_TRUE(r.read_at_unix);
  EXPECT_LE(*r.read_at_unix - *r.delivered_counted_since_unix, 3601) << "an hour is counted from the start";
}

TEST(DashboardOverview, LaterReadingsCountNewDeliveriesAndKeepPrunedOnes) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload, state, finalized_at) "
          "SELECT 'orders', to_jsonb(g), 'delivered', now() - interval '5 minutes' FROM generate_series(1, 3) g");
  DashboardOverview overview(db.conninfo(), std::chrono::seconds(10), std::chrono::milliseconds(0));
  EXPECT_EQ(read_after(overview).destinations.at("orders").delivered_last_hour, 3);
  // Retention deletes the three: they were delivered in the last hour all the same.
  db.exec("DELETE FROM outbox.messages");
  db.exec("INSERT INTO outbox.messages (destination, payload, state, finalized_at) "
          "SELECT 'orders', to_jsonb(g), 'delivered', now() FROM generate_series(1, 2) g");
  OverviewReading r;
  ASSERT_TRUE(wait_until([&] {
    r = overview.read();
    return r.destinations.count("orders") && r.destinations.at("orders").delivered_last_hour == 5;
  })) << (r.destinations.count("orders") ? r.destinations.at("orders").delivered_last_hour : -1);
  EXPECT_EQ(r.destinations.at("orders").delivered_last_minute, 2);
}

TEST(DashboardOverview, ADatabaseThatIsGoneLeavesTheLastReadingMarked) {
  auto db = std::make_unique<TestDatabase>();
  db->exec("INSERT INTO outbox.messages (destination, payload) VALUES ('orders', '1')");
  DashboardOverview overview(db->conninfo(), std::chrono::seconds(2), std::chrono::milliseconds(0));
  const OverviewReading good = read_after(overview);
  ASSERT_EQ(good.destinations.at("orders").pending_due, 1);
  db.reset();  // drops the database
  OverviewReading r;
  ASSERT_TRUE(wait_until([&] {
    r = overview.read();
    return !r.reachable;
  }));
  EXPECT_EQ(r.destinations.at("orders").pending_due, 1) << "the last good figures stay";
  EXPECT_EQ(r.read_at_unix, good.read_at_unix) << "with the time they were read";
}

// The statements themselves, through their typed functions: the dashboard's session runs the same
// text, and their plans must stay on the partial indexes however the table grows.
TEST(DashboardOverview, TheStatementsCountThroughTheirIndexes) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload, state, finalized_at) "
          "SELECT 'orders', to_jsonb(g), 'delivered', now() - interval '1 hour 5 seconds' "
          "FROM generate_series(1, 5000) g");
  db.exec("INSERT INTO outbox.messages (destination, payload, state, finalized_at) VALUES "
          "('orders', '1', 'dead', now()), ('orders', '2', 'delivered', now())");
  db.exec("ANALYZE outbox.messages");
  auto c = db.connect();
  pqxx::work tx(*c);
  const auto counts = outboxd::queries::message_overview_counts(tx);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].dead, 1);
  EXPECT_EQ(counts[0].pending_due, 0);
  EXPECT_FALSE(counts[0].oldest_pending_seconds);
  const auto last_minute = outboxd::queries::message_delivered_per_second(tx, std::nullopt, 60);
  ASSERT_EQ(last_minute.rows.size(), 1u) << "only the delivery of the last minute";
  EXPECT_EQ(last_minute.rows[0].count, 1);
  EXPECT_EQ(last_minute.now_second - last_minute.first_second, 60);
  EXPECT_NEAR(static_cast<double>(last_minute.rows[0].second), static_cast<double>(last_minute.now_second), 1.0);
  // A resume point from long ago is never more than the window back: the history stays unread.
  const auto stale = outboxd::queries::message_delivered_per_second(tx, 0.0, 3600);
  EXPECT_EQ(stale.now_second - stale.first_second, 3600);
  EXPECT_EQ(stale.rows.size(), 1u) << "the rows delivered an hour ago and more are not counted";
  const auto resumed = outboxd::queries::message_delivered_per_second(tx, last_minute.now_second + 1.0, 3600);
  EXPECT_EQ(resumed.first_second, last_minute.now_second + 1);
  EXPECT_TRUE(resumed.rows.empty());
  // Neither reads the delivered history: no sequential scan of outbox.messages in their plans.
  for (const std::string name : {"message_overview_counts", "message_delivered_per_second"}) {
    std::string sql = outboxd::query_text(name);
    for (const char *param : {"$1::double precision", "$2::double precision"})
      for (auto at = sql.find(param); at != std::string::npos; at = sql.find(param, at))
        sql.replace(at, 20, "60::double precision");
    std::string plan;
    for (const auto &row : tx.exec("EXPLAIN " + sql)) plan += row[0].as<std::string>() + "\n";
    EXPECT_EQ(plan.find("Seq Scan on messages"), std::string::npos) << name << ":\n" << plan;
  }
}
