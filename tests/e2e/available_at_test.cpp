// available_at on the real daemon: rows written before the schema checked them stop no claims and
// make the listener neither spin nor reconnect.
#include <algorithm>

#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;

namespace {

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
