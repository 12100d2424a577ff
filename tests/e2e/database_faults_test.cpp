// PostgreSQL faults a production database shows, on the real daemon: a database that turns
// read-only (a failover onto a standby), a disk that fills up while messages wait, a network that
// drops every packet. Each asserts recovery and how often a message was sent, with deadlines.
// docs/RELIABILITY.md records the figures these tests print.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <regex>
#include <set>

#include "tests/e2e/harness.hpp"
#include "tests/support/full_disk.hpp"
#include "tests/support/packet_drop.hpp"
#include "tests/support/private_cluster.hpp"

using namespace outboxd::test;
using Clock = std::chrono::steady_clock;

namespace {

long long ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// The ids that lines of the daemon's log containing `needle` name.
std::set<std::string> ids_logged(const std::string &log, const std::string &needle) {
  static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  std::set<std::string> out;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    if (line.find(needle) != std::string::npos)
      for (std::sregex_iterator it(line.begin(), line.end(), uuid), last; it != last; ++it) out.insert(it->str());
    start = end + 1;
  }
  return out;
}

}  // namespace

class DatabaseFaults : public E2E {};

TEST_F(DatabaseFaults, ReadOnlyDatabaseIsLeftWithinSecondsOfBecomingWritableAgain) {
  auto daemon = start(write_config(scripted_destination("orders")));
  enqueue("orders", R"({"n": 1})");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();

  // What a failover onto a standby, or an operator, does: new sessions are read-only. The
  // daemon's sessions are ended so that they come back as such.
  db.exec("ALTER DATABASE " + db.name() + " SET default_transaction_read_only = on");
  db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
          "AND pid <> pg_backend_pid()");
  db.exec("SET TRANSACTION READ WRITE; SELECT outbox.enqueue('orders', '{\"n\": 2}')");
  ASSERT_TRUE(daemon->wait_for_log("read-only transaction")) << daemon->log();

  db.exec("SET TRANSACTION READ WRITE; ALTER DATABASE " + db.name() + " RESET default_transaction_read_only");
  const auto writable = Clock::now();
  ASSERT_TRUE(wait_count("state = 'delivered'", 2, std::chrono::seconds(20))) << daemon->log();
  std::cout << "[ figure ] read-only database made writable -> first delivery: " << ms_since(writable) << " ms\n";
  EXPECT_NE(daemon->log().find("database usable again"), std::string::npos) << daemon->log();
}

TEST_F(DatabaseFaults, ConnectionKilledWhileABatchIsSentDoesNotSendItAgain) {
  // Three workers: when the session dies, its rows are free at once, and the other workers, idle,
  // claim them while the first is still sending.
  auto daemon = start(write_config(scripted_destination("orders"), "workers: 3\n"));
  db.exec("INSERT INTO outbox.messages (destination, payload) "
          "SELECT 'orders', jsonb_build_object('n', g, 'behavior', 'slow', 'ms', 300) FROM generate_series(1, 5) g");
  // The claim is open while the plugin sends; its session is killed under it.
  ASSERT_TRUE(wait_open_claims(1)) << daemon->log();
  db.exec(open_claims_sql("pg_terminate_backend(a.pid)"));
  ASSERT_TRUE(wait_count("state = 'delivered'", 5, std::chrono::seconds(30))) << daemon->log();
  EXPECT_NE(daemon->log().find("another worker is still sending it"), std::string::npos) << daemon->log();
  const auto by_id = ok_calls_by_id(read_calls(record_path()));
  EXPECT_EQ(by_id.size(), 5u);
  for (const auto &[id, n] : by_id) EXPECT_EQ(n, 1) << id << " was sent " << n << " times\n" << daemon->log();
  const std::set<std::string> warned = ids_logged(daemon->log(), "were sent but their outcome");
  EXPECT_FALSE(warned.empty()) << daemon->log();
  for (const auto &id : warned) EXPECT_TRUE(by_id.count(id)) << id;
  EXPECT_NE(daemon->log().find("none was sent again"), std::string::npos) << daemon->log();
}

