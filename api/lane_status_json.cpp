// A lane's flow control in GET /v1/stats (api/lane_status_json.hpp).
#include "api/lane_status_json.hpp"

namespace outboxd::api {

void add_lane_status(nlohmann::json &entry, const LaneStatus &lane) {
  entry["in_flight"] = lane.in_flight;
  entry["breaker"] = breaker_state_name(lane.breaker);
  entry["breaker_opened_total"] = lane.breaker_opened_total;
  if (lane.breaker == BreakerState::Open) entry["next_probe_in_ms"] = lane.next_probe_in_ms;
  entry["rate_limited"] = lane.rate_limited;
  entry["rate_limited_seconds_total"] = lane.rate_limited_seconds_total;
  // The first cause of a stop wins: a pause holds whatever the breaker says.
  const bool paused = entry.value("paused", false);
  const char *state = paused                                    ? "paused"
                      : lane.breaker == BreakerState::Open      ? "breaker_open"
                      : lane.breaker == BreakerState::HalfOpen  ? "probing"
                      : lane.rate_limited                       ? "rate_limited"
                                                                : "running";
  entry["lane"] = state;
}

}  // namespace outboxd::api
