// A destination's lane: its own workers, which claim only its messages, and its own flow control
// (max_in_flight, rate limit, circuit breaker). A slow or hanging receiver so occupies only its own
// lane's workers; every other destination's messages are claimed, sent and committed as if it were
// alone (docs/architecture.md#lanes).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/circuit_breaker.hpp"
#include "core/config.hpp"
#include "core/in_flight_budget.hpp"
#include "core/keys_in_flight.hpp"
#include "core/lane_wake.hpp"
#include "core/rate_limiter.hpp"
#include "core/shared_rate_limiter.hpp"

namespace outboxd {

// What GET /v1/stats, `outboxd stats` and /metrics show of a lane.
struct LaneStatus {
  int in_flight = 0;
  BreakerState breaker = BreakerState::Closed;
  uint64_t breaker_opened_total = 0;
  // While open: milliseconds until the next probe (0 otherwise).
  long long next_probe_in_ms = 0;
  bool rate_limited = false;  // a worker waited for the rate limit's next token within the last second
  // Seconds (of the steady clock) in which the rate limit held back at least one claim: its rate is
  // the share of the time the destination ran at its limit.
  uint64_t rate_limited_seconds_total = 0;
  uint64_t claims_total = 0;  // claim statements run, those that found nothing too
};

class Lane {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Lane(const DestinationConfig &config);
  const std::string &destination() const { return destination_; }

  // A reload's settings for the destination (the same name): limits change in place, keeping the
  // bucket's fill (up to the new burst) and the breaker's state.
  void configure(const DestinationConfig &config);

  // A reload removed the destination: its workers finish the batch they are sending and stop.
  void retire() {
    retired_.store(true);
    in_flight_.wake_all();
    wake_.wake();
  }
  bool retired() const { return retired_.load(); }
  // Stopping: wakes the lane's workers that wait for room under max_in_flight.
  void wake_all() { in_flight_.wake_all(); }

  InFlightBudget &in_flight() { return in_flight_; }
  KeysInFlight &keys_in_flight() { return keys_in_flight_; }
  // When its workers claim, busy (core/lane_wake.hpp).
  LaneWake &wake() { return wake_; }
  CircuitBreaker &breaker() { return breaker_; }

  bool rate_limit_shared() const { return shared_.load(); }
  // The local bucket (rate_limit without rate_limit_shared).
  LocalRateLimiter &local_rate() { return local_rate_; }
  // The bucket in PostgreSQL (rate_limit_shared: true).
  SharedRateLimiter &shared_rate() { return shared_rate_; }
  // A rate limit shared by the daemons is on: its bucket is asked after the claim.
  bool shared_rate_limited() { return rate_limit_shared() && shared_rate_.limit().per_second > 0; }
  // A worker's claim is held back by the rate limit (no token, or fewer than its batch): shown in
  // the stats for a second, and counted once per second however many workers wait.
  void note_rate_limited(Clock::time_point now);

  LaneStatus status(Clock::time_point now);

 private:
  const std::string destination_;
  std::atomic<bool> retired_{false};
  InFlightBudget in_flight_;
  KeysInFlight keys_in_flight_;
  LaneWake wake_;
  CircuitBreaker breaker_;
  LocalRateLimiter local_rate_;
  SharedRateLimiter shared_rate_;
  std::atomic<bool> shared_{false};
  std::atomic<int64_t> rate_limited_at_ns_{0};
  std::atomic<int64_t> rate_limited_second_{INT64_MIN};  // the last second counted
  std::atomic<uint64_t> rate_limited_seconds_total_{0};
};

}  // namespace outboxd
