// Turns a plugin's result into the message's next state (docs/architecture.md, "One delivery").
#pragma once

#include <chrono>
#include <string>

#include "core/plugin_call.hpp"

namespace outboxd {

enum class NextState { Delivered, Retry, Dead };

struct Outcome {
  NextState state = NextState::Delivered;
  std::chrono::milliseconds delay{0};  // Retry only
  std::string error;                   // empty when there is nothing to record
};

// attempt: the attempt just made (1 for the first). max_attempts: the message's own limit or the
// destination's default.
Outcome decide_outcome(const SendResult &result, int attempt, int max_attempts,
                       std::chrono::milliseconds max_backoff, double unit_random);

const char *state_name(NextState s);  // "delivered", "pending", "dead" (the SQL enum values)

}  // namespace outboxd
