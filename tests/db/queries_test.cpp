// Every typed query function of core/queries.hpp against a real PostgreSQL, through the prepared
// statements a direct connection uses: its arguments reach the right $n and its struct holds the
// right columns. What each query decides (ordering, locking, retention) is tested in queue_test,
// available_at_test and wakeup_test; here it is the typed layer itself.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "core/message_limits.hpp"
#include "core/on_outcome.hpp"
#include "core/db.hpp"
#include "core/queries.hpp"
#include "core/sql_catalog.hpp"
#include "tests/support/test_database.hpp"

namespace outboxd {
namespace {

using test::TestDatabase;

queries::EnqueueParams message_to(const std::string &destination, const std::string &payload = R"({"n": 1})") {
  queries::EnqueueParams p;
  p.destination = destination;
  p.payload_json = payload;
  p.headers_json = R"({"h": "v"})";
  return p;
}

std::string enqueue(pqxx::connection &conn, const queries::EnqueueParams &p) {
  pqxx::work tx(conn);
  const std::string id = queries::message_enqueue(tx, p).id;
  tx.commit();
  return id;
}

TEST(Queries, EnqueueAnswersTheIdAndWhetherItWasCreated) {
  TestDatabase db;
  auto conn = db.connect();
  pqxx::work tx(*conn);
  queries::EnqueueParams p = message_to("a");
  p.idempotency_key = "order-1";
  p.ordering_key = "customer-7";
  p.priority = 3;
  p.max_attempts = 4;
  p.delay_ms = 60000;
  const queries::EnqueuedRow first = queries::message_enqueue(tx, p);
  const queries::EnqueuedRow again = queries::message_enqueue(tx, p);
  tx.commit();
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(again.created) << "the idempotency key existed";
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(db.count("id = '" + first.id + "' AND ordering_key = 'customer-7' AND priority = 3 AND max_attempts = 4 "
                     "AND available_at > now() + interval '50 seconds'"),
            1);
}

TEST(Queries, StateStatsAndListReadTheirColumns) {
  TestDatabase db;
  auto conn = db.connect();
  const std::string id = enqueue(*conn, message_to("a"));
  enqueue(*conn, message_to("b"));
  pqxx::work tx(*conn);

  const auto state = queries::message_state(tx, id);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->destination, "a");
  EXPECT_EQ(state->state, "pending");
  EXPECT_FALSE(queries::message_state(tx, "00000000-0000-0000-0000-000000000000"));

  const std::vector<queries::StatsRow> stats = queries::message_stats(tx);
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].destination, "a");
  EXPECT_EQ(stats[0].state, "pending");
  EXPECT_EQ(stats[0].count, 1);
  EXPECT_TRUE(stats[0].oldest_pending_seconds) << "set for pending rows";
  EXPECT_EQ(stats[0].delivered_last_minute, 0);

  queries::ListParams page;
  page.destination = "a";
  page.max_bytes = 1 << 20;
  page.max_text_bytes = kMaxMessageTextBytes;
  const std::vector<queries::ListedRow> rows = queries::message_list(tx, page);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].message);
  EXPECT_NE(rows[0].message->find("\"id\": \"" + id + "\""), std::string::npos) << *rows[0].message;
  EXPECT_NE(rows[0].message->find("\"payload\": {\"n\": 1}"), std::string::npos) << *rows[0].message;

  queries::ListParams one;
  one.id = id;
  one.limit = 1;
  one.max_bytes = 1 << 20;
  one.max_text_bytes = kMaxMessageTextBytes;
  one.omit_reason = "because the test says so";
  const std::vector<queries::ListedRow> just_it = queries::message_list(tx, one);
  ASSERT_EQ(just_it.size(), 1u);
  EXPECT_EQ(just_it[0].seq, rows[0].seq);
  EXPECT_NE(just_it[0].message->find("because the test says so"), std::string::npos) << *just_it[0].message;
}

// The claim says which rows have an ordering key: the lane's beat does not stretch for claims
// that hold one (core/beat_stretch.hpp).
TEST(Queries, TheClaimSaysWhichRowsHaveAnOrderingKey) {
  TestDatabase db;
  auto conn = db.connect();
  queries::EnqueueParams keyed = message_to("a");
  keyed.ordering_key = "customer-7";
  const std::string keyed_id = enqueue(*conn, keyed);
  enqueue(*conn, message_to("a"));
  pqxx::work tx(*conn);
  const std::vector<queries::ClaimedRow> rows = queries::message_claim(tx, "a", 10, false, kMaxMessageTextBytes, true);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto &row : rows)
    EXPECT_EQ(row.ordering_key, row.id == keyed_id ? std::optional<std::string>("customer-7") : std::nullopt) << row.id;
}

