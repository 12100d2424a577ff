// Opening database connections, and the small conversions libpqxx 6.4 does not do for us.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "core/conninfo_redaction.hpp"  // redact_conninfo, for messages that name the database
#include "core/errors.hpp"

namespace outboxd {

// Connects with client_encoding UTF8 (unless the conninfo sets another). Throws DbConnectionLost
// when the server cannot be reached (the caller retries with backoff), with the reason libpq gave
// minus any password, and ConfigError naming database.url when libpq cannot parse the conninfo
// (without repeating it). For every connection the daemon opens. `shown_as`: the conninfo errors
// name instead, when `conninfo` is database.url with settings the daemon added (they would only
// make the message longer than the operator's own setting).
std::unique_ptr<pqxx::connection> open_plain_connection(const std::string &conninfo,
                                                        const std::string &shown_as = "");

// open_plain_connection, then prepares every embedded query.
std::unique_ptr<pqxx::connection> open_connection(const std::string &conninfo, const std::string &shown_as = "");

// `conninfo` (key=value or postgresql:// URL) with `key` set to `value`, unless libpq reads the key
// in it already (the text "connect_timeout" inside a password does not count). E.g. connect_timeout:
// libpq otherwise waits on an unreachable host for as long as the kernel's TCP timeout. The result
// is in key=value form; a conninfo libpq cannot parse comes back unchanged.
std::string conninfo_with_default(const std::string &conninfo, const std::string &key, const std::string &value);

// Session settings of a worker connection, applied once per connection (see db.cpp for why).
void tune_worker_session(pqxx::connection_base &conn);

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
