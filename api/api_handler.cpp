// Routes and handlers of the HTTP API (docs/http-api.md). Each handler validates first (pure
// functions in api/message_request.cpp), then runs core/outbox_store.cpp in one transaction on a
// pooled connection, so a failed request writes nothing.
#include "api/api_handler.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <spdlog/spdlog.h>

#include "api/auth.hpp"
#include "api/message_request.hpp"
#include "core/migrations.hpp"
#include "core/outbox_store.hpp"

namespace outboxd::api {
namespace {

using nlohmann::json;

// A client error raised from inside a handler; handle() turns it into the response.
struct ClientError {
  ApiError error;
};

[[noreturn]] void fail(int status, const std::string &code, const std::string &detail) {
  throw ClientError{ApiError{status, code, detail}};
}

template <typename T>
T take(Parsed<T> parsed) {
  if (auto *e = std::get_if<ApiError>(&parsed)) throw ClientError{*e};
  return std::move(std::get<T>(parsed));
}

ApiResponse reply(int status, json body) {
  ApiResponse res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

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

// The routes: a pattern's ":x" segment matches any one non-empty segment.
enum class RouteId { Healthz, Readyz, CreateMessage, ListMessages, Batch, GetMessage, Retry, Cancel,
                     RetryDead, Stats, Metrics, MailSend };
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
    {"GET", "/v1/stats", RouteId::Stats},
    {"GET", "/metrics", RouteId::Metrics},
    {"POST", "/api/mail/send", RouteId::MailSend},
};

// The token scope a route needs (docs/http-api.md#authentication); nullptr: none (health checks).
const char *required_scope(RouteId id) {
  switch (id) {
    case RouteId::Healthz:
    case RouteId::Readyz: return nullptr;
    case RouteId::CreateMessage:
    case RouteId::Batch:
    case RouteId::MailSend: return "enqueue";
    case RouteId::GetMessage:
    case RouteId::ListMessages:
    case RouteId::Stats:
    case RouteId::Metrics: return "read";
    case RouteId::Retry:
    case RouteId::Cancel:
    case RouteId::RetryDead: return "admin";
  }
  return "admin";
}

// Whether `path` fits `pattern`; the ":x" segment's value goes to `param`.
bool match(const std::string &pattern, const std::vector<std::string> &segments, std::string &param) {
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

void require_json_body(const ApiRequest &req, std::size_t max_body_bytes) {
  if (!req.content_type || !is_json_content_type(*req.content_type))
    fail(415, "unsupported_media_type",
         "Content-Type: must be application/json, got " +
             (req.content_type ? "\"" + *req.content_type + "\"" : std::string("none")));
  if (req.body.size() > max_body_bytes)
    fail(413, "body_too_large", "body: " + std::to_string(req.body.size()) + " bytes, more than api.max_body_bytes (" +
                                    std::to_string(max_body_bytes) + ")");
}

void require_uuid(const std::string &id) {
  if (!is_uuid(id)) fail(400, "invalid_id", "id: \"" + id.substr(0, 64) + "\" is not a UUID");
}

std::string names_text(const std::vector<std::string> &names) {
  if (names.empty()) return "none";
  std::string out;
  for (const auto &n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void require_destination(const Runtime &rt, const std::string &destination, const std::string &where) {
  const auto &names = rt.destinations->names();
  if (std::find(names.begin(), names.end(), destination) == names.end())
    fail(422, "unknown_destination",
         where + "destination: \"" + destination + "\" is not configured (configured: " + names_text(names) + ")");
}

// 422 when the destination's plugin says the message can never be sent (its optional validate(),
// no I/O), so it is refused now instead of stored to go dead. `where` prefixes the plugin's field:
// "[3]." for a batch item. A mail body is the payload itself, so its fields drop "payload.".
void require_sendable(const Runtime &rt, const EnqueueRequest &r, const std::string &where, bool mail = false) {
  const Destination *d = rt.destinations->find(r.destination);
  if (d == nullptr) return;  // require_destination has refused it already
  std::optional<std::string> refusal = d->instance->validate(r.payload_json, r.headers_json);
  if (!refusal) return;
  if (mail && refusal->rfind("payload.", 0) == 0) refusal->erase(0, 8);
  if (mail && refusal->rfind("payload:", 0) == 0) refusal->replace(0, 7, "body");
  fail(422, "invalid_message", where + *refusal);
}

int default_max_attempts(const Runtime &rt, const std::string &destination) {
  auto it = rt.config->destinations.find(destination);
  return it == rt.config->destinations.end() ? DestinationConfig{}.max_attempts : it->second.max_attempts;
}

// Runs one enqueue; a value PostgreSQL rejects (an available_at it cannot parse) is a 400.
EnqueueResult enqueue_checked(pqxx::transaction_base &tx, const EnqueueRequest &r, const std::string &where) {
  try {
    return enqueue(tx, r);
  } catch (const pqxx::data_exception &e) {
    std::string msg = e.what();
    msg = msg.substr(0, msg.find('\n'));
    if (msg.rfind("ERROR:", 0) == 0) msg = msg.substr(msg.find_first_not_of(' ', 6));
    const std::string field = r.available_at && e.sqlstate().rfind("2200", 0) == 0 ? "available_at" : "payload";
    fail(400, "invalid_field", where + field + ": " + msg);
  }
}

json enqueue_reply(pqxx::transaction_base &tx, const EnqueueResult &res) {
  std::string state = "pending";
  if (!res.created) {
    if (auto m = message_get(tx, res.id)) state = json::parse(m->json).value("state", "pending");
  }
  return {{"id", res.id}, {"state", state}, {"created", res.created}};
}

}  // namespace

ApiHandler::ApiHandler(std::shared_ptr<DbPool> pool, RuntimeSource runtime, std::size_t max_body_bytes,
                       std::vector<ApiToken> tokens, MetricsSource metrics)
    : pool_(std::move(pool)), runtime_(std::move(runtime)), max_body_bytes_(max_body_bytes),
      tokens_(std::move(tokens)), metrics_(std::move(metrics)) {}

ApiResponse ApiHandler::handle(const ApiRequest &req) const {
  try {
    return dispatch(req);
  } catch (const ClientError &e) {
    return reply(e.error.status, e.error.body());
  } catch (const PoolUnavailable &e) {
    spdlog::warn("api: {} {}: database unavailable: {}", req.method, req.path, e.what());
    return reply(503, {{"error", "database_unavailable"}, {"detail", e.what()}});
  } catch (const pqxx::broken_connection &e) {
    spdlog::warn("api: {} {}: lost the database connection: {}", req.method, req.path, e.what());
    return reply(503, {{"error", "database_unavailable"}, {"detail", "lost the database connection; retry"}});
  } catch (const std::exception &e) {
    spdlog::error("api: {} {}: {}", req.method, req.path, e.what());
    return reply(500, {{"error", "internal"}, {"detail", "internal error; the daemon log has the details"}});
  }
}

ApiResponse ApiHandler::dispatch(const ApiRequest &req) const {
  const std::vector<std::string> segments = split_path(req.path);
  std::set<std::string> allowed;
  for (const RouteDef &r : kRoutes) {
    std::string param;
    if (!match(r.pattern, segments, param)) continue;
    if (req.method != r.method) {
      allowed.insert(r.method);
      continue;
    }
    const char *scope = required_scope(r.id);
    // api.metrics_public (reloadable): Prometheus may scrape without a token.
    if (r.id == RouteId::Metrics && runtime_()->config->api_metrics_public) scope = nullptr;
    if (scope) {
      const AuthDecision d = authorize(tokens_, req.authorization, scope);
      if (const auto *u = std::get_if<AuthUnauthorized>(&d)) {
        spdlog::info("api: {} {}: 401 {}", req.method, req.path.substr(0, 200), u->detail);
        ApiResponse res = reply(401, {{"error", "unauthorized"}, {"detail", u->detail}});
        res.www_authenticate = true;
        return res;
      }
      if (const auto *f = std::get_if<AuthForbidden>(&d)) {
        spdlog::warn("api: {} {}: 403 {}", req.method, req.path.substr(0, 200), f->detail);
        return reply(403, {{"error", "forbidden"}, {"detail", f->detail}});
      }
    }
    switch (r.id) {
      case RouteId::Healthz: return reply(200, {{"status", "ok"}});
      case RouteId::Readyz: return ready();
      case RouteId::CreateMessage: return create_message(req);
      case RouteId::ListMessages: return list_messages(req);
      case RouteId::Batch: return create_batch(req);
      case RouteId::GetMessage: return get_message(param);
      case RouteId::Retry: return retry_message(param);
      case RouteId::Cancel: return cancel_message(param);
      case RouteId::RetryDead: return retry_dead(param);
      case RouteId::Stats: return stats();
      case RouteId::Metrics: return metrics();
      case RouteId::MailSend: return send_mail(req);
    }
  }
  if (!allowed.empty()) {
    std::string list;
    for (const auto &m : allowed) list += (list.empty() ? "" : ", ") + m;
    ApiResponse r = reply(405, {{"error", "method_not_allowed"},
                                {"detail", req.method + " " + req.path.substr(0, 200) + ": allowed: " + list}});
    r.allow.assign(allowed.begin(), allowed.end());
    return r;
  }
  return reply(404, {{"error", "not_found"}, {"detail", "no route " + req.path.substr(0, 200) + " (see docs/http-api.md)"}});
}

ApiResponse ApiHandler::create_message(const ApiRequest &req) const {
  require_json_body(req, max_body_bytes_);
  const EnqueueRequest r = take(parse_message_body(req.body));
  const auto rt = runtime_();
  require_destination(*rt, r.destination, "");
  require_sendable(*rt, r, "");
  auto conn = pool_->acquire();
  try {
    pqxx::work tx(*conn);
    const EnqueueResult res = enqueue_checked(tx, r, "");
    json body = enqueue_reply(tx, res);
    tx.commit();
    return reply(res.created ? 201 : 200, body);
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::create_batch(const ApiRequest &req) const {
  require_json_body(req, max_body_bytes_);
  const std::vector<EnqueueRequest> items = take(parse_batch_body(req.body));
  const auto rt = runtime_();
  for (std::size_t i = 0; i < items.size(); ++i) {
    require_destination(*rt, items[i].destination, "[" + std::to_string(i) + "].");
    require_sendable(*rt, items[i], "[" + std::to_string(i) + "].");
  }
  auto conn = pool_->acquire();
  try {
    pqxx::work tx(*conn);  // all or nothing: one failing item rolls back every earlier one
    json out = json::array();
    bool any_created = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const EnqueueResult res = enqueue_checked(tx, items[i], "[" + std::to_string(i) + "].");
      any_created = any_created || res.created;
      out.push_back(enqueue_reply(tx, res));
    }
    tx.commit();
    return reply(any_created ? 201 : 200, {{"messages", out}});
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::send_mail(const ApiRequest &req) const {
  const auto rt = runtime_();
  const std::string &destination = rt->config->api_mail_destination;
  if (destination.empty())
    fail(404, "not_configured",
         "POST /api/mail/send is off: set api.mail_destination to the destination that sends mail");
  require_json_body(req, max_body_bytes_);
  const EnqueueRequest r = take(parse_mail_body(req.body, destination));
  require_destination(*rt, destination, "api.mail_destination: ");
  require_sendable(*rt, r, "", true);
  auto conn = pool_->acquire();
  try {
    pqxx::work tx(*conn);
    const EnqueueResult res = enqueue(tx, r);
    tx.commit();
    return reply(202, {{"id", res.id}});
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::get_message(const std::string &id) const {
  require_uuid(id);
  auto conn = pool_->acquire();
  try {
    pqxx::read_transaction tx(*conn);
    auto m = message_get(tx, id);
    if (!m) fail(404, "not_found", "id: no message " + id);
    // PostgreSQL's own JSON text, passed on as it is: parsing it here would turn the payload's
    // numbers into doubles (123456789012345678901234567890 into 1.2345678901234568e+29).
    ApiResponse res = reply(200, json::object());
    res.text = std::move(m->json);
    res.text_content_type = "application/json";
    return res;
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::list_messages(const ApiRequest &req) const {
  const MessageFilter filter = take(parse_list_query(req.query));
  auto conn = pool_->acquire();
  try {
    pqxx::read_transaction tx(*conn);
    json items = json::array();
    const auto rows = message_list(tx, filter);
    for (const auto &row : rows) items.push_back(json::parse(row.json));
    json next = nullptr;
    if (static_cast<int>(rows.size()) == filter.limit) next = std::to_string(rows.back().seq);
    return reply(200, {{"messages", items}, {"next_after", next}});
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::retry_message(const std::string &id) const {
  require_uuid(id);
  const auto rt = runtime_();
  auto conn = pool_->acquire();
  try {
    pqxx::work tx(*conn);
    auto m = message_get(tx, id);
    if (!m) fail(404, "not_found", "id: no message " + id);
    const json current = json::parse(m->json);
    if (!message_retry(tx, id, default_max_attempts(*rt, current.value("destination", ""))))
      fail(409, "wrong_state", "message " + id + " is " + current.value("state", "?") +
                                   "; only dead or cancelled messages can be retried");
    tx.commit();
    return reply(200, {{"id", id}, {"state", "pending"}});
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::cancel_message(const std::string &id) const {
  require_uuid(id);
  auto conn = pool_->acquire();
  try {
    pqxx::work tx(*conn);
    if (!message_cancel(tx, id)) {
      auto m = message_get(tx, id);
      if (!m) fail(404, "not_found", "id: no message " + id);
      const std::string state = json::parse(m->json).value("state", "?");
      if (state == "pending")
        fail(409, "locked", "message " + id + " is being delivered right now; cancel it again if it comes "
                            "back to pending");
      fail(409, "wrong_state", "message " + id + " is " + state + "; only pending messages can be cancelled");
    }
    tx.commit();
    return reply(200, {{"id", id}, {"state", "cancelled"}});
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::retry_dead(const std::string &destination) const {
  const auto rt = runtime_();
  require_destination(*rt, destination, "");
  auto conn = pool_->acquire();
  try {
    pqxx::work tx(*conn);
    const long long n = destination_retry_dead(tx, destination, default_max_attempts(*rt, destination));
    tx.commit();
    return reply(200, {{"destination", destination}, {"retried", n}});
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::stats() const {
  // Delivered rows are the record of "delivered in the last minute" only while retention keeps
  // them a minute; with a shorter retention this daemon's own count stands in (other daemons on
  // the same table are then not included, and the response says so).
  const auto rt = runtime_();
  const bool from_database = rt->config->retention_delivered >= std::chrono::minutes(1) || !metrics_;
  const MetricsSnapshot snapshot = from_database ? MetricsSnapshot{} : metrics_();
  auto conn = pool_->acquire();
  try {
    pqxx::read_transaction tx(*conn);
    json out = json::object();
    auto entry = [&](const std::string &destination) -> json & {
      json &d = out[destination];
      if (d.is_null()) d = {{"pending", 0}, {"delivered", 0}, {"dead", 0}, {"cancelled", 0},
                            {"oldest_pending_seconds", nullptr}, {"delivered_last_minute", 0}};
      return d;
    };
    for (const auto &row : message_stats(tx)) {
      json &d = entry(row.destination);
      d[row.state] = row.count;
      if (row.oldest_pending_seconds) d["oldest_pending_seconds"] = *row.oldest_pending_seconds;
      if (from_database && row.state == "delivered") d["delivered_last_minute"] = row.delivered_last_minute;
    }
    for (const auto &[destination, n] : snapshot.delivered_last_minute)
      if (n > 0) entry(destination)["delivered_last_minute"] = n;
    return reply(200, {{"destinations", out},
                       {"delivered_last_minute_counted_by", from_database ? "database" : "this daemon"}});
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

ApiResponse ApiHandler::metrics() const {
  MetricsSnapshot snapshot = metrics_ ? metrics_() : MetricsSnapshot{};
  // Every configured destination shows its gauges, even with nothing in the table yet.
  const auto rt = runtime_();
  for (const auto &name : rt->destinations->names()) snapshot.pending[name];
  auto conn = pool_->acquire();
  try {
    pqxx::read_transaction tx(*conn);
    for (const auto &row : message_stats(tx)) {  // the one query of a scrape
      if (row.state != "pending") continue;
      PendingGauge &g = snapshot.pending[row.destination];
      g.count = row.count;
      g.oldest_seconds = row.oldest_pending_seconds;
    }
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
  ApiResponse res = reply(200, json::object());
  res.text = render_prometheus(snapshot);
  res.text_content_type = kPrometheusContentType;
  return res;
}

ApiResponse ApiHandler::ready() const {
  json checks = json::object();
  bool ok = true;
  try {
    auto conn = pool_->acquire();
    try {
      const MigrationStatus status = migration_status(*conn);
      checks["database"] = "ok";
      if (status.pending.empty()) {
        checks["schema"] = "ok";
      } else {
        checks["schema"] = std::to_string(status.pending.size()) + " migration(s) pending";
        ok = false;
      }
    } catch (const pqxx::broken_connection &) {
      conn.discard();
      throw;
    }
  } catch (const std::exception &e) {
    checks["database"] = std::string("unreachable: ") + e.what();
    ok = false;
  }
  const auto rt = runtime_();
  checks["plugins"] = std::to_string(rt->destinations->names().size()) + " destination(s) loaded";
  return reply(ok ? 200 : 503, {{"status", ok ? "ready" : "not_ready"}, {"checks", checks}});
}

}  // namespace outboxd::api
