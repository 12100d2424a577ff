// The dashboard's answers as JSON (docs/dashboard.md): the overview of every destination, this
// daemon's throughput series, and what the presented token may do. Pure, so tests need no server.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/dashboard_overview.hpp"
#include "core/config.hpp"
#include "core/lane.hpp"
#include "core/throughput_series.hpp"

namespace outboxd::api {

// "2026-12-02T04:30:00.123Z".
std::string iso8601_utc(double unix_seconds);

// GET /v1/overview: one entry per destination that is configured here, has messages counted or is
// paused, in name order; each with its counts (zero when the reading has none), `paused`, and its
// lane state from this daemon's `lanes` ("not_running" for one this daemon does not serve).
nlohmann::json overview_json(const OverviewReading &reading, const std::vector<std::string> &configured,
                             const std::map<std::string, LaneStatus> &lanes, double now_unix);

// GET /v1/throughput: delivered and failed per second, oldest first, one value per step.
nlohmann::json throughput_json(const ThroughputSnapshot &series);

// GET /v1/whoami: whether the API asks for tokens, the presented token's name and its scopes (every
// scope for an open API). `token_name` is what authorization found (empty for an open API).
nlohmann::json whoami_json(const std::vector<ApiToken> &tokens, const std::string &token_name);

}  // namespace outboxd::api
