// The statement a destination's `on_outcome` runs in the outcome transaction, with typed parameters.
#pragma once

#include <string>

namespace outboxd {

// Wraps the user's statement so its five parameters always exist with fixed types, whichever of them
// it uses: $1 uuid (message id), $2 text (new state: delivered, pending or dead), $3 integer
// (attempt just made), $4 text (error line or NULL), $5 jsonb (the message's headers).
// An unreferenced CTE declares them; a statement that starts with its own WITH gets ours prepended.
std::string on_outcome_sql(const std::string &user_sql);

}  // namespace outboxd
