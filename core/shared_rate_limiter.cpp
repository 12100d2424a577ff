// The shared token bucket's thin client (core/shared_rate_limiter.hpp).
#include "core/shared_rate_limiter.hpp"

#include <algorithm>
#include <utility>

#include "core/queries.hpp"

namespace outboxd {

SharedRateLimiter::SharedRateLimiter(std::string destination, const RateLimit &limit)
    : destination_(std::move(destination)), limit_(limit) {}

SharedRateLimiter::Take SharedRateLimiter::take(pqxx::connection_base &conn, int want) {
  RateLimit limit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    limit = limit_;
  }
  if (limit.per_second <= 0) return Take{std::max(0, want), Clock::now()};
  pqxx::nontransaction tx(conn);
  const queries::RateTakeRow row =
      queries::rate_take_shared(tx, destination_, limit.per_second, effective_burst(limit), std::max(0, want));
  // Rounded up, so a waiter does not wake a nanosecond before the token.
  const double seconds = std::clamp(row.seconds_to_next_token, 0.0, double(kLongestTokenWait.count()));
  const auto wait = std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(seconds));
  return Take{row.granted, Clock::now() + wait};
}

void SharedRateLimiter::update(const RateLimit &limit) {
  std::lock_guard<std::mutex> lock(mu_);
  limit_ = limit;
}

}  // namespace outboxd
