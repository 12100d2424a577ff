// Migrations against a real PostgreSQL: recorded, idempotent, safe when two runners start at once.
#include <gtest/gtest.h>

#include <thread>

#include "core/migrations.hpp"
#include "core/sql_catalog.hpp"
#include "tests/support/test_database.hpp"

using outboxd::test::TestDatabase;

TEST(Migrations, AppliesEveryMigrationOnceAndRecordsIt) {
  TestDatabase db(/*migrate=*/false);
  pqxx::connection c(db.conninfo());
  auto applied = outboxd::apply_migrations(c);
  EXPECT_EQ(applied.size(), outboxd::embedded_migrations().size());
  EXPECT_TRUE(outboxd::apply_migrations(c).empty()) << "second run applies nothing";
  auto status = outboxd::migration_status(c);
  EXPECT_TRUE(status.pending.empty());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.schema_migration"),
            std::to_string(outboxd::embedded_migrations().size()));
}

TEST(Migrations, TwoRunnersStartingTogetherApplyEachMigrationOnce) {
  TestDatabase db(/*migrate=*/false);
  std::vector<int> a, b;
  std::string error;
  std::thread t1([&] {
    try {
      pqxx::connection c(db.conninfo());
      a = outboxd::apply_migrations(c);
    } catch (const std::exception &e) {
      error = e.what();
    }
  });
  std::thread t2([&] {
    try {
      pqxx::connection c(db.conninfo());
      b = outboxd::apply_migrations(c);
    } catch (const std::exception &e) {
      error = e.what();
    }
  });
  t1.join();
  t2.join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(a.size() + b.size(), outboxd::embedded_migrations().size());
}

TEST(Migrations, StatusReportsPendingVersionsOnAnEmptyDatabase) {
  TestDatabase db(/*migrate=*/false);
  pqxx::connection c(db.conninfo());
  auto status = outboxd::migration_status(c);
  EXPECT_EQ(status.pending.size(), outboxd::embedded_migrations().size());
  EXPECT_TRUE(status.applied.empty());
}

TEST(Migrations, EveryTableOfTheSchemaIsGrantedToTheDaemonAndReaderRoles) {
  // A migration that adds a table must grant it (docs/hacking.md, "A migration"); a daemon running
  // on outbox_daemon alone would otherwise fail on it in production only.
  TestDatabase db;
  const std::string missing = db.scalar(
      "SELECT coalesce(string_agg(c.relname, ', '), '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = 'outbox' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migration' AND NOT ("
      "has_table_privilege('outbox_daemon', c.oid, 'SELECT, INSERT, UPDATE, DELETE') AND "
      "has_table_privilege('outbox_reader', c.oid, 'SELECT'))");
  EXPECT_EQ(missing, "") << "tables without their grants";
  EXPECT_EQ(db.scalar("SELECT has_table_privilege('outbox_producer', 'outbox.messages', 'SELECT')"), "f");
}
