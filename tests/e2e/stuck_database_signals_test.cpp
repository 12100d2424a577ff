// SIGTERM is taken at once while the daemon's main thread would wait on a database that does not
// answer: at start (a silent host) and during a SIGHUP reload (its check blocked behind a lock).
#include <csignal>

#include "tests/e2e/harness.hpp"
#include "tests/support/silent_server.hpp"

using namespace outboxd::test;

class StuckDatabaseSignals : public E2E {};

TEST_F(StuckDatabaseSignals, SigtermAtStartWhileTheDatabaseSaysNothing) {
  SilentServer silent;
  const std::string path = dir.file("silent.yaml");
  write_file(path, daemon_config(silent.conninfo(), scripted_destination("orders")));
  DaemonProcess d({"run", "--config", path}, dir.file("daemon.log"));
  ASSERT_TRUE(wait_until([&] { return silent.has_client(); }, std::chrono::seconds(10))) << d.log();
  d.signal(SIGTERM);
  const auto code = d.wait_exit(std::chrono::seconds(3));
  ASSERT_TRUE(code.has_value()) << "still waiting on the database after SIGTERM:\n" << d.log();
  EXPECT_EQ(*code, 0) << d.log();
  EXPECT_NE(d.log().find("giving that up"), std::string::npos) << d.log();
}

TEST_F(StuckDatabaseSignals, SigtermDuringAReloadWhoseCheckWaitsOnTheDatabase) {
  db.exec("CREATE TABLE deliveries (message_id uuid PRIMARY KEY, status text)");
  const std::string on_outcome =
      "    on_outcome: \"UPDATE deliveries SET status = $2 WHERE message_id = $1::uuid\"\n";
  const std::string path = write_config(scripted_destination("orders", on_outcome));
  auto daemon = start(path);
  // The reload prepares the on_outcome statement, which waits behind this lock.
  auto lock_conn = db.connect();
  auto lock_tx = std::make_unique<pqxx::work>(*lock_conn);
  lock_tx->exec("LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE");
  daemon->signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] {
    return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'") != "0";
  }, std::chrono::seconds(10))) << daemon->log();
  daemon->signal(SIGTERM);
  const auto code = daemon->wait_exit(std::chrono::seconds(5));
  ASSERT_TRUE(code.has_value()) << "the reload held SIGTERM:\n" << daemon->log();
  EXPECT_NE(daemon->log().find("reload: given up"), std::string::npos) << daemon->log();
  lock_tx.reset();
}
