// The queue's SQL against a real PostgreSQL: enqueue, claim, ordering, idempotency, concurrency.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "core/db.hpp"
#include "core/message_limits.hpp"
#include "tests/support/test_database.hpp"

using outboxd::test::TestDatabase;

namespace {

std::string enqueue(pqxx::transaction_base &tx, const std::string &dest, const std::string &payload = "{}",
                    const std::string &extra = "") {
  return tx.exec("SELECT outbox.enqueue(" + tx.quote(dest) + ", " + tx.quote(payload) + "::jsonb" + extra + ")")[0][0]
      .as<std::string>();
}

// What a daemon's lanes claim, one destination after another: `dests` and `schedules_ahead` are
// destination names ("ab": a, then b), each claim taking what the ones before left of `limit`.
std::vector<pqxx::row> claim_rows(pqxx::transaction_base &tx, const std::string &dests = "ab", int limit = 100,
                                  const std::string &schedules_ahead = "") {
  std::vector<pqxx::row> rows;
  for (char d : dests) {
    const int left = limit - static_cast<int>(rows.size());
    const bool ahead = schedules_ahead.find(d) != std::string::npos;
    for (const auto &row : tx.exec_prepared("message_claim", std::string(1, d), left, ahead,
                                            outboxd::kMaxMessageTextBytes, true, false))
      rows.push_back(row);
  }
  return rows;
}

std::vector<long long> claim(pqxx::transaction_base &tx, const std::string &dests = "ab", int limit = 100,
                             const std::string &schedules_ahead = "") {
  std::vector<long long> seqs;
  for (const auto &row : claim_rows(tx, dests, limit, schedules_ahead)) seqs.push_back(row[0].as<long long>());
  return seqs;
}

}  // namespace

TEST(Queue, EnqueueCreatesPendingRowWithTimeOrderedUuid) {
  TestDatabase db;
  auto c = db.connect();
  pqxx::work tx(*c);
  auto first = enqueue(tx, "a");
  auto second = enqueue(tx, "a");
  tx.commit();
  EXPECT_EQ(db.count("state = 'pending' AND attempt = 0 AND finalized_at IS NULL"), 2);
  EXPECT_EQ(first[14], '7') << "version nibble of a v7 UUID: " << first;
  EXPECT_LT(first, second) << "ids are time-ordered";
}

TEST(Queue, EnqueueRejectsEmptyDestination) {
  TestDatabase db;
  auto c = db.connect();
  pqxx::work tx(*c);
  EXPECT_THROW(enqueue(tx, ""), pqxx::sql_error);
}

TEST(Queue, IdempotencyKeyReturnsExistingIdAndInsertsNothing) {
  TestDatabase db;
  auto c = db.connect();
  pqxx::work tx(*c);
  auto first = enqueue(tx, "a", R"({"n":1})", ", idempotency_key => 'order-1'");
  auto again = enqueue(tx, "a", R"({"n":2})", ", idempotency_key => 'order-1'");
  auto other_dest = enqueue(tx, "b", R"({"n":3})", ", idempotency_key => 'order-1'");
  tx.commit();
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other_dest) << "keys are unique per destination";
  EXPECT_EQ(db.count(), 2);
}

TEST(Queue, UncommittedEnqueueIsInvisibleToClaim) {
  TestDatabase db;
  auto app = db.connect();
  auto worker = db.connect();
  pqxx::work app_tx(*app);
  enqueue(app_tx, "a");
  {
    pqxx::work tx(*worker);
    EXPECT_TRUE(claim(tx).empty());
  }
  app_tx.abort();  // the application rolled back: nothing was ever visible
  pqxx::work tx(*worker);
  EXPECT_TRUE(claim(tx).empty());
}

