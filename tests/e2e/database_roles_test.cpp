// The database roles of migration 0007 (docs/sql-api.md#database-roles), each granted to a login
// role of the test's own: a producer enqueues inside its own transactions and can do nothing else
// to the outbox, a reader reads and changes nothing, and a daemon runs on outbox_daemon alone.
#include <signal.h>

#include <pqxx/pqxx>

#include "core/sql_catalog.hpp"
#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;

class DatabaseRoles : public ApiE2E {
 protected:
  ~DatabaseRoles() override {
    // Roles belong to the cluster, which other tests share: each test drops its own.
    for (const std::string &role : roles_) {
      try {
        db.exec("DROP OWNED BY " + role);
        db.exec("DROP ROLE " + role);
      } catch (const std::exception &e) {
        ADD_FAILURE() << "could not drop role " << role << ": " << e.what();
      }
    }
  }

  // A login role of this test, member of `group` only.
  std::string login_role(const std::string &purpose, const std::string &group) {
    const std::string name = db.name() + "_" + purpose;
    db.exec("CREATE ROLE " + name + " LOGIN IN ROLE " + group);
    roles_.push_back(name);
    return name;
  }
  std::string conninfo_as(const std::string &role) const { return db.conninfo() + " user=" + role; }

  // How `sql` ends on connection `c`, in a transaction of its own: "42501" when refused for want of
  // a privilege (libpqxx 6 throws insufficient_privilege, its sqlstate() left empty), "" when it
  // succeeds, else the error.
  static std::string refusal(pqxx::connection &c, const std::string &sql) {
    try {
      pqxx::work tx(c);
      tx.exec(sql);
      tx.commit();
      return "";
    } catch (const pqxx::insufficient_privilege &) {
      return "42501";
    } catch (const std::exception &e) {
      return e.what();
    }
  }

 private:
  std::vector<std::string> roles_;
};

