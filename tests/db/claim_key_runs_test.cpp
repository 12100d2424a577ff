// sql/queries/message_claim_key_runs.sql against a real PostgreSQL: a key's next rows are claimed
// together as far as they lie in the window, and never one whose key has an earlier pending row
// outside it (locked by another transaction, waiting for a retry, of another destination).
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "core/message_limits.hpp"
#include "core/queries.hpp"
#include "tests/support/test_database.hpp"

using namespace outboxd;
using outboxd::test::TestDatabase;

namespace {

struct Window {
  std::vector<std::string> claimed, left;  // payloads ("a1"), in the order returned
};

Window claim_runs(pqxx::transaction_base &tx, int limit = 100, const std::vector<std::string> &keys_elsewhere = {}) {
  Window w;
  for (const auto &row : queries::message_claim_key_runs(tx, "a", limit, false, kMaxMessageTextBytes, true, false,
                                                         keys_elsewhere)) {
    if (row.claimable) {
      w.claimed.push_back(row.payload.value_or("<none>"));
    } else {
      EXPECT_FALSE(row.payload) << "a row left for its key is not written out";
      w.left.push_back(tx.exec_params1("SELECT payload::text FROM outbox.messages WHERE seq = $1", row.seq)[0]
                           .as<std::string>());
    }
  }
  return w;
}

// One claim of its own, rolled back.
Window claim_once(const TestDatabase &db, int limit = 100) {
  auto conn = db.connect();
  pqxx::work tx(*conn);
  return claim_runs(tx, limit);
}

// Enqueues `n` messages of key `key` to destination `dest`, with payloads "key1".."keyN" as JSON strings.
void run_of(TestDatabase &db, const std::string &key, int n, const std::string &dest = "a") {
  db.exec("SELECT outbox.enqueue('" + dest + "', to_jsonb('" + key + "' || g), ordering_key => '" + key +
          "') FROM generate_series(1, " + std::to_string(n) + ") g ORDER BY g");
}

using Payloads = std::vector<std::string>;

}  // namespace

TEST(ClaimKeyRuns, TakesAKeysRunAtOnceInSeqOrder) {
  TestDatabase db;
  run_of(db, "k", 4);
  db.exec("SELECT outbox.enqueue('a', '\"plain\"')");
  run_of(db, "j", 2);
  const Window w = claim_once(db);
  EXPECT_EQ(w.claimed, (Payloads{"\"k1\"", "\"k2\"", "\"k3\"", "\"k4\"", "\"plain\"", "\"j1\"", "\"j2\""}));
  EXPECT_TRUE(w.left.empty());
}

TEST(ClaimKeyRuns, AWindowThatEndsInARunTakesItsStart) {
  TestDatabase db;
  run_of(db, "k", 10);
  auto conn = db.connect();
  pqxx::work tx(*conn);
  EXPECT_EQ(claim_runs(tx, 3).claimed, (Payloads{"\"k1\"", "\"k2\"", "\"k3\""}));
}

TEST(ClaimKeyRuns, RowsWhoseKeysEarlierRowAnotherTransactionHoldsAreLeft) {
  TestDatabase db;
  run_of(db, "k", 6);
  run_of(db, "j", 2);
  auto c1 = db.connect();
  auto c2 = db.connect();
  pqxx::work t1(*c1);
  EXPECT_EQ(claim_runs(t1, 2).claimed, (Payloads{"\"k1\"", "\"k2\""}));
  pqxx::work t2(*c2);
  const Window w = claim_runs(t2, 5);
  EXPECT_EQ(w.claimed, (Payloads{"\"j1\""})) << "j2 lies past the window of five";
  EXPECT_EQ(w.left, (Payloads{"\"k3\"", "\"k4\"", "\"k5\"", "\"k6\""}));
}

TEST(ClaimKeyRuns, KeysOtherWorkersHoldStayOutOfTheWindow) {
  TestDatabase db;
  run_of(db, "k", 3);
  run_of(db, "j", 2);
  auto conn = db.connect();
  pqxx::work tx(*conn);
  const Window w = claim_runs(tx, 100, {"k", "x"});
  EXPECT_EQ(w.claimed, (Payloads{"\"j1\"", "\"j2\""}));
  EXPECT_TRUE(w.left.empty()) << "not locked, so not left either";
}

TEST(ClaimKeyRuns, AnEarlierRowWaitingForARetryHoldsItsKeysLaterRows) {
  TestDatabase db;
  run_of(db, "k", 3);
  run_of(db, "j", 1);
  db.exec("UPDATE outbox.messages SET attempt = 1, available_at = now() + interval '1 hour' WHERE payload = '\"k1\"'");
  const Window w = claim_once(db);
  EXPECT_EQ(w.claimed, (Payloads{"\"j1\""}));
  EXPECT_EQ(w.left, (Payloads{"\"k2\"", "\"k3\""}));
}

