// The one place that decides how the daemon's named statements reach PostgreSQL: as named
// server-side prepared statements on a direct connection, or as the unnamed statement through a
// transaction pooler (database.pooler: transaction).
//
// Why: PgBouncer in transaction pooling (1.18, Debian 12's) hands each transaction to whichever
// server session is free and does not carry protocol-level prepared statements along. A statement
// prepared by name in one session is missing in the next ("prepared statement "message_claim" does
// not exist") and in the way of the next client that prepares the same name in that session
// ("... already exists"). The unnamed statement (Parse, Bind, Execute, Sync in one exchange) lives
// only until the next one, so it never outlives the transaction PgBouncer gave it.
#pragma once

#include <string>
#include <utility>

#include <pqxx/pqxx>

#include "core/config.hpp"
#include "core/sql_catalog.hpp"

namespace outboxd {

// Process-wide: set once from database.pooler (a restart-only key) before the first connection
// opens; None until then. Tests may set it to run the same code as a pooled daemon.
void set_pooler(Pooler pooler);
Pooler current_pooler();

// Runs the statement `sql` known as `name`: prepared under that name on first use and executed by
// name on a direct connection; sent as the unnamed statement through a transaction pooler. `sql`
// must be the text `name` stands for on this connection.
template <typename... Args>
pqxx::result exec_statement(pqxx::transaction_base &tx, const std::string &name, const std::string &sql,
                            Args &&...args) {
  if (current_pooler() == Pooler::Transaction) return tx.exec_params(sql, std::forward<Args>(args)...);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

// An embedded query, sql/queries/<name>.sql, by its name ("message_claim").
template <typename... Args>
pqxx::result exec_query(pqxx::transaction_base &tx, const std::string &name, Args &&...args) {
  return exec_statement(tx, name, query_text(name), std::forward<Args>(args)...);
}

// exec_query for a query that answers exactly one row (throws pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::row exec_query1(pqxx::transaction_base &tx, const std::string &name, Args &&...args) {
  const pqxx::result r = exec_query(tx, name, std::forward<Args>(args)...);
  if (r.size() != 1)
    throw pqxx::unexpected_rows("query " + name + " returned " + std::to_string(r.size()) + " rows, expected 1");
  return r[0];
}

}  // namespace outboxd