TEST(Queries, ClaimAndWriteOutFillEveryField) {
  TestDatabase db;
  auto conn = db.connect();
  queries::EnqueueParams p = message_to("a");
  p.max_attempts = 5;
  const std::string id = enqueue(*conn, p);
  pqxx::work tx(*conn);
  const std::vector<queries::ClaimedRow> rows =
      queries::message_claim(tx, "a", 10, false, kMaxMessageTextBytes, true);
  ASSERT_EQ(rows.size(), 1u);
  const queries::ClaimedRow &c = rows[0];
  EXPECT_GT(c.seq, 0);
  EXPECT_EQ(c.id, id);
  EXPECT_EQ(c.destination, "a");
  EXPECT_EQ(c.payload, std::optional<std::string>(R"({"n": 1})"));
  EXPECT_EQ(c.headers, std::optional<std::string>(R"({"h": "v"})"));
  EXPECT_EQ(c.attempt, 0);
  EXPECT_EQ(c.max_attempts, std::optional<int>(5));
  EXPECT_TRUE(c.available_at_ms);
  EXPECT_FALSE(c.available_at_text) << "only for a row outside the range";
  EXPECT_EQ(c.text_bytes, std::optional<long long>(c.payload->size() + c.headers->size()));
  EXPECT_FALSE(c.xmin.empty());
  EXPECT_FALSE(c.ordering_key);

  const std::vector<queries::ClaimedRow> bare = queries::message_claim(tx, "a", 10, false, kMaxMessageTextBytes, false);
  ASSERT_EQ(bare.size(), 1u) << "the same transaction holds the row's lock already";
  EXPECT_FALSE(bare[0].payload);
  EXPECT_FALSE(bare[0].text_bytes);
  const queries::WrittenOutRow text = queries::message_write_out(tx, c.seq, kMaxMessageTextBytes);
  EXPECT_EQ(text.payload, c.payload);
  EXPECT_EQ(text.headers, c.headers);
  EXPECT_EQ(text.text_bytes, *c.text_bytes);
  const queries::WrittenOutRow too_large = queries::message_write_out(tx, c.seq, 3);
  EXPECT_FALSE(too_large.payload);
  EXPECT_FALSE(too_large.headers);
}

TEST(Queries, OutcomeWritesAnswerWhatTheyWrote) {
  TestDatabase db;
  auto conn = db.connect();
  for (int i = 0; i < 5; ++i) enqueue(*conn, message_to("a"));
  pqxx::work tx(*conn);
  std::vector<long long> seqs;
  for (const auto &c : queries::message_claim(tx, "a", 10, false, kMaxMessageTextBytes, true))
    seqs.push_back(c.seq);
  ASSERT_EQ(seqs.size(), 5u);
  const std::vector<long long> first{seqs[0]}, second{seqs[1]};
  EXPECT_EQ(queries::message_mark_delivered(tx, first), first);
  EXPECT_EQ(queries::message_delete_delivered(tx, second), second);
  EXPECT_EQ(queries::message_mark_outcomes(tx, {seqs[2], seqs[3], seqs[4]}, {"dead", "pending", "delivered"},
                                           {0, 60000, 0}, {std::string("it broke"), std::nullopt, std::nullopt},
                                           false, 10),
            3);
  tx.commit();
  EXPECT_EQ(db.count("state = 'delivered'"), 2);
  EXPECT_EQ(db.count(), 4) << "one row deleted";
  EXPECT_EQ(db.count("state = 'dead' AND last_error = 'it broke' AND jsonb_array_length(errors) = 1"), 1);
  EXPECT_EQ(db.count("state = 'pending' AND last_error IS NULL AND available_at > now() + interval '50 seconds'"), 1);
}

