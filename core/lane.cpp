// A destination's lane (core/lane.hpp): its flow control's settings and status.
#include "core/lane.hpp"

#include "core/breaker_board.hpp"
#include "core/logging.hpp"

namespace outboxd {
namespace {

// Every change of a breaker's state is a log line: an operator must see when a destination was
// fenced off, when it was probed and when it came back. It also goes on the board, for `outboxd
// stats` (core/breaker_publisher.hpp).
// `lane` is the board's owner token (core/breaker_board.hpp): a retired lane's late changes are
// logged but do not overwrite what a newer lane of the same name shows.
CircuitBreaker::Observer log_transitions(const std::string &destination, const void *lane) {
  return [destination, lane](const BreakerTransition &t) {
    auto log = component_logger("lane");
    const auto level = t.to == BreakerState::Open ? spdlog::level::warn : spdlog::level::info;
    log->log(level, "{}", describe_transition(t, destination));
    breaker_board().note(destination, lane, t, CircuitBreaker::Clock::now());
  };
}

}  // namespace

Lane::Lane(const DestinationConfig &config)
    : destination_(config.name),
      breaker_(config.breaker_settings(), log_transitions(config.name, this)),
      local_rate_(config.rate_limit_settings()),
      shared_rate_(config.name, config.rate_limit_settings()) {
  shared_.store(config.rate_limit_settings().shared);
}

void Lane::configure(const DestinationConfig &config) {
  const RateLimit limit = config.rate_limit_settings();
  local_rate_.update(limit);
  shared_rate_.update(limit);
  shared_.store(limit.shared);
  breaker_.update(config.breaker_settings());
}

void Lane::note_rate_limited(Clock::time_point now) {
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  rate_limited_at_ns_.store(ns);
  // Not a count of waits: a waiting worker looks again at each token (or each second), so that
  // would count the limit's rate times the workers. A second is counted by the first wait in it.
  const int64_t second = ns / 1000000000;
  int64_t last = rate_limited_second_.load();
  while (second > last)
    if (rate_limited_second_.compare_exchange_weak(last, second)) {
      rate_limited_seconds_total_++;
      break;
    }
}

LaneStatus Lane::status(Clock::time_point now) {
  LaneStatus s;
  s.in_flight = in_flight_.in_flight();
  s.breaker = breaker_.state();
  s.breaker_opened_total = breaker_.opened_total();
  if (s.breaker == BreakerState::Open) {
    const auto left = breaker_.next_probe_at() - now;
    s.next_probe_in_ms = std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
  }
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  const int64_t at = rate_limited_at_ns_.load();
  s.rate_limited = at != 0 && now_ns - at < 1000000000;
  s.rate_limited_seconds_total = rate_limited_seconds_total_.load();
  s.claims_total = wake_.claims();
  return s;
}

}  // namespace outboxd
