// What a PostgreSQL error says about its cause, by SQLSTATE: the engine and the HTTP API decide
// what to do with an error here, in one place.
#pragma once

#include <string>

#include <pqxx/pqxx>

namespace outboxd {

// PostgreSQL's own first line, without "ERROR:  ", and without the DETAIL that may quote a whole
// row, unless `with_detail` (the DETAIL of "out of memory" is what says it was a 1 GB text).
std::string sql_error_line(const pqxx::sql_error &e, bool with_detail = false);

// An exception's text on one line: PostgreSQL's messages carry a HINT or DETAIL on lines of their
// own, and a log line that names message ids must stay one line, or a search for it misses them.
std::string one_line(const std::exception &e);

// Errors an enqueue's own values cause: a data exception (class 22: text the database's encoding
// cannot hold, JSON jsonb refuses) or a limit (class 54: a value over one of PostgreSQL's sizes).
// The caller names the field (find_refused_field, core/outbox_store.hpp) as a client error.
bool is_refused_value_error(const std::string &sqlstate);

// Errors one row can cause when PostgreSQL writes it out, and so a reason to write each row out
// on its own: a data exception (class 22: a value it cannot convert or encode), a program limit
// (class 54: a text over its 1 GB, which it reports as "out of memory ... Cannot enlarge string
// buffer"), memory running out (53200) and corrupt stored data (XX001).
bool is_row_write_out_error(const std::string &sqlstate);

// Errors a new session may not see, so the connection that got one is closed and opened again:
// the session is read-only (25006: default_transaction_read_only was on when it began, or it is on
// a standby after a failover), the server is shutting down or starting (57P01, 57P02, 57P03), the
// connection failed (class 08), or the session was told to go (57P04 database dropped, 57P05 idle
// session timeout). Kept, such a session fails every claim until someone kills it by hand.
bool needs_new_session(const std::string &sqlstate);

// Errors of the database, not of the statement or its data: they pass when the fault does, so a
// write that failed with one is tried again as it was. Those that need a new session, resources
// running out (class 53: disk full, out of memory, too many connections), system and I/O errors
// (class 58), a statement or lock timeout (57014, 55P03), and serialization failures and deadlocks
// (40001, 40P01). Anything else is the statement's own fault (a broken on_outcome, a CHECK).
bool is_passing_fault(const std::string &sqlstate);

// The same for any exception a database call throws: a lost connection (pqxx::broken_connection,
// DbConnectionLost) and a commit in doubt count as passing faults that need a new session.
bool needs_new_session(const std::exception &e);
bool is_passing_fault(const std::exception &e);

// What a loop that talks to the database (a worker, the pruner) does after an exception: the one
// classifier they use, whatever threw (a pqxx class, a pqxx::sql_error by its SQLSTATE, our own
// DbConnectionLost, or anything else). The listener is the exception: it reconnects after any
// fault, since its session holds a LISTEN and, briefly, a session-level lock (core/listener.cpp).
enum class FaultAction {
  Reconnect,       // the session is lost or unusable: drop it, open a new one after a backoff
  RetryLater,      // the database's passing fault on a usable session: the same work again after a backoff
  StatementFault,  // the statement's or the data's own fault: the same work fails the same way again
};
// `conn` is the session the exception came from (null: none was open), so that a connection
// libpq already found closed is reopened whatever the exception says.
FaultAction classify_fault(const std::exception &e, const pqxx::connection_base *conn);
const char *fault_action_name(FaultAction action);  // for log lines and tests

}  // namespace outboxd
