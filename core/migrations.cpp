// Schema migrations: numbered, recorded in outbox.schema_migration, serialised by an advisory lock.
#include "core/migrations.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include "core/sql_catalog.hpp"

namespace outboxd {
namespace {

// Any fixed number works; it only has to differ from the wake gate's key.
constexpr long long kMigrationLockKey = 7301946251847263000LL;

// The bookkeeping table is created outside the numbered migrations so the runner can record 0001.
const char *kBootstrap =
    "CREATE SCHEMA IF NOT EXISTS outbox;"
    "CREATE TABLE IF NOT EXISTS outbox.schema_migration ("
    "  version integer PRIMARY KEY,"
    "  name text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now())";

std::vector<int> applied_versions(pqxx::transaction_base &tx) {
  std::vector<int> out;
  auto has_table = tx.exec1("SELECT to_regclass('outbox.schema_migration') IS NOT NULL");
  if (!has_table[0].as<bool>()) return out;
  for (const auto &row : tx.exec("SELECT version FROM outbox.schema_migration ORDER BY version"))
    out.push_back(row[0].as<int>());
  return out;
}

}  // namespace

MigrationStatus migration_status(pqxx::connection_base &conn) {
  pqxx::read_transaction tx(conn);
  MigrationStatus status;
  status.applied = applied_versions(tx);
  for (const auto &m : embedded_migrations())
    if (std::find(status.applied.begin(), status.applied.end(), m.version) == status.applied.end())
      status.pending.push_back(m.version);
  if (!status.applied.empty()) status.newest_in_database = status.applied.back();
  return status;
}

std::vector<int> apply_migrations(pqxx::connection_base &conn, int up_to_version) {
  std::vector<int> done;
  auto log = spdlog::default_logger();
  for (const auto &m : embedded_migrations()) {
    if (m.version > up_to_version) break;
    pqxx::work tx(conn);
    // Held until this transaction ends: a second daemon waits here, then sees the version applied.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    tx.exec(kBootstrap);
    auto applied = applied_versions(tx);
    if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) {
      tx.abort();
      continue;
    }
    log->info("migrate: applying {:04d}_{}", m.version, m.name);
    tx.exec(m.up_sql);
    tx.exec_params("INSERT INTO outbox.schema_migration (version, name) VALUES ($1, $2)", m.version,
                   m.name);
    tx.commit();
    done.push_back(m.version);
  }
  return done;
}

}  // namespace outboxd
