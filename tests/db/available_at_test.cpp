// available_at against a real PostgreSQL: every way of writing a row refuses non-finite and absurd
// times (migration 0002), and rows written before that check never break the claim, the wake-up
// timer, an outcome or a cancel.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "core/available_at.hpp"
#include "core/message_limits.hpp"
#include "core/migrations.hpp"
#include "core/outbox_store.hpp"
#include "tests/support/test_database.hpp"

using outboxd::test::TestDatabase;

namespace {

// Outside [1970-01-01, 2200-01-01) UTC, the window of outbox.available_at_in_range.
const std::vector<std::string> kRefused = {"-infinity", "infinity", "2400-01-01", "1969-12-31 23:59:59+00",
                                           "2200-01-01 00:00:00+00"};
const std::vector<std::string> kAccepted = {"1970-01-01 00:00:00+00", "2199-12-31 23:59:59.999999+00",
                                            "2030-06-01 12:00:00+02"};

// Runs `sql` in its own transaction; true when PostgreSQL refused it with a check violation of
// the available_at constraint.
bool refused_by_the_check(TestDatabase &db, const std::string &sql) {
  try {
    db.exec(sql);
  } catch (const pqxx::check_violation &e) {
    return std::string(e.what()).find("messages_available_at_in_range") != std::string::npos;
  }
  return false;
}

// Rows as a database holds them that was migrated over an outbox written before 0002: applies
// only 0001, writes the rows, then migrates to the end as the daemon does at start.
void migrate_over(TestDatabase &db, const std::vector<std::string> &inserts) {
  pqxx::connection c(db.conninfo());
  outboxd::apply_migrations(c, 1);
  for (const auto &sql : inserts) db.exec(sql);
  outboxd::apply_migrations(c);
}

}  // namespace

TEST(AvailableAt, TheSqlFunctionRefusesNonFiniteAndAbsurdTimes) {
  TestDatabase db;
  for (const auto &t : kRefused)
    EXPECT_TRUE(refused_by_the_check(db, "SELECT outbox.enqueue('a', '{}', available_at => '" + t + "')")) << t;
  EXPECT_TRUE(refused_by_the_check(db, "SELECT outbox.enqueue_in('a', '{}', interval '1000 years')"));
  for (const auto &t : kAccepted) EXPECT_NO_THROW(db.exec("SELECT outbox.enqueue('a', '{}', available_at => '" + t + "')")) << t;
  // The HTTP API's longest delay_ms, 10 years, is well inside the window.
  EXPECT_NO_THROW(db.exec("SELECT outbox.enqueue_in('a', '{}', interval '3650 days')"));
  EXPECT_EQ(db.count(), static_cast<long long>(kAccepted.size()) + 1);
}

TEST(AvailableAt, PlainInsertAndUpdateRefuseThem) {
  TestDatabase db;
  for (const auto &t : kRefused)
    EXPECT_TRUE(refused_by_the_check(
        db, "INSERT INTO outbox.messages (destination, payload, available_at) VALUES ('a', '{}', '" + t + "')"))
        << t;
  db.exec("INSERT INTO outbox.messages (destination, payload) VALUES ('a', '{}')");
  EXPECT_TRUE(refused_by_the_check(db, "UPDATE outbox.messages SET available_at = 'infinity'"));
  EXPECT_EQ(db.count("available_at <= now()"), 1);
}

TEST(AvailableAt, CopyRefusesThem) {
  TestDatabase db;
  for (const auto &t : kRefused) {
    auto c = db.connect();
    pqxx::work tx(*c);
    bool refused = false;
    try {
      pqxx::stream_to copy(tx, "outbox.messages", std::vector<std::string>{"destination", "payload", "available_at"});
      copy << std::make_tuple(std::string("a"), std::string("1"), std::string("2030-01-01 00:00:00+00"));
      copy << std::make_tuple(std::string("a"), std::string("2"), t);
      copy.complete();
      tx.commit();
    } catch (const pqxx::check_violation &e) {
      refused = std::string(e.what()).find("messages_available_at_in_range") != std::string::npos;
    }
    EXPECT_TRUE(refused) << t;
  }
  EXPECT_EQ(db.count(), 0) << "a refused row fails the whole COPY";
}

TEST(AvailableAt, EnqueueThroughTheStoreSaysWhatIsWrongWithoutNamingAField) {
  TestDatabase db;
  auto c = db.connect();
  auto attempt = [&](const std::string &at) -> std::string {
    pqxx::work tx(*c);
    outboxd::EnqueueRequest r;
    r.destination = "a";
    r.payload_json = "{}";
    r.available_at = at;
    try {
      outboxd::enqueue(tx, r);
      tx.commit();
    } catch (const outboxd::InvalidAvailableAt &e) {
      return e.what();
    }
    return "accepted";
  };
  for (const auto &t : {"infinity", "-infinity", "2400-01-01"}) {
    const std::string why = attempt(t);
    EXPECT_NE(why.find("must be a finite time from 1970-01-01"), std::string::npos) << why;
    EXPECT_NE(why.find(std::string("got \"") + t + "\""), std::string::npos) << why;
    EXPECT_EQ(why.find("Failing row"), std::string::npos) << "no DETAIL quoting the row: " << why;
  }
  EXPECT_NE(attempt("soon").find("invalid input syntax for type timestamp with time zone: \"soon\""), std::string::npos);
  EXPECT_NE(attempt("2030-01-01 12:00 Mars/Olympus").find("time zone"), std::string::npos);
  EXPECT_NE(attempt("2030-13-45").find("out of range"), std::string::npos);
  EXPECT_EQ(attempt("2030-01-01T09:00:00Z"), "accepted");
  EXPECT_EQ(db.count(), 1);
}