TEST(Queries, LockKeptSaysWhichRowsItLockedAndWhichAreGone) {
  TestDatabase db;
  auto conn = db.connect();
  enqueue(*conn, message_to("a"));
  pqxx::work tx(*conn);
  const queries::ClaimedRow c = queries::message_claim(tx, "a", 1, false, kMaxMessageTextBytes, true).at(0);
  const long long gone = c.seq + 1000;
  const std::vector<queries::LockedKeptRow> rows = queries::message_lock_kept(tx, {c.seq, gone});
  ASSERT_EQ(rows.size(), 2u);
  const auto &mine = rows[0].seq == c.seq ? rows[0] : rows[1];
  const auto &other = rows[0].seq == c.seq ? rows[1] : rows[0];
  EXPECT_TRUE(mine.locked);
  EXPECT_TRUE(mine.exists);
  EXPECT_EQ(mine.state, "pending");
  EXPECT_EQ(mine.xmin, c.xmin);
  EXPECT_EQ(other.seq, gone);
  EXPECT_FALSE(other.locked);
  EXPECT_FALSE(other.exists);
}

TEST(Queries, OnOutcomeRunsTheDestinationsStatementWithItsFiveParameters) {
  TestDatabase db;
  db.exec("CREATE TABLE outcomes (id uuid, state text, attempt integer, error text, headers jsonb)");
  const std::string user_sql = "INSERT INTO outcomes VALUES ($1, $2, $3, $4, $5)";
  auto conn = db.connect();
  const std::string name = on_outcome_name(1, "a");
  conn->prepare(name, on_outcome_sql(user_sql));  // as the worker does for its runtime
  pqxx::work tx(*conn);
  queries::on_outcome(tx, name, user_sql, "00000000-0000-0000-0000-000000000001", "dead", 3, std::string("no"),
                      std::string(R"({"h": "v"})"));
  queries::on_outcome(tx, name, user_sql, "00000000-0000-0000-0000-000000000002", "delivered", 1, std::nullopt,
                      std::nullopt);
  tx.commit();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outcomes WHERE state = 'dead' AND attempt = 3 AND error = 'no' "
                      "AND headers = '{\"h\": \"v\"}'"),
            "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outcomes WHERE state = 'delivered' AND error IS NULL AND headers IS NULL"),
            "1");
}

TEST(Queries, CheckOnOutcomePreparesNamesTheStatementsOwnError) {
  TestDatabase db;
  auto conn = db.connect();
  EXPECT_NO_THROW(check_on_outcome_prepares(*conn, "SELECT $1, $2"));
  try {
    check_on_outcome_prepares(*conn, "UPDATE no_such_table SET x = $2");
    ADD_FAILURE() << "an undefined table prepared";
  } catch (const pqxx::sql_error &e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.scalar("SELECT 'still usable'"), "still usable");
}

TEST(Queries, OperatorWritesAnswerTheRowsTheyChanged) {
  TestDatabase db;
  auto conn = db.connect();
  const std::string pending = enqueue(*conn, message_to("a"));
  const std::string dead = enqueue(*conn, message_to("b"));
  db.exec("UPDATE outbox.messages SET state = 'dead', finalized_at = now() WHERE id = '" + dead + "'");
  pqxx::work tx(*conn);
  EXPECT_EQ(queries::message_cancel(tx, pending), std::optional<std::string>(pending));
  EXPECT_FALSE(queries::message_cancel(tx, pending)) << "no longer pending";
  EXPECT_EQ(queries::message_retry(tx, pending, 5), std::optional<std::string>(pending)) << "cancelled: retried";
  EXPECT_FALSE(queries::message_retry(tx, pending, 5)) << "pending again";
  EXPECT_EQ(queries::destination_retry_dead(tx, "b", 5), std::vector<std::string>{dead});
  EXPECT_TRUE(queries::destination_retry_dead(tx, "b", 5).empty());
  tx.commit();
  EXPECT_EQ(db.count("state = 'pending'"), 2);
}

TEST(Queries, RetentionAndUnknownDestinations) {
  TestDatabase db;
  auto conn = db.connect();
  const std::string done = enqueue(*conn, message_to("a"));
  enqueue(*conn, message_to("zz"));
  enqueue(*conn, message_to("zz"));
  db.exec("UPDATE outbox.messages SET state = 'cancelled', finalized_at = now() - interval '1 hour' WHERE id = '" +
          done + "'");
  pqxx::work tx(*conn);
  const std::vector<queries::DestinationCountRow> unknown = queries::message_unknown_destinations(tx, "{a}");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].destination, "zz");
  EXPECT_EQ(unknown[0].count, 2);
  const queries::PurgedBatch none = queries::message_purge_finished(tx, {"delivered"}, 60, 10, "-infinity");
  EXPECT_EQ(none.deleted, 0) << "none delivered";
  EXPECT_FALSE(none.latest_finalized_at);
  EXPECT_EQ(queries::message_purge_finished(tx, {"dead", "cancelled"}, 7200, 10, "-infinity").deleted, 0)
      << "not old enough";
  EXPECT_EQ(queries::message_purge_finished(tx, {"dead", "cancelled"}, 60, 10, "-infinity").deleted, 1);
  tx.commit();
  EXPECT_EQ(db.count(), 2);
}

