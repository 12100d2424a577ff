// The API while the database is down: the daemon listens before it first reaches the database,
// /readyz says it is starting, /metrics answers throughout (in-process figures current, database
// gauges from the last good read, dated), systemd hears what the daemon waits for, and nothing a
// client sees names the database's host, port or user.
#include <signal.h>

#include <pqxx/pqxx>

#include "tests/e2e/api_harness.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/private_cluster.hpp"

using namespace outboxd::test;

class ApiDatabaseDown : public ApiE2E {
 protected:
  // What a client must never be shown: where the database is and who logs in. (The port is looked
  // for in JSON answers only: in Prometheus text its digits may well be part of a timestamp.)
  static void expect_no_database_details(const HttpReply &r, const PrivateCluster &pg) {
    if (r.body.rfind("{", 0) == 0) {
      EXPECT_EQ(r.body.find(std::to_string(pg.port())), std::string::npos) << r.body;
    }
    EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("outbox\""), std::string::npos) << r.body;  // the user, as libpq quotes it
    EXPECT_EQ(r.body.find("connection to server"), std::string::npos) << r.body;
  }
};

TEST_F(ApiDatabaseDown, ListensBeforeTheDatabaseAndMetricsAnswerThroughAnOutage) {
  PrivateCluster pg(3);
  pg.down();
  NotifySocket notify(dir.file("notify.sock"));
  const std::string config = write_config(scripted_destination("orders"), "", "outboxd.yaml", pg.conninfo());
  daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{"run", "--config", config},
                                           dir.file("daemon.log"),
                                           std::vector<std::string>{"/usr/bin/env", "NOTIFY_SOCKET=" + notify.path()});
  read_base();

  // Starting, the database down: alive, not ready, metrics from memory.
  EXPECT_EQ(get("/healthz").status, 200);
  HttpReply ready = get("/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(ready.json()["checks"].value("daemon", ""), "starting") << ready.body;
  EXPECT_EQ(ready.json()["checks"].value("database", ""), "unreachable") << ready.body;
  expect_no_database_details(ready, pg);
  HttpReply metrics = get("/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(sample_value(metrics.body, "outboxd_database_up"), 0) << metrics.body;
  EXPECT_EQ(sample_value(metrics.body, "outboxd_database_last_read_timestamp_seconds"), 0) << metrics.body;
  EXPECT_NE(metrics.body.find("outboxd_build_info{version=\""), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("outboxd_messages_pending{destination=\"orders\"} 0"), std::string::npos);
  // Routes that need the database wait for the start (no schema is known yet): 503, saying so.
  const HttpReply early = post("/v1/messages", R"({"destination": "orders", "payload": {}})");
  EXPECT_EQ(early.status, 503) << early.body;
  EXPECT_EQ(early.json().value("error", ""), "starting") << early.body;
  EXPECT_TRUE(notify.wait_for("STATUS=waiting for the database")) << daemon->log();
  for (const std::string &m : notify.messages())
    EXPECT_EQ(m.find(std::to_string(pg.port())), std::string::npos) << "systemd's status shows no database details: " << m;
  for (const std::string &m : notify.messages()) EXPECT_EQ(m.find("READY=1"), std::string::npos) << m;

  // The database comes up: ready, and the gauges are read.
  pg.up();
  ASSERT_TRUE(wait_until([&] { return get("/readyz").status == 200; }, std::chrono::seconds(30))) << daemon->log();
  EXPECT_TRUE(notify.wait_for("READY=1")) << daemon->log();
  EXPECT_TRUE(notify.wait_for("STATUS=running")) << daemon->log();
  pg.exec("SELECT outbox.enqueue_in('orders', '{\"n\": 1}', interval '1 hour')");
  ASSERT_TRUE(wait_until([&] {
    metrics = get("/metrics");
    return metrics.body.find("outboxd_messages_pending{destination=\"orders\"} 1") != std::string::npos;
  })) << metrics.body;
  EXPECT_EQ(sample_value(metrics.body, "outboxd_database_up"), 1) << metrics.body;
  const double read_at = sample_value(metrics.body, "outboxd_database_last_read_timestamp_seconds");
  EXPECT_GT(read_at, 1e9) << metrics.body;

  // Down again: metrics still answer, with the last reading, dated, and the database marked down.
  pg.down();
  ASSERT_TRUE(wait_until([&] {
    metrics = get("/metrics");
    return metrics.status == 200 && sample_value(metrics.body, "outboxd_database_up") == 0;
  })) << metrics.status << " " << metrics.body;
  EXPECT_NE(metrics.body.find("outboxd_messages_pending{destination=\"orders\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_GE(sample_value(metrics.body, "outboxd_database_last_read_timestamp_seconds"), read_at);
  EXPECT_TRUE(daemon->wait_for_log("metrics: could not read the pending and paused gauges")) << daemon->log();
  ASSERT_TRUE(wait_until([&] { return (ready = get("/readyz")).status == 503; })) << ready.body;
  EXPECT_EQ(ready.json()["checks"].value("daemon", ""), "running") << ready.body;
  expect_no_database_details(ready, pg);
  expect_no_database_details(metrics, pg);

  // Back: the gauges are current again.
  pg.up();
  EXPECT_TRUE(wait_until([&] { return sample_value(get("/metrics").body, "outboxd_database_up") == 1; },
                         std::chrono::seconds(30)));
  EXPECT_TRUE(daemon->wait_for_log("metrics: the database answers again")) << daemon->log();
  daemon->signal(SIGTERM);
  EXPECT_TRUE(notify.wait_for("STOPPING=1")) << daemon->log();
  EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
}

TEST_F(ApiDatabaseDown, AScrapeAnswersWhileTheGaugesReadWaitsBehindALock) {
  start_api(scripted_destination("orders"));
  enqueue("orders", "{}", ", available_at => now() + interval '1 hour'");
  ASSERT_TRUE(wait_until([&] { return sample_value(get("/metrics").body, "outboxd_database_up") == 1; }));
  // A migration's ACCESS EXCLUSIVE lock, held: the gauges' read waits behind it.
  auto locker = db.connect();
  pqxx::work hold(*locker);
  hold.exec("LOCK TABLE outbox.messages IN ACCESS EXCLUSIVE MODE");
  // Once the last reading is a second old, a scrape asks for another, waits for it a while, and
  // answers with the last one (the pending message) while the read still waits on the lock.
  HttpReply during;
  ASSERT_TRUE(wait_until([&] {
    during = get("/metrics");
    return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                     "application_name = 'outboxd-metrics' AND wait_event_type = 'Lock'") == "1";
  })) << "no scrape's read waited on the lock";
  EXPECT_EQ(during.status, 200) << during.body;
  EXPECT_NE(during.body.find("outboxd_messages_pending{destination=\"orders\"} 1"), std::string::npos) << during.body;
  EXPECT_EQ(get("/healthz").status, 200);
  hold.abort();
  EXPECT_TRUE(wait_until([&] { return sample_value(get("/metrics").body, "outboxd_database_up") == 1; }));
}
