// What every connection of the running daemon sets, so that a database that stops answering (a
// network blackhole, a failover that leaves the old host silent) is noticed within
// database.dead_connection_timeout, and no statement waits longer than database.statement_timeout
// (docs/configuration.md, "Database faults").
#pragma once

#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "core/config.hpp"
#include "core/session_role.hpp"

namespace outboxd {

// database.url with libpq's client-side settings added, each unless the URL sets it:
// connect_timeout (a third of dead_connection_timeout, 2..10 s), TCP keepalives (first probe
// after a third, then probes that add up to the rest) and tcp_user_timeout (dead_connection_timeout:
// data unacknowledged that long ends the connection).
std::string daemon_conninfo(const Config &config);

// Process-wide, like database.pooler (both are restart-only): set once from the config before the
// first connection opens; Config's defaults until then.
void set_engine_limits(const Config &config);

// The session settings of the engine's connections (workers, pruner, listener), which
// session_settings (core/db.hpp) adds to each role's own: statement_timeout, and on a direct
// connection the server's side of the same keepalives, so that the server, too, ends a session
// whose client vanished (and with it the row locks of a claim that client held) instead of after
// the kernel's two hours. Through a transaction pooler the server's sessions are the pooler's,
// which keeps them alive itself: only statement_timeout then, as SET LOCAL per transaction.
std::vector<SessionSetting> engine_limit_settings();

// A connection for the engine's threads: daemon_conninfo, every embedded query prepared, and the
// role's session settings applied (apply_session_settings). Errors name database.url as the
// operator wrote it.
std::unique_ptr<pqxx::connection> open_daemon_connection(const Config &config, SessionRole role);

// The same for a command (migrate, check-config, enqueue, stats): daemon_conninfo and the prepared
// queries, no session limits (a migration may take as long as it takes).
std::unique_ptr<pqxx::connection> open_command_connection(const Config &config);

}  // namespace outboxd
