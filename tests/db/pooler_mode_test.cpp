// database.pooler: transaction on a real database: the embedded queries leave no named statement
// in the session and the worker's settings hold inside its transaction only, so nothing a
// transaction pooler hands to the next client carries anything of ours. On a direct connection
// the same calls prepare by name and set the session once.
#include <gtest/gtest.h>

#include "core/db.hpp"
#include "core/message_limits.hpp"
#include "core/named_query.hpp"
#include "tests/support/test_database.hpp"

namespace outboxd {
namespace {

using test::TestDatabase;

// Sets the process-wide pooler mode for one test and restores it.
struct PoolerMode {
  explicit PoolerMode(Pooler p) { set_pooler(p); }
  ~PoolerMode() { set_pooler(Pooler::None); }
};

long long prepared_statements(pqxx::transaction_base &tx) {
  return tx.exec1("SELECT count(*) FROM pg_prepared_statements")[0].as<long long>();
}

std::string setting(pqxx::transaction_base &tx, const std::string &name) {
  return tx.exec1("SELECT current_setting('" + name + "')")[0].as<std::string>();
}

// A claim and its outcome write, as a worker makes them.
void claim_and_record(pqxx::transaction_base &tx) {
  const pqxx::result rows = exec_query(tx, "message_claim", "a", 10, false, kMaxMessageTextBytes, true, false);
  ASSERT_EQ(rows.size(), 2u);
  const std::string seqs = "{" + rows[0][0].as<std::string>() + "," + rows[1][0].as<std::string>() + "}";
  EXPECT_EQ(exec_query(tx, "message_mark_delivered", seqs).size(), 2u);
}

TEST(PoolerMode, TransactionModeLeavesNoNamedStatementOrSettingInTheSession) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload) VALUES ('a', '{}'), ('a', '{}')");
  PoolerMode pooled(Pooler::Transaction);
  auto conn = open_connection(db.conninfo());
  apply_session_settings(*conn, SessionRole::Worker);  // nothing through a pooler
  {
    pqxx::work tx(*conn);
    EXPECT_EQ(setting(tx, "enable_sort"), "on");
    apply_transaction_settings(tx, SessionRole::Worker);
    EXPECT_EQ(setting(tx, "enable_sort"), "off");
    claim_and_record(tx);
    EXPECT_EQ(prepared_statements(tx), 0);
    tx.commit();
  }
  pqxx::work after(*conn);
  EXPECT_EQ(setting(after, "enable_sort"), "on");  // SET LOCAL ended with its transaction
  EXPECT_EQ(prepared_statements(after), 0);
  EXPECT_EQ(db.count("state = 'delivered'"), 2);
}

TEST(PoolerMode, DirectConnectionPreparesByNameAndSetsTheSessionOnce) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload) VALUES ('a', '{}'), ('a', '{}')");
  auto conn = open_connection(db.conninfo());
  apply_session_settings(*conn, SessionRole::Worker);
  {
    pqxx::work tx(*conn);
    apply_transaction_settings(tx, SessionRole::Worker);  // nothing on a direct connection
    claim_and_record(tx);
    tx.commit();
  }
  pqxx::work after(*conn);
  EXPECT_EQ(setting(after, "enable_sort"), "off");
  EXPECT_EQ(after.exec1("SELECT count(*) FROM pg_prepared_statements WHERE name = 'message_claim'")[0].as<int>(), 1);
}

TEST(PoolerMode, ReadinessSettingsHoldForTheirSimpleQueryOnly) {
  TestDatabase db;
  pqxx::connection conn(db.conninfo());
  pqxx::nontransaction tx(conn);
  const pqxx::result r =
      tx.exec(transaction_settings_sql(SessionRole::Readiness) + "SELECT current_setting('statement_timeout')");
  EXPECT_EQ(r[0][0].as<std::string>(), "3s");
  EXPECT_EQ(setting(tx, "statement_timeout"), "0");
}

}  // namespace
}  // namespace outboxd