TEST_F(DatabaseFaults, ConnectionKilledWhileAKeysRunIsSentInWavesDoesNotSendAnyOfItAgain) {
  // Three workers; the key's first message comes alone (the plain claim), then the rest of its
  // run in one batch, sent in waves. Its session is killed during the waves: the run's rows are
  // free at once, and the other workers, idle, claim them while the waves go on.
  auto daemon = start(write_config(scripted_destination("orders"), "workers: 3\n"));
  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('n', g, 'behavior', 'slow', 'ms', 200), "
          "ordering_key => 'k') FROM generate_series(1, 6) g ORDER BY g");
  ASSERT_TRUE(wait_until([&] { return read_calls(record_path()).size() >= 2; }, std::chrono::seconds(30)))
      << daemon->log();
  ASSERT_TRUE(wait_open_claims(1)) << daemon->log();
  db.exec(open_claims_sql("pg_terminate_backend(a.pid)"));
  ASSERT_TRUE(wait_count("state = 'delivered'", 6, std::chrono::seconds(30))) << daemon->log();
  const auto calls = read_calls(record_path());
  const auto by_id = ok_calls_by_id(calls);
  EXPECT_EQ(by_id.size(), 6u);
  for (const auto &[id, n] : by_id) EXPECT_EQ(n, 1) << id << " was sent " << n << " times\n" << daemon->log();
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].payload["n"], static_cast<int>(i) + 1) << daemon->log();
}

TEST_F(DatabaseFaults, DiskFullWhileMessagesWaitSendsNoMessageMoreThanTwice) {
  if (const std::string why = FullDisk::unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  FullDisk disk(48, geteuid() == 0 ? "postgres" : "");
  ASSERT_TRUE(disk.mounted());
  PrivateCluster pg(1);
  const int workers = 2, batch_size = 100, messages = 20000;
  const std::string config = write_config(scripted_destination("orders"),
                                          "workers: " + std::to_string(workers) + "\nbatch_size: " +
                                              std::to_string(batch_size) + "\n",
                                          "outboxd.yaml", pg.conninfo());
  {
    auto migrate = start(config, "migrate.log");  // applies the schema, then is stopped
    migrate->signal(SIGTERM);
    ASSERT_EQ(migrate->wait_exit(std::chrono::seconds(20)), 0) << migrate->log();
  }
  pg.exec("CREATE TABLESPACE small LOCATION '" + disk.tablespace_dir() + "'");
  pg.exec("ALTER TABLE outbox.messages SET TABLESPACE small");
  pg.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'orders', jsonb_build_object('n', g) "
          "FROM generate_series(1, " + std::to_string(messages) + ") g");
  disk.fill();

  auto daemon = start(config);
  ASSERT_TRUE(daemon->wait_for_log("No space left on device", std::chrono::seconds(30))) << daemon->log();
  // The disk stays full for 20 s. Nothing should change meanwhile: the condition is a breach of
  // the bound (more than one batch per worker sent again), which ends the wait early.
  const auto sends = [&] { return read_calls(record_path()).size(); };
  const std::size_t budget = static_cast<std::size_t>(workers * batch_size);
  EXPECT_FALSE(wait_until([&] { return sends() > 2 * budget; }, std::chrono::seconds(20)))
      << "messages sent again and again while the disk was full: " << sends() << " sends\n" << daemon->log();
  const std::size_t sent_while_full = sends();

  disk.free();
  const auto freed = Clock::now();
  ASSERT_TRUE(wait_until([&] { return pg.count("state = 'delivered'") == messages; }, std::chrono::seconds(120)))
      << pg.count("state = 'delivered'") << " delivered\n" << daemon->log();
  std::cout << "[ figure ] disk full 20 s: " << sent_while_full << " sends while full; space freed -> all "
            << messages << " delivered: " << ms_since(freed) << " ms\n";

  std::map<std::string, int> by_id = ok_calls_by_id(read_calls(record_path()));
  EXPECT_EQ(by_id.size(), static_cast<std::size_t>(messages));
  std::size_t extra = 0;
  int most = 0;
  std::vector<std::string> duplicated;
  for (const auto &[id, n] : by_id) {
    extra += static_cast<std::size_t>(n - 1);
    most = std::max(most, n);
    if (n > 1) duplicated.push_back(id);
  }
  std::cout << "[ figure ] disk full 20 s: " << extra << " extra sends, at most " << most << " per message\n";
  EXPECT_LE(most, 2) << daemon->log();
  EXPECT_LE(extra, budget) << daemon->log();
  // Every message sent twice was named in a warning before it was.
  const std::set<std::string> warned = ids_logged(daemon->log(), "were sent but their outcome");
  std::vector<std::string> unwarned;
  for (const auto &id : duplicated)
    if (!warned.count(id)) unwarned.push_back(id);
  EXPECT_TRUE(unwarned.empty()) << unwarned.size() << " message(s) sent twice without a warning, e.g. "
                                << unwarned.front() << "\n" << daemon->log();
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
}

