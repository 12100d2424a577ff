// What every connection of the running daemon sets, so that a database that stops answering (a
// network blackhole, a failover that leaves the old host silent) is noticed within
// database.dead_connection_timeout, and no statement waits longer than database.statement_timeout
// (docs/configuration.md, "Database faults").
#pragma once

#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "core/config.hpp"

namespace outboxd {

// database.url with libpq's client-side settings added, each unless the URL sets it:
// connect_timeout (a third of dead_connection_timeout, 2..10 s), TCP keepalives (first probe
// after a third, then probes that add up to the rest) and tcp_user_timeout (dead_connection_timeout:
// data unacknowledged that long ends the connection).
std::string daemon_conninfo(const Config &config);

// The SQL that sets the session's limits: statement_timeout, and the server's side of the same
// keepalives, so that the server, too, ends a session whose client vanished (and with it the row
// locks of a claim that client held) instead of after the kernel's two hours.
std::string session_settings_sql(const Config &config);

// A connection for the engine's threads: daemon_conninfo, every embedded query prepared, and the
// session settings applied. Errors name database.url as the operator wrote it.
std::unique_ptr<pqxx::connection> open_daemon_connection(const Config &config);

// The same for a command (migrate, check-config, enqueue, stats): daemon_conninfo and the prepared
// queries, no session limits (a migration may take as long as it takes).
std::unique_ptr<pqxx::connection> open_command_connection(const Config &config);

}  // namespace outboxd