TEST(Queue, TwoConnectionsClaimDisjointRowsWithoutBlocking) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '{}') FROM generate_series(1, 5)");
  auto c1 = db.connect();
  auto c2 = db.connect();
  pqxx::work t1(*c1);
  pqxx::work t2(*c2);
  auto s1 = claim(t1, "a", 3);
  auto s2 = claim(t2, "a", 3);
  EXPECT_EQ(s1.size(), 3u);
  EXPECT_EQ(s2.size(), 2u);
  for (auto s : s2) EXPECT_EQ(std::count(s1.begin(), s1.end(), s), 0) << "seq " << s << " claimed twice";
}

TEST(Queue, RolledBackClaimMakesRowsClaimableAgain) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '{}') FROM generate_series(1, 3)");
  auto c1 = db.connect();
  auto c2 = db.connect();
  {
    pqxx::work t1(*c1);
    EXPECT_EQ(claim(t1).size(), 3u);
    pqxx::work t2(*c2);
    EXPECT_TRUE(claim(t2).empty()) << "locked rows are skipped";
  }  // both roll back
  pqxx::work t2(*c2);
  EXPECT_EQ(claim(t2).size(), 3u);
}

TEST(Queue, ClaimOrdersByPriorityThenSeqAndSkipsFutureAndUnloadedDestinations) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '1'); SELECT outbox.enqueue('a', '2', priority => -1);"
          "SELECT outbox.enqueue('a', '3', available_at => now() + interval '1 hour');"
          "SELECT outbox.enqueue('elsewhere', '4'); SELECT outbox.enqueue('b', '5');");
  auto c = db.connect();
  pqxx::work tx(*c);
  std::vector<std::string> payloads;
  for (const auto &row : claim_rows(tx, "ab", 10)) payloads.push_back(row[3].as<std::string>());
  EXPECT_EQ(payloads, (std::vector<std::string>{"2", "1", "5"})) << "a in (priority, seq) order, then b";
}

TEST(Queue, OrderingKeyHoldsLaterMessagesWhileAnEarlierOneIsPending) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '1', ordering_key => 'k');"
          "SELECT outbox.enqueue('a', '2', ordering_key => 'k');"
          "SELECT outbox.enqueue('a', '3', ordering_key => 'other');");
  auto c1 = db.connect();
  auto c2 = db.connect();
  {
    pqxx::work t1(*c1);
    EXPECT_EQ(claim(t1).size(), 2u) << "one head per key";
    pqxx::work t2(*c2);
    EXPECT_TRUE(claim(t2).empty()) << "'2' waits while '1' is claimed elsewhere";
  }
  // The head waits for a retry: the key stays blocked.
  db.exec("UPDATE outbox.messages SET available_at = now() + interval '1 hour' WHERE payload = '1'");
  {
    pqxx::work t(*c1);
    auto seqs = claim(t);
    EXPECT_EQ(seqs.size(), 1u) << "only 'other' is due";
  }
  db.exec("UPDATE outbox.messages SET state = 'dead', finalized_at = now() WHERE payload = '1'");
  pqxx::work t(*c1);
  EXPECT_EQ(claim(t).size(), 2u) << "once the head is final, '2' is next";
}

TEST(Queue, MarkOutcomesWritesEveryStateInOneStatement) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', to_jsonb(g)) FROM generate_series(1, 3) g");
  auto c = db.connect();
  pqxx::work tx(*c);
  auto seqs = claim(tx);
  ASSERT_EQ(seqs.size(), 3u);
  auto written = tx.exec_prepared1("message_mark_outcomes", outboxd::int_array_literal(seqs),
                                   "{delivered,pending,dead}", "{0,60000,0}", "{NULL,\"HTTP 503\",\"HTTP 400\"}",
                                   false, 10)[0]
                     .as<long long>();
  tx.commit();
  EXPECT_EQ(written, 3);
  EXPECT_EQ(db.count("payload = '1' AND state = 'delivered' AND attempt = 1 AND finalized_at IS NOT NULL "
                     "AND last_error IS NULL AND errors = '[]'"), 1);
  EXPECT_EQ(db.count("payload = '2' AND state = 'pending' AND attempt = 1 AND finalized_at IS NULL "
                     "AND available_at > now() + interval '50 seconds' AND last_error = 'HTTP 503' "
                     "AND errors -> 0 ->> 'error' = 'HTTP 503' AND (errors -> 0 ->> 'attempt')::int = 1"), 1);
  EXPECT_EQ(db.count("payload = '3' AND state = 'dead' AND finalized_at IS NOT NULL"), 1);
}

