// The HTTP API's route table: which method and path pattern reach which handler, and the token
// scope each needs. Pure (no I/O), so the HTTP fuzz target exercises the same matching as the daemon.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace outboxd::api {

enum class RouteId {
  Healthz, Readyz, CreateMessage, ListMessages, Batch, GetMessage, Retry, Cancel, RetryDead, Stats,
  Metrics, MailSend,
  PauseDestination, ResumeDestination,
  WhoAmI, Overview, Throughput,  // the dashboard's reads
  UiRoot, UiFile                 // the dashboard's files (api/ui_assets.hpp)
};

struct RouteMatch {
  RouteId id;
  std::string param;  // the value of the pattern's ":x" segment, if it has one
};

struct RouteLookup {
  std::optional<RouteMatch> match;   // a route fits both the method and the path
  std::vector<std::string> allowed;  // the methods the path takes (for 405, OPTIONS and Allow)
  bool path_known() const { return !allowed.empty(); }
};

// "/v1/messages/x" -> {"v1", "messages", "x"}; "/" -> {""}.
std::vector<std::string> split_path(const std::string &path);

// Looks up `method` (HEAD counts as GET) on a decoded path ("/v1/messages/x"). A path that
// fits a literal pattern never falls through to a ":x" one, so GET /v1/messages/batch is a 405
// (the path is POST-only), not a lookup of a message with the id "batch". `allowed` lists every
// method of the path in a stable order, with HEAD after GET and OPTIONS last.
RouteLookup find_route(const std::string &method, const std::string &path);

// Any configured token, whatever its scopes (GET /v1/whoami: the dashboard asks what it may show).
inline constexpr const char *kAnyTokenScope = "any";

// The token scope a route needs (docs/http-api.md#authentication); nullptr: none (health checks,
// the dashboard's files, which hold no data); kAnyTokenScope: a token, of any scope.
const char *required_scope(RouteId id);

// True for the routes whose body is a JSON document (Content-Type: application/json required).
bool route_takes_json_body(RouteId id);

// True for the routes that never touch the database (answered on the I/O thread).
bool route_is_inline(RouteId id);

}  // namespace outboxd::api
