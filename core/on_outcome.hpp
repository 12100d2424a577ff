// The statement a destination's `on_outcome` runs in the outcome transaction, with typed parameters.
#pragma once

#include <string>
#include <utility>

#include <pqxx/pqxx>

#include "core/named_query.hpp"

namespace outboxd {

// Wraps the user's statement so its five parameters always exist with fixed types, whichever of them
// it uses: $1 uuid (message id), $2 text (new state: delivered, pending or dead), $3 integer
// (attempt just made), $4 text (error line or NULL), $5 jsonb (the message's headers).
// An unreferenced CTE declares them; a statement that starts with its own WITH gets ours prepended.
std::string on_outcome_sql(const std::string &user_sql);

// Runs a destination's on_outcome statement `user_sql` with its five parameters: by `name` on a
// direct connection, where the worker prepared it under that name for the running config; as the
// unnamed statement through a transaction pooler (core/named_query.hpp).
template <typename... Args>
pqxx::result exec_on_outcome(pqxx::transaction_base &tx, const std::string &name, const std::string &user_sql,
                             Args &&...args) {
  return exec_statement(tx, name, on_outcome_sql(user_sql), std::forward<Args>(args)...);
}

}  // namespace outboxd
