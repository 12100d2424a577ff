// What `run` verifies before it delivers anything (on this machine and against the database), in one
// place so that `check-config` refuses exactly the configs `run` (and a SIGHUP reload) refuses.
#pragma once

#include <cstddef>
#include <stdexcept>

#include <pqxx/pqxx>

#include "core/config.hpp"

namespace outboxd::cli {

// The schema lacks migrations and database.migrate is false: the DBA has to apply them first.
// Not a config error: exit 1 (docs/configuration.md#exit-codes).
class SchemaOutdated : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// api.listen names an address this machine cannot listen on. Exit 1, as for an address in use.
class ListenAddressUnusable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// For `run` and `check-config`, before anything starts: with api.enabled, the host of api.listen
// must resolve, and its first address (the one the HTTP server binds) must be one a socket can be
// bound to here, tried with port 0 so that a running daemon holding the port does not matter.
// Throws ListenAddressUnusable naming the file, api.listen and why.
void check_api_listen(const Config &config);

// For `run`: applies pending migrations when database.migrate is true; otherwise throws
// SchemaOutdated, saying what to run, when any are pending.
void prepare_schema(const Config &config, pqxx::connection &conn);

// For `check-config`: the same decision as prepare_schema without changing anything. Throws
// SchemaOutdated where it would; returns how many migrations `run` would apply.
std::size_t check_schema(const Config &config, pqxx::connection &conn);

// Every destination's on_outcome statement must PREPARE (syntax, tables, columns): a broken one
// would roll back every batch, so it is refused before the first send. Throws ConfigError naming
// file, line and destinations.<name>.on_outcome with the server's message. Runs nothing.
void check_on_outcome_statements(const Config &config, pqxx::connection &conn);

}  // namespace outboxd::cli
