// The database-side start checks shared by `run`, its SIGHUP reload and `check-config`.
#include "daemon/startup_checks.hpp"

#include <spdlog/spdlog.h>

#include "core/migrations.hpp"
#include "core/on_outcome.hpp"

namespace outboxd::cli {
namespace {

void refuse_pending(const Config &config, const MigrationStatus &status) {
  if (config.migrate || status.pending.empty()) return;
  throw SchemaOutdated("the outbox schema is missing " + std::to_string(status.pending.size()) +
                       " migration(s) and database.migrate is false: run `outboxd migrate --config " +
                       config.source + "` (or apply sql/migrations by hand)");
}

}  // namespace

void prepare_schema(const Config &config, pqxx::connection &conn) {
  if (config.migrate) {
    auto applied = apply_migrations(conn);
    if (!applied.empty()) spdlog::info("migrate: schema now at version {}", applied.back());
    return;
  }
  refuse_pending(config, migration_status(conn));
}

std::size_t check_schema(const Config &config, pqxx::connection &conn) {
  const MigrationStatus status = migration_status(conn);
  refuse_pending(config, status);
  return status.pending.size();
}

void check_on_outcome_statements(const Config &config, pqxx::connection &conn) {
  for (const auto &[name, d] : config.destinations) {
    if (d.on_outcome.empty()) continue;
    try {
      // libpqxx prepares lazily, so ask the server directly: this parses and plans the statement
      // (syntax, tables, columns) without running it.
      pqxx::nontransaction tx(conn);
      tx.exec("PREPARE outboxd_check_on_outcome AS " + on_outcome_sql(d.on_outcome));
      tx.exec("DEALLOCATE outboxd_check_on_outcome");
    } catch (const pqxx::broken_connection &) {
      throw;  // the database went away: not a fault of the statement
    } catch (const std::exception &e) {
      throw config_error(config.source, d.on_outcome_line, "destinations." + name + ".on_outcome",
                         std::string("does not prepare: ") + e.what());
    }
  }
}

}  // namespace outboxd::cli
