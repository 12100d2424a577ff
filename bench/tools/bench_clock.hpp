// Clock helpers shared by the bench tools: wall-clock nanoseconds (comparable across processes)
// and monotonic seconds (for intervals).
#pragma once

#include <time.h>

#include <cstdint>

namespace bench {

// CLOCK_REALTIME in nanoseconds: the only clock two processes (enqueuer and plugin) share.
inline int64_t realtime_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// CLOCK_MONOTONIC in seconds, for measuring an interval inside one process.
inline double monotonic_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Sleeps until an absolute CLOCK_MONOTONIC time in seconds (no drift over a long schedule).
inline void sleep_until_s(double when) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(when);
  ts.tv_nsec = static_cast<long>((when - static_cast<double>(ts.tv_sec)) * 1e9);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

}  // namespace bench
