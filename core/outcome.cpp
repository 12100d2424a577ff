// Outcome decisions: delivered, retry with a delay, or dead; the error line always kept.
#include "core/outcome.hpp"

#include "core/retry_policy.hpp"

namespace outboxd {

Outcome decide_outcome(const SendResult &result, int attempt, int max_attempts,
                       std::chrono::milliseconds max_backoff, double unit_random) {
  Outcome out;
  out.error = result.error;
  switch (result.status) {
    case OUTBOXD_OK:
      out.state = NextState::Delivered;
      break;
    case OUTBOXD_PERMANENT:
      out.state = NextState::Dead;
      if (out.error.empty()) out.error = "permanent failure (the plugin gave no reason)";
      break;
    case OUTBOXD_RETRY:
    default:
      if (out.error.empty()) out.error = "temporary failure (the plugin gave no reason)";
      if (attempt >= max_attempts) {
        out.state = NextState::Dead;
        out.error += " (gave up after " + std::to_string(attempt) + " attempts)";
      } else {
        out.state = NextState::Retry;
        out.delay = retry_delay(attempt, result.retry_after_ms, max_backoff, unit_random);
      }
      break;
  }
  return out;
}

const char *state_name(NextState s) {
  switch (s) {
    case NextState::Delivered:
      return "delivered";
    case NextState::Retry:
      return "pending";
    case NextState::Dead:
      return "dead";
  }
  return "dead";
}

}  // namespace outboxd
