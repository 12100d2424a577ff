// available_at on the real daemon: the HTTP API and the CLI refuse non-finite and absurd times
// with a clear error naming the field or flag, and rows written before the schema checked them
// stop no claims and make the listener neither spin nor reconnect.
#include <algorithm>

#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

// Times the schema refuses (outside [1970-01-01, 2200-01-01) UTC), and text that is no time.
const std::vector<std::string> kOutOfRange = {"-infinity", "infinity", "2400-01-01", "1969-12-31T23:59:59Z"};
const std::vector<std::string> kNotATime = {"soon", "2030-13-45", "2030-01-01 12:00 Mars/Olympus"};

// Writes rows as a database migrated over an older outbox may hold them: the check is dropped
// for the INSERT and added back NOT VALID, exactly as migration 0002 left it.
void insert_unchecked(TestDatabase &db, const std::string &values) {
  db.exec("ALTER TABLE outbox.messages DROP CONSTRAINT messages_available_at_in_range;"
          "INSERT INTO outbox.messages (destination, payload, available_at) VALUES " + values + ";"
          "ALTER TABLE outbox.messages ADD CONSTRAINT messages_available_at_in_range "
          "CHECK (outbox.available_at_in_range(available_at)) NOT VALID");
}

std::size_t count_of(const std::string &text, const std::string &needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace

class AvailableAtApi : public ApiE2E {
 protected:
  void SetUp() override { start_api(scripted_destination("orders")); }
};

TEST_F(AvailableAtApi, RefusedTimesAre400NamingAvailableAtAndWriteNothing) {
  for (const auto &t : kOutOfRange) {
    HttpReply r = post("/v1/messages", json{{"destination", "orders"}, {"payload", 1}, {"available_at", t}}.dump());
    EXPECT_EQ(r.status, 400) << t << ": " << r.body;
    EXPECT_EQ(r.json().value("error", ""), "invalid_field") << r.body;
    const std::string detail = r.json().value("detail", "");
    EXPECT_EQ(detail.rfind("available_at: must be a finite time from 1970-01-01", 0), 0u) << detail;
    EXPECT_NE(detail.find("\"" + t + "\""), std::string::npos) << detail;
  }
  for (const auto &t : kNotATime) {
    HttpReply r = post("/v1/messages", json{{"destination", "orders"}, {"payload", 1}, {"available_at", t}}.dump());
    EXPECT_EQ(r.status, 400) << t << ": " << r.body;
    EXPECT_EQ(r.json().value("detail", "").rfind("available_at: ", 0), 0u) << r.body;
  }
  HttpReply batch = post("/v1/messages/batch", json::array({{{"destination", "orders"}, {"payload", 1}},
                                                            {{"destination", "orders"}, {"payload", 2},
                                                             {"available_at", "infinity"}}})
                                                   .dump());
  EXPECT_EQ(batch.status, 400) << batch.body;
  EXPECT_EQ(batch.json().value("detail", "").rfind("[1].available_at: must be", 0), 0u) << batch.body;
  EXPECT_EQ(db.count(), 0) << "nothing written, not even the batch's valid first item";

  HttpReply last = post("/v1/messages", R"({"destination":"orders","payload":1,"available_at":"2199-12-31T23:59:59Z"})");
  EXPECT_EQ(last.status, 201) << last.body;
}

class AvailableAtCli : public E2E {};

TEST_F(AvailableAtCli, RefusedTimesExitTwoNamingTheFlag) {
  const std::string config = write_config(scripted_destination("orders"));
  std::vector<std::string> refused = kOutOfRange;
  refused.insert(refused.end(), kNotATime.begin(), kNotATime.end());
  for (const auto &t : refused) {
    auto [code, out] = run_outboxd({"enqueue", "--config", config, "--destination", "orders", "--payload", "{}",
                                    "--available-at", t});
    EXPECT_EQ(code, 2) << t << ": " << out;
    EXPECT_NE(out.find("outboxd: --available-at: "), std::string::npos) << out;
    EXPECT_EQ(out.find("Failing row"), std::string::npos) << out;
  }
  auto [code, out] = run_outboxd({"enqueue", "--config", config, "--destination", "orders", "--payload", "{}",
                                  "--available-at", "infinity"});
  EXPECT_NE(out.find("must be a finite time from 1970-01-01 00:00:00+00 up to, not including, 2200-01-01"),
            std::string::npos)
      << out;
  EXPECT_EQ(db.count(), 0);
  auto [ok, ok_out] = run_outboxd({"enqueue", "--config", config, "--destination", "orders", "--payload", "{}",
                                   "--available-at", "2100-01-01T00:00:00Z"});
  EXPECT_EQ(ok, 0) << ok_out;
  EXPECT_EQ(db.count(), 1);
}

class OldRowsOutOfRange : public ApiE2E {};

TEST_F(OldRowsOutOfRange, OthersAreDeliveredAndTheyAreDeadSayingWhyNeverSent) {
  insert_unchecked(db, "('orders', '{\"bad\": 1}', '-infinity'), ('orders', '{\"bad\": 2}', 'infinity'), "
                       "('orders', '{\"bad\": 3}', '2400-01-01'), ('elsewhere', '{\"bad\": 4}', 'infinity')");
  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('n', g)) FROM generate_series(1, 20) g");
  start_api(scripted_destination("orders"));
  ASSERT_TRUE(wait_count("state = 'delivered'", 20)) << daemon->log();
  ASSERT_TRUE(wait_count("state = 'dead'", 3)) << daemon->log();
  EXPECT_EQ(db.count("state = 'dead' AND last_error LIKE 'available_at % is not a finite time from 1970-01-01%"
                     "never sent: retry the message to send it now'"),
            3)
      << db.scalar("SELECT string_agg(last_error, ' | ') FROM outbox.messages WHERE state = 'dead'");
  for (const auto &c : read_calls(record_path())) EXPECT_FALSE(c.payload.contains("bad")) << c.payload.dump();
  const std::string log = daemon->log();
  EXPECT_EQ(log.find("batch failed"), std::string::npos) << log;
  EXPECT_EQ(log.find("reconnecting"), std::string::npos) << log;

  // The operator's ways out: a retry sends it now; a row nobody claims can still be cancelled.
  const std::string dead = db.scalar("SELECT id FROM outbox.messages WHERE payload = '{\"bad\": 2}'");
  EXPECT_EQ(post("/v1/messages/" + dead + "/retry").status, 200);
  EXPECT_TRUE(wait_state(dead, "delivered")) << daemon->log();
  const std::string waiting = db.scalar("SELECT id FROM outbox.messages WHERE destination = 'elsewhere'");
  HttpReply cancel = post("/v1/messages/" + waiting + "/cancel");
  EXPECT_EQ(cancel.status, 200) << cancel.body;
}