TEST(Queue, MarkOutcomesKeepsABoundedErrorHistory) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '1')");
  auto c = db.connect();
  for (int i = 1; i <= 4; ++i) {
    db.exec("UPDATE outbox.messages SET available_at = now()");  // due again, before tx's now()
    pqxx::work tx(*c);
    auto seqs = claim(tx);
    ASSERT_EQ(seqs.size(), 1u);
    tx.exec_prepared1("message_mark_outcomes", outboxd::int_array_literal(seqs), "{pending}", "{0}",
                      "{\"failure " + std::to_string(i) + "\"}", false, 3);
    tx.commit();
  }
  EXPECT_EQ(db.scalar("SELECT jsonb_array_length(errors) FROM outbox.messages"), "3");
  EXPECT_EQ(db.scalar("SELECT errors -> 2 ->> 'error' FROM outbox.messages"), "failure 4");
  EXPECT_EQ(db.scalar("SELECT errors -> 0 ->> 'error' FROM outbox.messages"), "failure 2");
}

TEST(Queue, MarkOutcomesDeletesDeliveredRowsWhenRetentionIsZero) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', to_jsonb(g)) FROM generate_series(1, 2) g");
  auto c = db.connect();
  pqxx::work tx(*c);
  auto seqs = claim(tx);
  auto written = tx.exec_prepared1("message_mark_outcomes", outboxd::int_array_literal(seqs), "{delivered,pending}",
                                   "{0,0}", "{NULL,\"x\"}", true, 10)[0]
                     .as<long long>();
  tx.commit();
  EXPECT_EQ(written, 2);
  EXPECT_EQ(db.count(), 1);
  EXPECT_EQ(db.count("state = 'pending' AND payload = '2'"), 1);
}

TEST(Queue, PurgeDeletesOnlyFinishedRowsPastRetention) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', to_jsonb(g)) FROM generate_series(1, 4) g;"
          "UPDATE outbox.messages SET state = 'delivered', finalized_at = now() - interval '2 days' WHERE payload = '1';"
          "UPDATE outbox.messages SET state = 'delivered', finalized_at = now() WHERE payload = '2';"
          "UPDATE outbox.messages SET state = 'dead', finalized_at = now() - interval '2 days' WHERE payload = '3';");
  auto c = db.connect();
  pqxx::work tx(*c);
  auto r = tx.exec_prepared1("message_purge_finished", "{delivered}", 86400LL, 100, "-infinity");
  tx.commit();
  EXPECT_EQ(r[0].as<long long>(), 1);
  EXPECT_EQ(db.count(), 3);
  EXPECT_EQ(db.count("payload = '1'"), 0);
}

TEST(Queue, MarkDeliveredAndDeleteDeliveredWriteOnlyPendingRows) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', to_jsonb(g)) FROM generate_series(1, 4) g");
  auto c = db.connect();
  {
    pqxx::work tx(*c);
    auto seqs = claim(tx);
    ASSERT_EQ(seqs.size(), 4u);
    std::vector<long long> first{seqs[0], seqs[1]}, rest{seqs[2], seqs[3]};
    EXPECT_EQ(tx.exec_prepared("message_mark_delivered", outboxd::int_array_literal(first)).size(), 2u);
    EXPECT_EQ(tx.exec_prepared("message_mark_delivered", outboxd::int_array_literal(first)).size(), 0u)
        << "a row that is no longer pending is not written again";
    EXPECT_EQ(tx.exec_prepared("message_delete_delivered", outboxd::int_array_literal(rest)).size(), 2u);
    tx.commit();
  }
  EXPECT_EQ(db.count(), 2);
  EXPECT_EQ(db.count("state = 'delivered' AND attempt = 1 AND finalized_at IS NOT NULL AND last_error IS NULL"), 2);
}

