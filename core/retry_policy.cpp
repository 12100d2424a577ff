// Retry backoff: attempt^4 seconds (1s, 16s, 81s, 256s, ...) with +/-10 % jitter, capped.
#include "core/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace outboxd {

std::chrono::milliseconds retry_delay(int attempt, int64_t plugin_retry_after_ms,
                                      std::chrono::milliseconds max_backoff, double unit_random) {
  const double cap = static_cast<double>(std::max<int64_t>(0, max_backoff.count()));
  if (plugin_retry_after_ms >= 0)
    return std::chrono::milliseconds(static_cast<int64_t>(std::min(cap, double(plugin_retry_after_ms))));
  const double base_ms = std::pow(std::max(1, attempt), 4.0) * 1000.0;
  // Jitter spreads retries of a batch that failed together, so they do not return together.
  const double jitter = 0.9 + 0.2 * std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(cap, base_ms * jitter)));
}

}  // namespace outboxd
