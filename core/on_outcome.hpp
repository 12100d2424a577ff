// A destination's `on_outcome` statement: the user's SQL the worker runs in the outcome
// transaction, wrapped so it always has the same five typed parameters. It runs through
// queries::on_outcome (core/queries.hpp); the worker prepares it per runtime generation.
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/pqxx>

namespace outboxd {

// Wraps the user's statement so its five parameters always exist with fixed types, whichever of them
// it uses: $1 uuid (message id), $2 text (new state: delivered, pending or dead), $3 integer
// (attempt just made), $4 text (error line or NULL), $5 jsonb (the message's headers).
// An unreferenced CTE declares them; a statement that starts with its own WITH gets ours prepended.
std::string on_outcome_sql(const std::string &user_sql);

// The name a worker prepares a destination's statement under. Per runtime generation: a reload
// may change the statement, and a name can be prepared only once per session.
std::string on_outcome_name(uint64_t generation, const std::string &destination);

// Asks the server to parse and plan the wrapped statement (syntax, tables, columns) without
// running it, in a transaction of its own on `conn` that is rolled back. Throws what libpqxx
// throws: pqxx::broken_connection when the database went away, else the statement's own error.
void check_on_outcome_prepares(pqxx::connection &conn, const std::string &user_sql);

}  // namespace outboxd
