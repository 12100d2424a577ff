// core/sql_errors classify_fault against a real PostgreSQL: what each loop does after the errors a
// production database really sends (the SQLSTATEs come from the server, not from a table here).
#include <gtest/gtest.h>

#include <optional>

#include "core/sql_errors.hpp"
#include "tests/support/test_database.hpp"

namespace outboxd {
namespace {

// Runs `sql` in a transaction on `conn` and classifies what it threw (nullopt: it did not throw).
std::optional<FaultAction> fault_of(pqxx::connection &conn, const std::string &sql) {
  try {
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  } catch (const std::exception &e) {
    return classify_fault(e, &conn);
  }
  return std::nullopt;
}

TEST(FaultClasses, ATimeoutIsRetriedOnTheSameSession) {
  test::TestDatabase db;
  auto conn = db.connect();
  EXPECT_EQ(fault_of(*conn, "SET LOCAL statement_timeout = '20ms'; SELECT pg_sleep(5)"), FaultAction::RetryLater);
  EXPECT_EQ(fault_of(*conn, "SELECT 1"), std::nullopt) << "the session stays usable after it";
}

TEST(FaultClasses, TheStatementsOwnFaultIsNotTheDatabases) {
  test::TestDatabase db;
  auto conn = db.connect();
  EXPECT_EQ(fault_of(*conn, "SELECT * FROM no_such_table"), FaultAction::StatementFault);
  EXPECT_EQ(fault_of(*conn, "SELECT 1/0"), FaultAction::StatementFault);
  EXPECT_EQ(fault_of(*conn, "SELEC 1"), FaultAction::StatementFault);
}

TEST(FaultClasses, AReadOnlySessionIsReplaced) {
  test::TestDatabase db;
  auto conn = db.connect();
  // What a session sees on a standby after a failover: 25006.
  EXPECT_EQ(fault_of(*conn, "SET LOCAL transaction_read_only = on; CREATE TEMP TABLE t (x int)"),
            FaultAction::Reconnect);
}

TEST(FaultClasses, ASessionTheServerEndedIsReplaced) {
  test::TestDatabase db;
  auto conn = db.connect();
  const std::string pid = pqxx::work(*conn).exec1("SELECT pg_backend_pid()")[0].c_str();
  db.exec("SELECT pg_terminate_backend(" + pid + ")");
  EXPECT_EQ(fault_of(*conn, "SELECT 1"), FaultAction::Reconnect);
}

}  // namespace
}  // namespace outboxd