TEST(ClaimKeyRuns, AnEarlierRowOfAnotherDestinationHoldsItsKeysLaterRows) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('b', '\"b1\"', ordering_key => 'k')");
  run_of(db, "k", 2);
  const Window w = claim_once(db);
  EXPECT_TRUE(w.claimed.empty());
  EXPECT_EQ(w.left, (Payloads{"\"k1\"", "\"k2\""}));
}

TEST(ClaimKeyRuns, AKeysRowsAreClaimedUpToItsFirstRowOutsideTheWindow) {
  // k2 goes to another destination: k1 comes before it, k3 after it waits.
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '\"k1\"', ordering_key => 'k')");
  db.exec("SELECT outbox.enqueue('b', '\"k2\"', ordering_key => 'k')");
  db.exec("SELECT outbox.enqueue('a', '\"k3\"', ordering_key => 'k')");
  db.exec("SELECT outbox.enqueue('a', '\"k4\"', ordering_key => 'k')");
  const Window w = claim_once(db);
  EXPECT_EQ(w.claimed, (Payloads{"\"k1\""}));
  EXPECT_EQ(w.left, (Payloads{"\"k3\"", "\"k4\""}));
}

TEST(ClaimKeyRuns, AnEarlierRowWithAHigherPriorityNumberStillComesFirst) {
  // The window is in (priority, seq) order; a key's order is seq order.
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', '\"k1\"', ordering_key => 'k', priority => 5)");
  db.exec("SELECT outbox.enqueue('a', '\"k2\"', ordering_key => 'k', priority => 0)");
  db.exec("SELECT outbox.enqueue('a', '\"other\"', priority => 1)");
  auto conn = db.connect();
  {
    pqxx::work tx(*conn);
    const Window w = claim_runs(tx, 2);
    EXPECT_EQ(w.claimed, (Payloads{"\"other\""})) << "k1 is outside the window of two";
    EXPECT_EQ(w.left, (Payloads{"\"k2\""}));
  }
  pqxx::work tx(*conn);
  EXPECT_EQ(claim_runs(tx, 3).claimed, (Payloads{"\"k2\"", "\"other\"", "\"k1\""}))
      << "both in the window: claimed, in claim order (the worker sends k1 first)";
}

TEST(ClaimKeyRuns, APausedDestinationClaimsNothing) {
  TestDatabase db;
  run_of(db, "k", 2);
  db.exec("INSERT INTO outbox.destination_controls (destination, paused, paused_at) VALUES ('a', true, now())");
  const Window w = claim_once(db);
  EXPECT_TRUE(w.claimed.empty());
  EXPECT_TRUE(w.left.empty());
}

// The window's WHERE clause is message_claim.sql's, written out twice: without keys the two claim
// the same rows, in the same order, for each of the claim's switches.
TEST(ClaimKeyRuns, WithoutKeysItClaimsWhatThePlainClaimClaims) {
  TestDatabase db;
  db.exec("SELECT outbox.enqueue('a', to_jsonb(g), priority => g % 3) FROM generate_series(1, 6) g");
  db.exec("SELECT outbox.enqueue('b', '\"other destination\"')");
  db.exec("SELECT outbox.enqueue('a', '\"later\"', available_at => now() + interval '1 hour')");
  db.exec("SELECT outbox.enqueue('a', '\"retry due\"')");
  db.exec("UPDATE outbox.messages SET attempt = 1 WHERE payload = '\"retry due\"'");
  db.exec("SELECT outbox.enqueue('a', '\"retry later\"')");
  db.exec("UPDATE outbox.messages SET attempt = 1, available_at = now() + interval '1 hour' "
          "WHERE payload = '\"retry later\"'");
  db.exec("UPDATE outbox.messages SET state = 'delivered', finalized_at = now() WHERE payload = '3'");
  auto conn = db.connect();
  for (const bool ahead : {false, true})
    for (const bool first_only : {false, true})
      for (const int limit : {3, 100}) {
        std::vector<long long> plain, window;
        {
          pqxx::work tx(*conn);  // each claim rolls back: the other sees the same rows
          for (const auto &r : queries::message_claim(tx, "a", limit, ahead, kMaxMessageTextBytes, true, first_only))
            plain.push_back(r.seq);
        }
        {
          pqxx::work tx(*conn);
          for (const auto &r : queries::message_claim_key_runs(tx, "a", limit, ahead, kMaxMessageTextBytes, true,
                                                                first_only, {})) {
            EXPECT_TRUE(r.claimable);
            window.push_back(r.seq);
          }
        }
        EXPECT_FALSE(plain.empty());
        EXPECT_EQ(window, plain) << "schedules ahead " << ahead << ", first attempts only " << first_only
                                 << ", limit " << limit;
      }
}