TEST(Queue, ClaimTakesFutureFirstAttemptsEarlyOnlyForDestinationsThatScheduleAhead) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '1', available_at => now() + interval '1 hour');"
          "SELECT outbox.enqueue('b', '2', available_at => now() + interval '1 hour');"
          "SELECT outbox.enqueue('a', '3', available_at => now() + interval '1 hour');"
          "UPDATE outbox.messages SET attempt = 1 WHERE payload = '3';"  // a retry waiting for its backoff
          "SELECT outbox.enqueue('a', '4');");
  auto c = db.connect();
  pqxx::work tx(*c);
  std::vector<std::string> payloads;
  std::vector<long long> due_ms;
  for (const auto &row : claim_rows(tx, "ab", 10, "a")) {
    payloads.push_back(row[3].as<std::string>());
    due_ms.push_back(row[7].as<long long>());
  }
  EXPECT_EQ(payloads, (std::vector<std::string>{"1", "4"})) << "b does not schedule ahead; '3' is a retry";
  const long long expected =
      std::stoll(db.scalar("SELECT floor(extract(epoch FROM available_at) * 1000)::bigint FROM outbox.messages "
                           "WHERE payload = '1'"));
  ASSERT_EQ(due_ms.size(), 2u);
  EXPECT_EQ(due_ms[0], expected) << "available_at comes back as Unix epoch milliseconds";
  EXPECT_LE(due_ms[1], std::stoll(db.scalar("SELECT floor(extract(epoch FROM now()) * 1000)::bigint")));
}

TEST(Queue, MarkOutcomesNeverSchedulesARetryBeforeTheMessagesOwnTime) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '1', available_at => now() + interval '1 hour');"
          "SELECT outbox.enqueue('a', '2', available_at => now() + interval '1 hour')");
  auto c = db.connect();
  {
    pqxx::work tx(*c);
    auto seqs = claim(tx, "a", 10, "a");
    ASSERT_EQ(seqs.size(), 2u);
    tx.exec_prepared1("message_mark_outcomes", outboxd::int_array_literal(seqs), "{pending,pending}",
                      "{1000,7200000}", "{\"redis down\",\"redis down\"}", false, 10);
    tx.commit();
  }
  EXPECT_EQ(db.count("payload = '1' AND attempt = 1 AND available_at > now() + interval '59 minutes' "
                     "AND available_at < now() + interval '61 minutes'"), 1)
      << "a 1 s backoff does not pull the message before its schedule";
  EXPECT_EQ(db.count("payload = '2' AND available_at > now() + interval '119 minutes'"), 1)
      << "a backoff past the schedule wins";
  pqxx::work tx(*c);
  EXPECT_TRUE(claim(tx, "a", 10, "a").empty()) << "a retry is not claimed ahead of its time";
}

// A lane claims first attempts only every other time: such a claim passes over due retries (older,
// so first in seq order), and the next, unfiltered one takes them.
TEST(Queue, AFirstAttemptsOnlyClaimPassesOverDueRetries) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '1'); SELECT outbox.enqueue('a', '2');"
          "UPDATE outbox.messages SET attempt = 1 WHERE payload = '1';"  // a retry that is due
          "SELECT outbox.enqueue('a', '3');");
  auto c = db.connect();
  pqxx::work tx(*c);
  std::vector<std::string> first, any;
  for (const auto &row : tx.exec_prepared("message_claim", "a", 10, false, outboxd::kMaxMessageTextBytes, true, true))
    first.push_back(row[3].as<std::string>());
  EXPECT_EQ(first, (std::vector<std::string>{"2", "3"}));
  auto c2 = db.connect();
  pqxx::work tx2(*c2);  // another worker, while the first holds its claim
  for (const auto &row : tx2.exec_prepared("message_claim", "a", 10, false, outboxd::kMaxMessageTextBytes, true, false))
    any.push_back(row[3].as<std::string>());
  EXPECT_EQ(any, (std::vector<std::string>{"1"})) << "the rest; the first claim holds 2 and 3";
}