TEST_F(DatabaseFaults, NetworkBlackholeIsNoticedLoggedAndLeftWithinSecondsOfTheNetworkReturning) {
  if (const std::string why = PacketDrop::unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  PrivateCluster pg(2);
  // 6 s instead of the default 15 s, to keep the test short; the mechanism is the same.
  auto daemon = start(write_config(scripted_destination("orders"), "database:\n  dead_connection_timeout: 6s\n",
                                   "outboxd.yaml", pg.conninfo()));
  pg.exec("SELECT outbox.enqueue('orders', '{\"n\": 1}')");
  ASSERT_TRUE(wait_until([&] { return pg.count("state = 'delivered'") == 1; })) << daemon->log();
  // Due while the network is down: a worker is in the middle of its claim when it notices.
  pg.exec("SELECT outbox.enqueue_in('orders', '{\"n\": 2}', interval '1 second')");

  PacketDrop drop(pg.port());
  ASSERT_TRUE(drop.start()) << "iptables could not add the rules";
  const auto dropped = Clock::now();
  // Noticed, and said, within the dead-connection timeout (and a margin for a busy machine).
  const std::size_t logged_before = daemon->log().size();
  ASSERT_TRUE(wait_until(
      [&] { return daemon->log().find("database connection lost", logged_before) != std::string::npos; },
      std::chrono::seconds(30)))
      << daemon->log();
  std::cout << "[ figure ] blackhole -> loss logged: " << ms_since(dropped) << " ms (dead_connection_timeout 6s)\n";
  // Reconnects fail while it lasts; then the network returns.
  ASSERT_TRUE(wait_until([&] { return ms_since(dropped) > 15000; }, std::chrono::seconds(20)));
  drop.stop();
  const auto back = Clock::now();
  ASSERT_TRUE(wait_until([&] { return pg.count("state = 'delivered'") == 2; }, std::chrono::seconds(30)))
      << daemon->log();
  std::cout << "[ figure ] network back -> first delivery: " << ms_since(back) << " ms\n";
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
}

TEST_F(DatabaseFaults, AStatementFaultWhileTheListenerHoldsTheWakeGateDoesNotStallEnqueues) {
  // The listener takes the gate (an exclusive session advisory lock) and releases it at once. A
  // fault between the two (a statement_timeout or pg_cancel_backend on the release) must not leave
  // the lock held by a session kept after the fault: every enqueue waits on it, shared, forever.
  // Here the release's key lookup fails once with query_canceled, while the lock is held.
  db.exec("CREATE SEQUENCE public.gate_trap");
  db.exec(R"(CREATE OR REPLACE FUNCTION outbox.wake_gate_key() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
             AND mode = 'ExclusiveLock' AND granted)
     AND nextval('public.gate_trap') = 1 THEN
    RAISE EXCEPTION 'canceling statement due to user request' USING ERRCODE = 'query_canceled';
  END IF;
  RETURN 7301946251847263001;
END $$)");
  auto daemon = start(write_config(scripted_destination("orders")));
  ASSERT_TRUE(daemon->wait_for_log("canceling statement due to user request")) << daemon->log();
  EXPECT_TRUE(wait_until([&] {
    return db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ExclusiveLock'") == "0";
  })) << "the listener's session still holds the gate\n" << daemon->log();
  // An enqueue waits on the gate; lock_timeout turns "forever" into an error.
  EXPECT_NO_THROW({
    auto app = db.connect();
    pqxx::work tx(*app);
    tx.exec("SET LOCAL lock_timeout = '3s'");
    tx.exec("SELECT outbox.enqueue('orders', '{}')");
    tx.commit();
  }) << daemon->log();
  EXPECT_TRUE(wait_count("state = 'delivered'", 1, std::chrono::seconds(10))) << daemon->log();
}
