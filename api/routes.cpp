// The route table and its matching (api/routes.hpp).
#include "api/routes.hpp"

#include <algorithm>

namespace outboxd::api {
namespace {

struct RouteDef {
  const char *method;
  const char *pattern;
  RouteId id;
};

const RouteDef kRoutes[] = {
    {"GET", "/healthz", RouteId::Healthz},
    {"GET", "/readyz", RouteId::Readyz},
    {"POST", "/v1/messages", RouteId::CreateMessage},
    {"GET", "/v1/messages", RouteId::ListMessages},
    {"POST", "/v1/messages/batch", RouteId::Batch},
    {"GET", "/v1/messages/:id", RouteId::GetMessage},
    {"POST", "/v1/messages/:id/retry", RouteId::Retry},
    {"POST", "/v1/messages/:id/cancel", RouteId::Cancel},
    {"POST", "/v1/destinations/:name/retry-dead", RouteId::RetryDead},
    {"POST", "/v1/destinations/:name/pause", RouteId::PauseDestination},
    {"POST", "/v1/destinations/:name/resume", RouteId::ResumeDestination},
    {"GET", "/v1/stats", RouteId::Stats},
    {"GET", "/metrics", RouteId::Metrics},
    {"POST", "/api/mail/send", RouteId::MailSend},
    {"GET", "/v1/whoami", RouteId::WhoAmI},
    {"GET", "/v1/overview", RouteId::Overview},
    {"GET", "/v1/throughput", RouteId::Throughput},
    {"GET", "/ui", RouteId::UiRoot},
    {"GET", "/ui/", RouteId::UiFile},  // index.html
    {"GET", "/ui/:file", RouteId::UiFile},
};

bool is_literal(const char *pattern) { return std::string(pattern).find(':') == std::string::npos; }

// Whether the segments fit the pattern; the ":x" segment's value goes to `param`.
bool fits(const char *pattern, const std::vector<std::string> &segments, std::string &param) {
  const std::vector<std::string> want = split_path(pattern);
  if (want.size() != segments.size()) return false;
  std::string value;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!want[i].empty() && want[i][0] == ':') {
      if (segments[i].empty()) return false;
      value = segments[i];
    } else if (want[i] != segments[i]) {
      return false;
    }
  }
  param = value;
  return true;
}

}  // namespace

std::vector<std::string> split_path(const std::string &path) {
  std::vector<std::string> out;
  std::size_t i = 1;  // skip the leading '/'
  while (i <= path.size()) {
    std::size_t end = path.find('/', i);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

RouteLookup find_route(const std::string &method, const std::string &path) {
  const std::vector<std::string> segments = split_path(path);
  const std::string wanted = method == "HEAD" ? "GET" : method;
  bool literal_fits = false;
  for (const RouteDef &r : kRoutes) {
    std::string param;
    if (is_literal(r.pattern) && fits(r.pattern, segments, param)) literal_fits = true;
  }
  RouteLookup out;
  bool get = false, post = false;
  for (const RouteDef &r : kRoutes) {
    if (literal_fits && !is_literal(r.pattern)) continue;
    std::string param;
    if (!fits(r.pattern, segments, param)) continue;
    (std::string(r.method) == "GET" ? get : post) = true;
    if (!out.match && wanted == r.method) out.match = RouteMatch{r.id, param};
  }
  if (get) out.allowed.insert(out.allowed.end(), {"GET", "HEAD"});
  if (post) out.allowed.push_back("POST");
  if (get || post) out.allowed.push_back("OPTIONS");
  return out;
}

const char *required_scope(RouteId id) {
  switch (id) {
    case RouteId::Healthz:
    case RouteId::Readyz:
    case RouteId::UiRoot:
    case RouteId::UiFile: return nullptr;
    case RouteId::WhoAmI: return kAnyTokenScope;
    case RouteId::CreateMessage:
    case RouteId::Batch:
    case RouteId::MailSend: return "enqueue";
    case RouteId::GetMessage:
    case RouteId::ListMessages:
    case RouteId::Stats:
    case RouteId::Overview:
    case RouteId::Throughput:
    case RouteId::Metrics: return "read";
    case RouteId::Retry:
    case RouteId::Cancel:
    case RouteId::RetryDead:
    case RouteId::PauseDestination:
    case RouteId::ResumeDestination: return "admin";
  }
  return "admin";
}

bool route_takes_json_body(RouteId id) {
  return id == RouteId::CreateMessage || id == RouteId::Batch || id == RouteId::MailSend;
}

bool route_is_inline(RouteId id) {
  // In memory: the process's own state or the embedded files, never the database.
  return id == RouteId::Healthz || id == RouteId::WhoAmI || id == RouteId::Throughput || id == RouteId::UiRoot ||
         id == RouteId::UiFile;
}

}  // namespace outboxd::api
