// The dashboard's answers as JSON (api/dashboard_json.hpp).
#include "api/dashboard_json.hpp"

#include <cmath>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "api/lane_status_json.hpp"

namespace outboxd::api {

using nlohmann::json;

std::string iso8601_utc(double unix_seconds) {
  const double whole = std::floor(unix_seconds);
  const auto t = static_cast<std::time_t>(whole);
  auto millis = static_cast<int>(std::lround((unix_seconds - whole) * 1000));
  if (millis > 999) millis = 999;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

json overview_json(const OverviewReading &reading, const std::vector<std::string> &configured,
                   const std::map<std::string, LaneStatus> &lanes, double now_unix) {
  std::set<std::string> names(configured.begin(), configured.end());
  for (const auto &entry : reading.destinations) names.insert(entry.first);
  for (const auto &[name, paused] : reading.paused)
    if (paused) names.insert(name);  // a pause must never go unseen, messages or not
  const std::set<std::string> here(configured.begin(), configured.end());
  json list = json::array();
  for (const auto &name : names) {
    const auto found = reading.destinations.find(name);
    const DestinationCounts c = found == reading.destinations.end() ? DestinationCounts{} : found->second;
    const auto paused = reading.paused.find(name);
    json d = {{"destination", name},
              {"configured", here.count(name) > 0},
              {"pending_due", c.pending_due},
              {"scheduled", c.scheduled},
              {"retrying", c.retrying},
              {"dead", c.dead},
              {"cancelled", c.cancelled},
              {"delivered_last_minute", c.delivered_last_minute},
              {"delivered_last_hour", c.delivered_last_hour},
              {"oldest_pending_seconds", c.oldest_pending_seconds ? json(*c.oldest_pending_seconds) : json(nullptr)},
              {"paused", paused != reading.paused.end() && paused->second}};
    const auto lane = lanes.find(name);
    if (lane != lanes.end()) {
      add_lane_status(d, lane->second);
    } else {
      d["in_flight"] = 0;
      d["lane"] = d["paused"].get<bool>() ? "paused" : "not_running";
    }
    list.push_back(std::move(d));
  }
  return {{"destinations", std::move(list)},
          {"database", reading.reachable ? "ok" : "unreachable"},
          {"read_at", reading.read_at_unix ? json(iso8601_utc(*reading.read_at_unix)) : json(nullptr)},
          {"age_seconds", reading.read_at_unix ? json(std::max(0.0, now_unix - *reading.read_at_unix)) : json(nullptr)},
          {"delivered_counted_since", reading.delivered_counted_since_unix
                                          ? json(iso8601_utc(*reading.delivered_counted_since_unix))
                                          : json(nullptr)},
          {"delivered_whole_hour", reading.delivered_whole_hour}};
}

json throughput_json(const ThroughputSnapshot &series) {
  return {{"step_seconds", 1},
          {"end_unix", series.end_unix},
          {"delivered", series.delivered},
          {"failed", series.failed},
          {"counted_by", "this daemon"}};
}

json whoami_json(const std::vector<ApiToken> &tokens, const std::string &token_name) {
  if (tokens.empty())
    return {{"auth_required", false}, {"token", nullptr}, {"scopes", {"enqueue", "read", "admin"}}};
  for (const ApiToken &t : tokens)
    if (t.name == token_name) return {{"auth_required", true}, {"token", t.name}, {"scopes", t.scopes}};
  return {{"auth_required", true}, {"token", nullptr}, {"scopes", json::array()}};
}

}  // namespace outboxd::api
