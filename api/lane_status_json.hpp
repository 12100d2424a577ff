// A lane's flow control as GET /v1/stats shows it, inside its destination's entry.
#pragma once

#include <nlohmann/json.hpp>

#include "core/lane.hpp"

namespace outboxd::api {

// Adds in_flight, breaker (closed, open, half_open), breaker_opened_total, next_probe_in_ms (while
// open), rate_limited, rate_limited_seconds_total, and `lane`: one word for the state an operator looks
// for first (paused, breaker_open, probing, rate_limited, running). Call it after `paused` is set.
void add_lane_status(nlohmann::json &entry, const LaneStatus &lane);

}  // namespace outboxd::api