// A sweep's batches go oldest first and each resumes where the last ended: rows finalized before
// the resume point are left for the next sweep, and the latest time returned is a batch's newest.
TEST(Queries, RetentionBatchesResumeWhereTheLastEnded) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', to_jsonb(g)) FROM generate_series(1, 5) g;"
          "UPDATE outbox.messages SET state = 'delivered', "
          "  finalized_at = timestamptz '2026-01-01 00:00:00+00' + (payload::text::int) * interval '1 minute'");
  auto conn = db.connect();
  pqxx::work tx(*conn);
  const queries::PurgedBatch first = queries::message_purge_finished(tx, {"delivered"}, 60, 2, "-infinity");
  EXPECT_EQ(first.deleted, 2);
  ASSERT_TRUE(first.latest_finalized_at);
  EXPECT_EQ(tx.exec1("SELECT '" + *first.latest_finalized_at + "'::timestamptz = '2026-01-01 00:02:00+00'")[0].as<bool>(),
            true)
      << *first.latest_finalized_at << ": the oldest two went first";
  // Resuming after the third row's time leaves the third for the next sweep.
  const queries::PurgedBatch later =
      queries::message_purge_finished(tx, {"delivered"}, 60, 10, "2026-01-01 00:03:30+00");
  EXPECT_EQ(later.deleted, 2);
  tx.commit();
  EXPECT_EQ(db.count(), 1);
  EXPECT_EQ(db.count("payload = '3'"), 1);
}

// The resume point comes back as text and goes in again as $4: whatever the session's DateStyle
// and zone (here one whose abbreviation, IST, the default abbreviations read as Israel's), it is
// the same instant.
TEST(Queries, RetentionResumePointSurvivesAnyDateStyle) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', to_jsonb(g)) FROM generate_series(1, 2) g;"
          "UPDATE outbox.messages SET state = 'delivered', finalized_at = timestamptz '2026-01-01 00:00:00.123456+00'");
  auto conn = db.connect();
  pqxx::work tx(*conn);
  tx.exec0("SET LOCAL datestyle = 'SQL, DMY'; SET LOCAL timezone = 'Asia/Kolkata'");
  const queries::PurgedBatch first = queries::message_purge_finished(tx, {"delivered"}, 60, 1, "-infinity");
  ASSERT_EQ(first.deleted, 1);
  ASSERT_TRUE(first.latest_finalized_at);
  EXPECT_TRUE(tx.exec1("SELECT '" + *first.latest_finalized_at +
                       "'::timestamptz = timestamptz '2026-01-01 00:00:00.123456+00'")[0]
                  .as<bool>())
      << *first.latest_finalized_at;
  EXPECT_EQ(queries::message_purge_finished(tx, {"delivered"}, 60, 1, *first.latest_finalized_at).deleted, 1)
      << "the row of the same instant is found from the resume point";
}

struct WakeCounter : pqxx::notification_receiver {
  explicit WakeCounter(pqxx::connection_base &c) : pqxx::notification_receiver(c, "outbox_wake") {}
  void operator()(const std::string &, int) override { ++count; }
  int count = 0;
};

TEST(Queries, WakeFlagGateAndRequest) {
  TestDatabase db;
  auto listen = db.connect();
  WakeCounter counter(*listen);
  {
    pqxx::nontransaction tx(*listen);
    queries::wake_flag_set(tx, true);
  }
  EXPECT_EQ(db.scalar("SELECT last_value FROM outbox.wake_wanted"), "1");
  auto other = db.connect();
  {
    pqxx::work tx(*other);
    queries::wake_request(tx);
    tx.commit();
  }
  // The NOTIFY was sent at that commit; a bounded wait collects it.
  listen->await_notification(5, 0);
  EXPECT_EQ(counter.count, 1) << "a daemon that wants a NOTIFY gets one";
  {
    pqxx::nontransaction tx(*listen);
    EXPECT_TRUE(queries::wake_gate_try_lock(tx));
    EXPECT_TRUE(queries::wake_gate_unlock(tx));
    EXPECT_FALSE(queries::wake_gate_unlock(tx)) << "no longer held";
    queries::wake_flag_set(tx, false);
  }
  EXPECT_EQ(db.scalar("SELECT last_value FROM outbox.wake_wanted"), "0");
}

