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