TEST_F(DatabaseRoles, AProducerEnqueuesInsideItsOwnTransactionsAndCanDoNothingElse) {
  start_api(scripted_destination("orders"));
  const std::string app = login_role("app", "outbox_producer");
  db.exec("CREATE TABLE public.app_orders (id integer)");
  db.exec("GRANT INSERT, SELECT ON public.app_orders TO " + app);
  pqxx::connection c(conninfo_as(app));
  ASSERT_EQ(pqxx::work(c).exec1("SELECT current_user")[0].as<std::string>(), app);

  {  // the application's own write and its message, committed together
    pqxx::work tx(c);
    tx.exec("INSERT INTO public.app_orders VALUES (1)");
    EXPECT_FALSE(tx.exec1("SELECT outbox.enqueue('orders', '{\"order\": 1}')")[0].is_null());
    tx.commit();
  }
  {  // rolled back together: no message
    pqxx::work tx(c);
    tx.exec("INSERT INTO public.app_orders VALUES (2)");
    tx.exec("SELECT outbox.enqueue('orders', '{\"order\": 2}')");
    tx.abort();
  }
  {  // a plain INSERT of the columns a producer sets (with the bare ON CONFLICT a producer may use),
     // and the delayed form
    pqxx::work tx(c);
    tx.exec("INSERT INTO outbox.messages (destination, payload, ordering_key) VALUES ('orders', '{\"order\": 3}', 'k') "
            "ON CONFLICT DO NOTHING");
    tx.exec("SELECT outbox.enqueue_in('orders', '{\"order\": 4}', interval '0 seconds')");
    tx.commit();
  }
  ASSERT_TRUE(wait_count("state = 'delivered'", 3)) << daemon->log();
  EXPECT_EQ(db.count("payload->>'order' = '2'"), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM public.app_orders"), "1");

  // The same idempotency key twice gives the first message's id (read for the producer by the
  // function, which runs as the schema's owner).
  const auto enqueue_once = [&] {
    pqxx::work tx(c);
    const std::string id = tx.exec1("SELECT outbox.enqueue('orders', '{}', idempotency_key => 'x')")[0].c_str();
    tx.commit();
    return id;
  };
  const std::string first = enqueue_once();
  EXPECT_EQ(enqueue_once(), first);

  // Nothing else: no reading of payloads, no changing of states, no wake flag of its own.
  const std::string denied = "42501";
  EXPECT_EQ(refusal(c, "SELECT payload FROM outbox.messages"), denied);
  EXPECT_EQ(refusal(c, "UPDATE outbox.messages SET state = 'cancelled', finalized_at = now()"), denied);
  EXPECT_EQ(refusal(c, "DELETE FROM outbox.messages"), denied);
  EXPECT_EQ(refusal(c, "INSERT INTO outbox.messages (destination, payload, state, finalized_at) "
                       "VALUES ('orders', '{}', 'delivered', now())"),
            denied);
  EXPECT_EQ(refusal(c, "INSERT INTO outbox.messages (destination, payload) VALUES ('orders', '{}') RETURNING payload"),
            denied);
  EXPECT_EQ(refusal(c, "SELECT setval('outbox.wake_wanted', 1)"), denied);
  EXPECT_EQ(refusal(c, "INSERT INTO outbox.destination_controls (destination, paused) VALUES ('orders', true)"), denied);
  EXPECT_EQ(refusal(c, "SELECT * FROM outbox.breaker_states"), denied);
  EXPECT_TRUE(wait_count("state = 'delivered'", 4)) << "the idempotent enqueue made one message, not two";
  EXPECT_EQ(db.count("true"), 4);
}

TEST_F(DatabaseRoles, ARoleThatInsertedBeforeTheRolesExistedStillEnqueuesAfterTheUpgrade) {
  // Before 0007 nothing said what to grant; a DBA gave an application INSERT by hand, and it
  // enqueued through functions PUBLIC could execute. Migrating to 0007 must not break it.
  TestDatabase old(false);
  {
    pqxx::connection c(old.conninfo());
    pqxx::work tx(c);
    for (const outboxd::Migration &m : outboxd::embedded_migrations())
      if (m.version < 7) tx.exec(m.up_sql);
    tx.commit();
  }
  const std::string legacy = db.name() + "_legacy";
  old.exec("CREATE ROLE " + legacy + " LOGIN");
  old.exec("GRANT USAGE ON SCHEMA outbox TO " + legacy);
  old.exec("GRANT INSERT ON outbox.messages TO " + legacy);
  old.exec(outboxd::embedded_migrations().at(6).up_sql);  // 0007
  pqxx::connection c(old.conninfo() + " user=" + legacy);
  EXPECT_EQ(refusal(c, "SELECT outbox.enqueue('orders', '{}')"), "");
  EXPECT_EQ(refusal(c, "SELECT outbox.enqueue_in('orders', '{}', interval '1 minute')"), "");
  EXPECT_EQ(refusal(c, "INSERT INTO outbox.messages (destination, payload) VALUES ('orders', '{}')"), "");
  EXPECT_EQ(old.count("true"), 3);
  old.exec("DROP OWNED BY " + legacy);
  old.exec("DROP ROLE " + legacy);
}

TEST_F(DatabaseRoles, AReaderReadsAndChangesNothing) {
  db.exec("SELECT outbox.enqueue('orders', '{\"secret\": 1}')");
  const std::string dash = login_role("dash", "outbox_reader");
  pqxx::connection c(conninfo_as(dash));
  EXPECT_EQ(pqxx::work(c).exec1("SELECT count(*) FROM outbox.messages")[0].as<int>(), 1);
  EXPECT_EQ(refusal(c, "SELECT outbox.enqueue('orders', '{}')"), "42501");
  EXPECT_EQ(refusal(c, "INSERT INTO outbox.messages (destination, payload) VALUES ('orders', '{}')"), "42501");
  EXPECT_EQ(refusal(c, "UPDATE outbox.messages SET priority = 1"), "42501");
  EXPECT_EQ(refusal(c, "DELETE FROM outbox.destination_controls"), "42501");
}

TEST_F(DatabaseRoles, TheDaemonRunsOnOutboxDaemonWithoutOwningTheSchema) {
  const std::string role = login_role("daemon", "outbox_daemon");
  start_api(scripted_destination("orders"), "", "database:\n  migrate: false\n", conninfo_as(role));
  for (int i = 0; i < 3; ++i) enqueue("orders", "{\"n\": " + std::to_string(i) + "}");
  ASSERT_TRUE(wait_count("state = 'delivered'", 3)) << daemon->log();
  // The API's writes and the wake flag, as that role.
  EXPECT_EQ(post("/v1/destinations/orders/pause").status, 200);
  enqueue("orders", "{\"n\": 9}");
  EXPECT_EQ(post("/v1/destinations/orders/resume").status, 200);
  ASSERT_TRUE(wait_count("state = 'delivered'", 4)) << daemon->log();
  const std::string id = create({{"destination", "orders"}, {"payload", {{"via", "api"}}}});
  EXPECT_TRUE(wait_state(id, "delivered")) << daemon->log();
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_NE(get("/metrics").body.find("outboxd_database_up 1"), std::string::npos);
  EXPECT_EQ(daemon->log().find("permission denied"), std::string::npos) << daemon->log();
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
}
