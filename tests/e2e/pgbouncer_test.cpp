// outboxd behind a real PgBouncer in transaction pooling (database.pooler: transaction): with fewer
// server connections than the daemon has clients, so every transaction may land in another server
// session, 20,000 messages are each delivered exactly once and the daemon logs no error. Without
// the pooler mode the same run fails with "prepared statement "message_claim" does not exist" /
// "... already exists" (named statements left in one session, missing from the next).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "tests/e2e/api_harness.hpp"
#include "tests/support/pgbouncer_process.hpp"

namespace outboxd::test {
namespace {

constexpr int kDirect = 19900;  // bulk-inserted straight into PostgreSQL
constexpr int kThroughApi = 100;  // enqueued over HTTP, through the pooler
constexpr int kTotal = kDirect + kThroughApi;

// Lines the daemon logged at error level or worse, and any about prepared statements.
std::vector<std::string> error_lines(const std::string &log) {
  static const std::regex error_level(R"(^\S+ \S+ +(error|critical) )");
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, error_level) || line.find("prepared statement") != std::string::npos)
      out.push_back(line);
  return out;
}

TEST(PgBouncer, TransactionPoolingDeliversEveryMessageOnceWithoutErrors) {
  TestDatabase db(false);  // the daemon migrates it, through the pooler
  TempDir dir;
  // Fewer server connections than the daemon's clients (4 workers, the pruner, 2 API connections
  // and the readiness probe's), so server sessions really are shared between them.
  PgBouncerProcess bouncer(3);
  // on_outcome runs in every outcome transaction; the primary key makes a second outcome for a
  // message an error (which the log check below would catch).
  db.exec("CREATE TABLE outcomes (id uuid PRIMARY KEY, state text NOT NULL)");
  const std::string delivered = dir.file("delivered.jsonl");
  const std::string config = dir.file("outboxd.yaml");
  write_file(config, "database:\n"
                     "  url: \"" + bouncer.conninfo(db.name()) + "\"\n"
                     "  pooler: transaction\n"
                     "workers: 4\n"
                     "batch_size: 1000\n"
                     "shutdown_grace: 20s\n"
                     "wakeup:\n  mode: poll\n  poll_interval: 20ms\n"
                     "retention:\n  prune_interval: 1s\n"
                     "api:\n  listen: 127.0.0.1:0\n  threads: 2\n"
                     "destinations:\n"
                     "  sink:\n"
                     "    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/log.so\"\n"
                     "    on_outcome: INSERT INTO outcomes (id, state) VALUES ($1, $2)\n"
                     "    config:\n"
                     "      path: \"" + delivered + "\"\n");

  DaemonProcess daemon({"run", "--config", config}, dir.file("daemon.log"));
  ASSERT_TRUE(wait_until([&] { return daemon.log().find("running:") != std::string::npos || !daemon.running(); },
                         std::chrono::seconds(30)));
  ASSERT_TRUE(daemon.running()) << daemon.log();
  std::smatch port;
  const std::string start_log = daemon.log();
  ASSERT_TRUE(std::regex_search(start_log, port, std::regex("api: listening on 127\\.0\\.0\\.1:(\\d+)"))) << start_log;
  const std::string base = "http://127.0.0.1:" + port[1].str();

  db.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'sink', jsonb_build_object('n', g) "
          "FROM generate_series(1, " + std::to_string(kDirect) + ") g");
  std::string batch = "[";
  for (int i = 0; i < kThroughApi; ++i)
    batch += std::string(i ? "," : "") + R"({"destination":"sink","payload":{"api":)" + std::to_string(i) + "}}";
  batch += "]";
  const HttpReply created = http("POST", base + "/v1/messages/batch", batch);
  EXPECT_EQ(created.status, 201) << created.body;

  pqxx::connection direct(db.conninfo());
  auto pending = [&] {
    pqxx::nontransaction tx(direct);
    return tx.exec1("SELECT count(*) FROM outbox.messages WHERE state <> 'delivered'")[0].as<long long>();
  };
  EXPECT_TRUE(wait_until([&] { return pending() == 0; }, std::chrono::seconds(90)))
      << pending() << " not delivered\n" << daemon.log();

  // The HTTP API's reads through the pooler too.
  const HttpReply ready = http("GET", base + "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  const HttpReply stats = http("GET", base + "/v1/stats");
  EXPECT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(stats.json()["destinations"]["sink"]["delivered"], kTotal) << stats.body;

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(std::chrono::seconds(30)), 0) << daemon.log();

  std::map<std::string, int> sends;
  for (const auto &line : read_lines(delivered)) sends[nlohmann::json::parse(line)["id"].get<std::string>()]++;
  std::vector<std::string> duplicates;
  for (const auto &[id, n] : sends)
    if (n > 1) duplicates.push_back(id + " x" + std::to_string(n));
  EXPECT_EQ(sends.size(), static_cast<size_t>(kTotal));
  EXPECT_TRUE(duplicates.empty()) << duplicates.size() << " sent more than once, e.g. " << duplicates.front();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outcomes WHERE state = 'delivered'"), std::to_string(kTotal));
  const std::vector<std::string> errors = error_lines(daemon.log());
  EXPECT_TRUE(errors.empty()) << errors.size() << " error lines, first: " << errors.front();
}

}  // namespace
}  // namespace outboxd::test
