// The coalesced wake-up protocol in SQL: who notifies when, and the gate that closes the race.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/support/test_database.hpp"

using outboxd::test::TestDatabase;

namespace {

struct Counter : pqxx::notification_receiver {
  explicit Counter(pqxx::connection_base &c) : pqxx::notification_receiver(c, "outbox_wake") {}
  void operator()(const std::string &, int) override { ++count; }
  int count = 0;
};

void set_flag(pqxx::connection_base &c, int v) {
  pqxx::nontransaction tx(c);
  tx.exec_prepared("wake_flag_set", v);
}

// Collects notifications for a while; a NOTIFY is delivered at the sender's commit, which has
// already happened when this is called, so a short bounded wait is enough to see it arrive.
int drain(pqxx::connection_base &c, Counter &counter) {
  c.await_notification(0, 200000);
  c.get_notifs();
  return counter.count;
}

}  // namespace

TEST(Wakeup, IdleFlagMakesAnInsertNotify) {
  TestDatabase db;
  auto listen = db.connect();
  Counter counter(*listen);
  set_flag(*listen, 1);
  db.exec("SELECT outbox.enqueue('a', '{}')");
  EXPECT_EQ(drain(*listen, counter), 1);
}

TEST(Wakeup, BusyFlagSendsNoNotification) {
  TestDatabase db;
  auto listen = db.connect();
  Counter counter(*listen);
  set_flag(*listen, 0);
  db.exec("SELECT outbox.enqueue('a', '{}')");
  db.exec("INSERT INTO outbox.messages (destination, payload) VALUES ('a', '{}')");
  EXPECT_EQ(drain(*listen, counter), 0);
}

TEST(Wakeup, PlainInsertAndBulkCopyNotifyOncePerStatement) {
  TestDatabase db;
  auto listen = db.connect();
  Counter counter(*listen);
  set_flag(*listen, 1);
  db.exec("INSERT INTO outbox.messages (destination, payload) VALUES ('a', '1')");
  EXPECT_EQ(drain(*listen, counter), 1) << "a direct INSERT wakes the daemon too";
  {
    auto c = db.connect();
    pqxx::work tx(*c);
    pqxx::stream_to copy(tx, "outbox.messages", std::vector<std::string>{"destination", "payload"});
    for (int i = 0; i < 100000; ++i) copy << std::make_tuple(std::string("a"), std::to_string(i));
    copy.complete();
    tx.commit();
  }
  EXPECT_EQ(drain(*listen, counter), 2) << "a COPY of 100k rows costs one notification";
  EXPECT_EQ(db.count(), 100001);
}

static bool try_gate(pqxx::connection_base &c) {
  pqxx::nontransaction tx(c);
  if (!tx.exec_prepared1("wake_gate_try_lock")[0].as<bool>()) return false;
  tx.exec_prepared("wake_gate_unlock");
  return true;
}

TEST(Wakeup, GateStaysShutWhileATransactionThatReadTheFlagAsBusyIsOpen) {
  TestDatabase db;
  auto listen = db.connect();
  set_flag(*listen, 0);
  auto app = db.connect();
  pqxx::work app_tx(*app);
  app_tx.exec("SELECT outbox.enqueue('a', '{}')");  // read the flag as 0: will not notify

  // The daemon goes idle: raises the flag, then may not pass the gate while app_tx is open.
  set_flag(*listen, 1);
  EXPECT_FALSE(try_gate(*listen));
  app_tx.commit();
  EXPECT_TRUE(try_gate(*listen));
  // After the gate, the daemon's final poll sees the row that did not notify.
  EXPECT_EQ(db.count("state = 'pending'"), 1);
}

TEST(Wakeup, TryingTheGateNeverStallsOtherEnqueues) {
  TestDatabase db;
  auto listen = db.connect();
  set_flag(*listen, 0);
  auto long_app = db.connect();
  pqxx::work long_tx(*long_app);
  long_tx.exec("SELECT outbox.enqueue('a', '{}')");  // a long application transaction
  set_flag(*listen, 1);
  EXPECT_FALSE(try_gate(*listen));
  // A blocking exclusive request would now queue every new shared request behind it.
  auto other = db.connect();
  pqxx::work tx(*other);
  tx.exec("SET LOCAL lock_timeout = '2s'");
  EXPECT_NO_THROW(tx.exec("SELECT outbox.enqueue('a', '{}')"));
  tx.commit();
  long_tx.commit();
}