TEST(AvailableAt, MigratingOverOldRowsOutsideTheRangeSucceedsKeepsThemAndChecksNewOnes) {
  TestDatabase db(/*migrate=*/false);
  migrate_over(db, {"INSERT INTO outbox.messages (destination, payload, available_at) VALUES "
                    "('a', '1', '-infinity'), ('a', '2', 'infinity'), ('a', '3', '2400-01-01')"});
  EXPECT_EQ(db.count("NOT outbox.available_at_in_range(available_at)"), 3) << "old rows are left as they are";
  EXPECT_EQ(db.scalar("SELECT convalidated::text FROM pg_constraint WHERE conname = 'messages_available_at_in_range'"),
            "false");
  EXPECT_TRUE(refused_by_the_check(db, "SELECT outbox.enqueue('a', '{}', available_at => 'infinity')"));
}

TEST(AvailableAt, OldRowsOutsideTheRangeAreClaimedAtOnceWithoutAConversionError) {
  TestDatabase db(/*migrate=*/false);
  migrate_over(db, {"INSERT INTO outbox.messages (destination, payload, available_at) VALUES "
                    "('a', '1', '-infinity'), ('a', '2', 'infinity'), ('a', '3', '2400-01-01'), "
                    "('a', '4', now()), ('a', '5', now() + interval '1 hour')"});
  auto c = db.connect();
  pqxx::work tx(*c);
  const pqxx::result rows = tx.exec_prepared("message_claim", "a", 100, false, outboxd::kMaxMessageTextBytes, true, false);
  ASSERT_EQ(rows.size(), 4u) << "the three old rows and the one due now; not the one due in an hour";
  std::vector<std::string> texts;
  for (const auto &row : rows) {
    if (row[3].as<std::string>() == "4") {
      EXPECT_FALSE(row[7].is_null());
      EXPECT_TRUE(row[8].is_null());
    } else {
      EXPECT_TRUE(row[7].is_null()) << "no milliseconds for " << row[8].c_str();
      texts.push_back(row[8].as<std::string>());
    }
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"-infinity", "infinity", "2400-01-01 00:00:00+00"}));
}

TEST(AvailableAt, TheWakeUpTimerSkipsOldRowsOutsideTheRange) {
  TestDatabase db(/*migrate=*/false);
  migrate_over(db, {"INSERT INTO outbox.messages (destination, payload, available_at) VALUES "
                    "('a', '1', 'infinity'), ('a', '2', '2400-01-01')"});
  auto c = db.connect();
  {
    pqxx::nontransaction tx(*c);
    EXPECT_TRUE(tx.exec_prepared1("message_next_due", "{a}")[0].is_null()) << "nothing in range is scheduled";
  }
  db.exec("SELECT outbox.enqueue('a', '{}', available_at => now() + interval '1 minute')");
  pqxx::nontransaction tx(*c);
  const long long ms = tx.exec_prepared1("message_next_due", "{a}")[0].as<long long>();
  EXPECT_GT(ms, 50000);
  EXPECT_LE(ms, 60000);
}

TEST(AvailableAt, AnOldRowOutsideTheRangeCanBeMadeDeadAndCancelled) {
  TestDatabase db(/*migrate=*/false);
  migrate_over(db, {"INSERT INTO outbox.messages (destination, payload, available_at) VALUES "
                    "('a', '1', 'infinity'), ('b', '2', '-infinity')"});
  const std::string dead_seq = db.scalar("SELECT seq FROM outbox.messages WHERE destination = 'a'");
  auto c = db.connect();
  {
    pqxx::work tx(*c);
    EXPECT_EQ(tx.exec_prepared1("message_mark_outcomes", "{" + dead_seq + "}", "{dead}", "{0}",
                                "{\"available_at infinity is not ...\"}", false, 10)[0]
                  .as<long long>(),
              1);
    tx.commit();
  }
  EXPECT_EQ(db.count("state = 'dead' AND available_at <= now() AND last_error LIKE 'available_at infinity%'"), 1);
  const std::string id = db.scalar("SELECT id FROM outbox.messages WHERE destination = 'b'");
  {
    pqxx::work tx(*c);
    EXPECT_TRUE(outboxd::message_cancel(tx, id));
    tx.commit();
  }
  EXPECT_EQ(db.count("state = 'cancelled'"), 1);
  EXPECT_EQ(db.count("NOT outbox.available_at_in_range(available_at)"), 0);
}
