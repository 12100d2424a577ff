// The SQL embedded from sql/ at build time: migrations in order, and queries by name.
#pragma once

#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace outboxd {

struct Migration {
  int version;            // 1 for 0001_create_outbox.up.sql
  std::string name;       // "create_outbox"
  std::string up_sql;
};

// Every *.up.sql migration, sorted by version.
const std::vector<Migration> &embedded_migrations();

// The text of sql/queries/<name>.sql; throws std::logic_error for an unknown name (a build bug).
const std::string &query_text(const std::string &name);

// Prepares every embedded query on `conn` under its file name without ".sql" ("message_claim").
void prepare_queries(pqxx::connection_base &conn);

}  // namespace outboxd
