// Opening database connections, and the small conversions libpqxx 6.4 does not do for us.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "core/conninfo_redaction.hpp"  // redact_conninfo, for messages that name the database
#include "core/errors.hpp"
#include "core/session_role.hpp"

namespace outboxd {

// Connects with client_encoding UTF8 (unless the conninfo sets another). Throws DbConnectionLost
// when the server cannot be reached (the caller retries with backoff), with the reason libpq gave
// minus any password, and ConfigError naming database.url when libpq cannot parse the conninfo
// (without repeating it). For every connection the daemon opens. `shown_as`: the conninfo errors
// name instead, when `conninfo` is database.url with settings the daemon added (they would only
// make the message longer than the operator's own setting).
std::unique_ptr<pqxx::connection> open_plain_connection(const std::string &conninfo,
                                                        const std::string &shown_as = "");

// open_plain_connection, then prepares every embedded query (registers them: libpqxx prepares each
// on its first use), except through a transaction pooler, where none is prepared by name
// (core/named_query.hpp).
std::unique_ptr<pqxx::connection> open_connection(const std::string &conninfo, const std::string &shown_as = "");

// `conninfo` (key=value or postgresql:// URL) with `key` set to `value`, unless libpq reads the key
// in it already (the text "connect_timeout" inside a password does not count). E.g. connect_timeout:
// libpq otherwise waits on an unreachable host for as long as the kernel's TCP timeout. The result
// is in key=value form; a conninfo libpq cannot parse comes back unchanged.
std::string conninfo_with_default(const std::string &conninfo, const std::string &key, const std::string &value);

// The settings each role's sessions run with: the one list (db.cpp), which both functions below
// apply, so a setting added there holds on a direct connection and through a pooler alike.
std::vector<SessionSetting> session_settings(SessionRole role);

// database.pooler: none: SETs the role's settings once, right after connecting. Does nothing
// through a transaction pooler, where a session-level SET would stay in a server session that
// serves other clients next (and be missing from this client's next transaction).
void apply_session_settings(pqxx::connection_base &conn, SessionRole role);

// database.pooler: transaction: SET LOCALs the role's settings; call it first in every transaction
// of that role. Does nothing on a direct connection (the session has them already).
void apply_transaction_settings(pqxx::transaction_base &tx, SessionRole role);

// "SET LOCAL a = 'x'; SET LOCAL b = 'y'; " for the role, in either mode: for a caller that sends its
// statement in the same simple query (one implicit transaction) through libpq itself.
std::string transaction_settings_sql(SessionRole role);

// A PostgreSQL array literal for text items: {"a","b \"c\""} (libpqxx 6.4 has no container params).
std::string text_array_literal(const std::vector<std::string> &items);

// The same for numbers; `items` are already decimal text.
template <typename Int>
std::string int_array_literal(const std::vector<Int> &items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(items[i]);
  }
  return out + "}";
}

// A text array literal where std::nullopt-like empty markers become NULL: items with null[i] true.
std::string nullable_text_array_literal(const std::vector<std::string> &items,
                                        const std::vector<bool> &is_null);

}  // namespace outboxd