TEST(Queries, NextDueIsTheWaitForTheEarliestScheduledMessage) {
  TestDatabase db;
  auto conn = db.connect();
  {
    pqxx::work tx(*conn);
    EXPECT_FALSE(queries::message_next_due(tx, "{a}")) << "nothing scheduled";
  }
  queries::EnqueueParams later = message_to("a");
  later.delay_ms = 3600000;
  enqueue(*conn, later);
  pqxx::work tx(*conn);
  const std::optional<long long> ms = queries::message_next_due(tx, "{a}");
  ASSERT_TRUE(ms);
  EXPECT_GT(*ms, 3500000);
  EXPECT_LE(*ms, 3600000);
  EXPECT_FALSE(queries::message_next_due(tx, "{b}")) << "only the destinations named";
}

// ---- Destination controls (pause and resume) -----------------------------------------------------

TEST(Queries, PauseResumeAndTheControlsListAnswerWhatChanged) {
  TestDatabase db;
  auto conn = db.connect();
  pqxx::work tx(*conn);
  EXPECT_TRUE(queries::destination_controls_list(tx).empty()) << "no row until a destination is paused";
  EXPECT_FALSE(queries::destination_resume(tx, "a")) << "never paused: nothing to resume";
  EXPECT_TRUE(queries::destination_controls_list(tx).empty()) << "and no row written for it";

  EXPECT_TRUE(queries::destination_pause(tx, "a"));
  EXPECT_FALSE(queries::destination_pause(tx, "a")) << "already paused";
  std::vector<queries::DestinationControlRow> rows = queries::destination_controls_list(tx);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].destination, "a");
  EXPECT_TRUE(rows[0].paused);
  ASSERT_TRUE(rows[0].paused_at);
  EXPECT_NE(rows[0].paused_at->find('T'), std::string::npos) << "ISO 8601, as the API writes times: "
                                                               << *rows[0].paused_at;

  EXPECT_TRUE(queries::destination_resume(tx, "a"));
  EXPECT_FALSE(queries::destination_resume(tx, "a")) << "no longer paused";
  rows = queries::destination_controls_list(tx);
  ASSERT_EQ(rows.size(), 1u) << "the row stays, not paused";
  EXPECT_FALSE(rows[0].paused);
  EXPECT_FALSE(rows[0].paused_at);
  EXPECT_TRUE(queries::destination_pause(tx, "a")) << "a resumed destination can be paused again";
}

TEST(Queries, PendingStatsCountPendingRowsOnlyAndNeverScanTheTable) {
  // GET /metrics' read: its cost must not grow with the delivered history retention keeps. Stale
  // statistics (the table analysed empty, as after a bulk load) must not turn it into a scan.
  TestDatabase db;
  db.exec("ANALYZE outbox.messages");
  db.exec("INSERT INTO outbox.messages (destination, payload, state, attempt, finalized_at) "
          "SELECT 'a', '{}', 'delivered', 1, now() FROM generate_series(1, 20000)");
  db.exec("SELECT outbox.enqueue('a', '{}'), outbox.enqueue('a', '{}'), "
          "outbox.enqueue_in('b', '{}', interval '1 hour')");
  auto conn = db.connect();
  pqxx::work tx(*conn);
  tx.exec(transaction_settings_sql(SessionRole::Gauges));
  const std::vector<queries::StatsRow> stats = queries::message_pending_stats(tx);
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].destination, "a");
  EXPECT_EQ(stats[0].count, 2);
  EXPECT_TRUE(stats[0].oldest_pending_seconds);
  EXPECT_EQ(stats[1].destination, "b");
  EXPECT_EQ(stats[1].count, 1);
  std::string plan;
  for (const auto &row : tx.exec("EXPLAIN " + query_text("message_pending_stats")))
    plan += row[0].c_str() + std::string("\n");
  EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << plan;
}

}  // namespace
}  // namespace outboxd