TEST_F(OldRowsOutOfRange, PendingOnesMakeTheListenerNeitherSpinNorReconnect) {
  insert_unchecked(db, "('orders', '{\"bad\": 1}', 'infinity'), ('orders', '{\"bad\": 2}', '2400-01-01')");
  // Held locked, so the workers skip them and they stay pending for the wake-up timer to see.
  auto holder = db.connect();
  pqxx::work hold(*holder);
  hold.exec("SELECT seq FROM outbox.messages FOR UPDATE");

  start_api(scripted_destination("orders"));
  ASSERT_TRUE(daemon->wait_for_log("idle: waiting for NOTIFY")) << daemon->log();
  // With the safety poll at 1 s, the workers poll three times in this window. A listener that read
  // the far-future row as "due long ago" went busy and idle again every linger (50 ms), 60 times;
  // one that failed on the infinite row reconnected over and over.
  EXPECT_FALSE(wait_until([&] { return count_of(daemon->log(), "idle: waiting for NOTIFY") > 3; },
                          std::chrono::seconds(3)))
      << daemon->log();
  const std::string log = daemon->log();
  EXPECT_EQ(log.find("reconnecting"), std::string::npos) << log;
  EXPECT_NE(get("/metrics").body.find("outboxd_db_reconnects_total 0"), std::string::npos);

  // Still delivers, and once the rows are free they are dead at the next claim.
  db.exec("SELECT outbox.enqueue('orders', '{\"n\": 1}')");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  hold.commit();
  ASSERT_TRUE(wait_count("state = 'dead'", 2)) << daemon->log();
}
