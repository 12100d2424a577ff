// Applies the embedded schema migrations, in order, once, safely when two daemons start together.
#pragma once

#include <climits>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace outboxd {

struct MigrationStatus {
  std::vector<int> applied;   // versions recorded in outbox.schema_migration
  std::vector<int> pending;   // embedded versions not yet applied
  int newest_in_database = 0; // may exceed what this binary knows (a newer outboxd migrated it)
};

MigrationStatus migration_status(pqxx::connection_base &conn);

// Applies every pending migration up to `up_to_version` (all by default; tests stop earlier to
// build an older schema), each in its own transaction under an advisory lock, and records it.
// Returns the versions it applied (empty when the schema was current).
std::vector<int> apply_migrations(pqxx::connection_base &conn, int up_to_version = INT_MAX);

}  // namespace outboxd
