// How long to wait before the next attempt: the plugin's hint, or attempt^4 seconds with jitter.
#pragma once

#include <chrono>
#include <cstdint>

namespace outboxd {

// attempt: the attempt that just failed (1 for the first). plugin_retry_after_ms: the plugin's
// Retry-After, or -1. unit_random: a number in [0, 1) from the caller's random source, so tests can
// fix it. The result is never above max_backoff and never negative.
std::chrono::milliseconds retry_delay(int attempt, int64_t plugin_retry_after_ms,
                                      std::chrono::milliseconds max_backoff, double unit_random);

}  // namespace outboxd
