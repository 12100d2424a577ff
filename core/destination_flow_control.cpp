// A destination's flow-control keys as the lane takes them (DestinationConfig::rate_limit_settings
// and breaker_settings, core/config.hpp): kept apart from the loader, which only reads the keys.
#include <stdexcept>
#include <string>

#include "core/config.hpp"

namespace outboxd {

RateLimit DestinationConfig::rate_limit_settings() const {
  RateLimit limit;
  std::string error;
  // The loader checked the text (config_keys.cpp); empty is no limit (per_second 0).
  if (!rate_limit.empty() && !parse_rate_limit(rate_limit, limit, error)) throw std::logic_error(error);
  limit.burst = rate_limit_burst;
  limit.shared = rate_limit_shared;
  return limit;
}

BreakerSettings DestinationConfig::breaker_settings() const {
  BreakerSettings settings;
  settings.failures = breaker_failures;
  std::string error;
  // The loader checked the text (config_keys.cpp).
  if (!parse_failure_ratio(breaker_failure_ratio, settings.failure_ratio, error)) throw std::logic_error(error);
  settings.window = breaker_window;
  settings.min_sends = breaker_min_sends;
  settings.cool_off = breaker_cool_off;
  settings.max_cool_off = breaker_max_cool_off;
  return settings;
}

}  // namespace outboxd
