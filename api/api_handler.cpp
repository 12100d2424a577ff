// Routes and handlers of the HTTP API (docs/http-api.md). Each handler validates first (pure
// functions in api/message_request.cpp), then runs core/outbox_store.cpp in one transaction on a
// pooled connection, so a failed request writes nothing.
#include "api/api_handler.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <spdlog/spdlog.h>

#include "api/api_transaction.hpp"
#include "api/auth.hpp"
#include "api/browser_guard.hpp"
#include "api/dashboard_json.hpp"
#include "api/database_errors.hpp"
#include "api/destination_pause.hpp"
#include "api/lane_status_json.hpp"
#include "api/memory_release.hpp"
#include "api/message_request.hpp"
#include "api/routes.hpp"
#include "api/ui_assets.hpp"
#include "api/wall_clock.hpp"
#include "core/available_at.hpp"
#include "core/db.hpp"
#include "core/utf8.hpp"
#include "core/outbox_store.hpp"
#include "core/sql_errors.hpp"

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

// The Content-Type was checked with the route (resolve), before the body was read.
void require_json_body(const ApiRequest &req, std::size_t max_body_bytes) {
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

// A value of `request` PostgreSQL refused while enqueueing (a data exception: text the database's
// encoding cannot hold, U+4E2D in a LATIN1 database). Thrown out of the transaction, so that the
// field can be found once it is rolled back (refused_data_error).
struct DataRefused {
  const EnqueueRequest *request;
  std::string where;  // "" or "[3]."
  std::string line;   // PostgreSQL's
};

// Runs one enqueue; a value PostgreSQL refuses is a 400 naming the field: an available_at it cannot
// read or that is outside the range the schema accepts (a CHECK, which would otherwise be a 500)
// here, any other value through DataRefused.
EnqueueResult enqueue_checked(pqxx::transaction_base &tx, const EnqueueRequest &r, const std::string &where) {
  try {
    return enqueue(tx, r);
  } catch (const InvalidAvailableAt &e) {
    fail(400, "invalid_field", where + (r.available_at ? "available_at" : "delay_ms") + ": " + e.what());
  } catch (const pqxx::sql_error &e) {
    if (!is_refused_value_error(e.sqlstate())) throw;
    throw DataRefused{&r, where, sql_error_line(e)};
  }
}

// The 400 for DataRefused, naming the field PostgreSQL refuses when asked about each on its own.
// For the mail endpoint the payload is the body.
ApiError refused_data_error(pqxx::connection &conn, const DataRefused &d, bool mail = false) {
  std::optional<RefusedField> refused = find_refused_field(conn, *d.request);
  std::string field = refused ? refused->field : "payload";
  if (mail && field == "payload") field = "body";
  return ApiError{400, "invalid_field", d.where + field + ": " + (refused ? refused->reason : d.line)};
}

// A JSON answer whose body is already JSON text: the messages as PostgreSQL rendered them, spliced
// in as they are. Parsing them into nlohmann::json only to serialise them again costs several
// times their size in memory and most of the time of a large answer.
ApiResponse raw_json_reply(int status, std::string text) {
  ApiResponse res;
  res.status = status;
  res.text = std::move(text);
  res.text_content_type = "application/json";
  return res;
}

// libpq's input buffer grows to the largest row a connection has received and never shrinks. A
// pooled connection that received a message larger than a whole page is closed after the request
// (the next one opens a new connection), so it does not hold that much memory for good.
constexpr std::size_t kLargestRowToKeepTheConnection = static_cast<std::size_t>(kListPageBytes);

// One enqueue transaction (of one or many messages) on a pooled connection: a value PostgreSQL
// refused (DataRefused) becomes a 400 naming the field, looked up once the transaction has rolled
// back. The mail endpoint calls its payload "body".
template <typename Body>
ApiResponse in_enqueue_transaction(DbPool &pool, bool mail, Body &&body) {
  return with_pooled_connection(pool, [&](DbPool::Lease &conn) {
    try {
      return in_api_transaction(*conn, body);
    } catch (const DataRefused &d) {
      throw ClientError{refused_data_error(*conn, d, mail)};
    }
  });
}

json enqueue_reply(pqxx::transaction_base &tx, const EnqueueResult &res) {
  std::string state = "pending";
  if (!res.created) {
    if (auto m = message_state(tx, res.id)) state = m->state;
  }
  return {{"id", res.id}, {"state", state}, {"created", res.created}};
}

}  // namespace

ApiHandler::ApiHandler(std::shared_ptr<DbPool> pool, RuntimeSource runtime, std::size_t max_body_bytes,
                       std::vector<ApiToken> tokens, MetricsSource metrics,
                       std::shared_ptr<ReadinessProbe> readiness, std::shared_ptr<DatabaseGauges> gauges,
                       std::shared_ptr<DashboardOverview> overview)
    : pool_(std::move(pool)), runtime_(std::move(runtime)), max_body_bytes_(max_body_bytes),
      tokens_(std::move(tokens)), metrics_(std::move(metrics)), readiness_(std::move(readiness)),
      gauges_(std::move(gauges)), overview_(std::move(overview)),
      database_log_(std::make_shared<ThrottledLog>()) {
  map_large_blocks_on_their_own();
}

ApiResponse ApiHandler::handle(const ApiRequest &req) const {
  try {
    return dispatch(req);
  } catch (const ClientError &e) {
    return reply(e.error.status, e.error.body());
  } catch (const std::exception &e) {
    std::string log_detail;
    if (const auto answer = database_error_answer(e, log_detail)) {
      // One line per kind of trouble (its code and general words), not per request.
      if (answer->status >= 500)
        database_log_->warn(answer->error + answer->detail,
                            "api: " + req.method + " " + req.path.substr(0, 200) + ": " +
                                std::to_string(answer->status) + " " + answer->error + ": " + log_detail);
      return reply(answer->status, answer->body());
    }
    spdlog::error("api: {} {}: {}", req.method, req.path, e.what());
    return reply(500, {{"error", "internal"}, {"detail", "internal error; the daemon log has the details"}});
  }
}

std::variant<ApiResponse, RouteMatch> ApiHandler::resolve(const ApiRequest &req) const {
  const RouteLookup found = find_route(req.method, req.path);
  const std::string shown_path = req.path.substr(0, 200);
  // What a client sent, as a log line may show it: no line breaks or escape sequences.
  const std::string logged = log_safe(req.method, 20) + " " + log_safe(req.path);
  if (req.method == "OPTIONS" && (found.path_known() || req.path == "*")) {
    ApiResponse r = reply(204, json::object());
    r.allow = found.path_known() ? found.allowed : std::vector<std::string>{"GET", "HEAD", "POST", "OPTIONS"};
    return r;
  }
  if (!found.match) {
    if (found.path_known()) {
      std::string list;
      for (const auto &m : found.allowed) list += (list.empty() ? "" : ", ") + m;
      ApiResponse r = reply(405, {{"error", "method_not_allowed"},
                                  {"detail", req.method.substr(0, 20) + " " + shown_path + ": allowed: " + list}});
      r.allow = found.allowed;
      return r;
    }
    return reply(404, {{"error", "not_found"}, {"detail", "no route " + shown_path + " (see docs/http-api.md)"}});
  }
  // The dashboard's files may be opened from a link on any page; everything else only answers
  // programs and the API's own pages (api/browser_guard.hpp). The health checks answer anyone.
  const RouteId id = found.match->id;
  if (id != RouteId::UiRoot && id != RouteId::UiFile && id != RouteId::Healthz && id != RouteId::Readyz) {
    if (auto refusal = refuse_foreign_page(req, tokens_.empty())) {
      spdlog::warn("api: {}: 403 {}", logged, log_safe(refusal->detail, 300));
      return reply(refusal->status, refusal->body());
    }
  }
  const char *scope = required_scope(found.match->id);
  // api.metrics_public (reloadable): Prometheus may scrape without a token.
  if (found.match->id == RouteId::Metrics && runtime_()->config->api_metrics_public) scope = nullptr;
  if (scope) {
    const AuthDecision d = authorize(tokens_, req.authorization, scope);
    if (const auto *u = std::get_if<AuthUnauthorized>(&d)) {
      spdlog::info("api: {}: 401 {}", logged, u->detail);
      ApiResponse res = reply(401, {{"error", "unauthorized"}, {"detail", u->detail}});
      res.www_authenticate = true;
      return res;
    }
    if (const auto *f = std::get_if<AuthForbidden>(&d)) {
      spdlog::warn("api: {}: 403 {}", logged, f->detail);
      return reply(403, {{"error", "forbidden"}, {"detail", f->detail}});
    }
  }
  // Checked here, with the headers, so a client that sent Expect: 100-continue hears 415 before
  // it sends a body nobody will read.
  if (route_takes_json_body(found.match->id) && (!req.content_type || !is_json_content_type(*req.content_type)))
    return reply(415, {{"error", "unsupported_media_type"},
                       {"detail", "Content-Type: must be application/json, got " +
                                      (req.content_type ? "\"" + req.content_type->substr(0, 100) + "\""
                                                        : std::string("none"))}});
  return *found.match;
}

std::optional<ApiResponse> ApiHandler::answer_before_body(const ApiRequest &req) const {
  try {
    auto resolved = resolve(req);
    if (auto *answer = std::get_if<ApiResponse>(&resolved)) return std::move(*answer);
    return std::nullopt;
  } catch (const std::exception &e) {
    spdlog::error("api: {} {}: {}", log_safe(req.method, 20), log_safe(req.path), e.what());
    return reply(500, {{"error", "internal"}, {"detail", "internal error; the daemon log has the details"}});
  }
}

ApiHandler::Lane ApiHandler::lane_of(const ApiRequest &req) const {
  const RouteLookup found = find_route(req.method, req.path);
  if (!found.match || req.method == "OPTIONS" || route_is_inline(found.match->id)) return Lane::Inline;
  const RouteId id = found.match->id;
  if (id == RouteId::Readyz) return Lane::Probe;
  if (id == RouteId::Overview) return Lane::Dashboard;  // a bounded reading, as /metrics waits for
  return id == RouteId::Metrics ? Lane::Metrics : Lane::Database;
}

ApiResponse ApiHandler::dispatch(const ApiRequest &req) const {
  auto resolved = resolve(req);
  if (auto *answer = std::get_if<ApiResponse>(&resolved)) return std::move(*answer);
  const RouteMatch &route = std::get<RouteMatch>(resolved);
  const std::string &param = route.param;
  // Until the daemon has reached its database and checked (or migrated) its schema, a route that
  // needs the database would meet a missing or changing schema: it waits for the start instead.
  if (route.id != RouteId::Readyz && route.id != RouteId::Metrics && !route_is_inline(route.id) && readiness_ &&
      readiness_->phase() == ReadinessProbe::Phase::Starting)
    return reply(503, {{"error", "starting"},
                       {"detail", "the daemon is starting: it has not reached its database or checked its schema "
                                  "yet; retry shortly (GET /readyz says when it is ready)"}});
  switch (route.id) {
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
    case RouteId::PauseDestination: return set_destination_paused(*pool_, *runtime_(), param, true);
    case RouteId::ResumeDestination: return set_destination_paused(*pool_, *runtime_(), param, false);
    case RouteId::WhoAmI: return whoami(req);
    case RouteId::Overview: return overview();
    case RouteId::Throughput: return throughput();
    case RouteId::UiRoot: return ui_redirect();
    case RouteId::UiFile: return ui_file(param);
  }
  throw std::logic_error("route without a handler");
}

ApiResponse ApiHandler::create_message(const ApiRequest &req) const {
  require_json_body(req, max_body_bytes_);
  const EnqueueRequest r = take(parse_message_body(req.body));
  const auto rt = runtime_();
  require_destination(*rt, r.destination, "");
  require_sendable(*rt, r, "");
  return in_enqueue_transaction(*pool_, false, [&](pqxx::work &tx) {
    const EnqueueResult res = enqueue_checked(tx, r, "");
    return reply(res.created ? 201 : 200, enqueue_reply(tx, res));
  });
}

ApiResponse ApiHandler::create_batch(const ApiRequest &req) const {
  require_json_body(req, max_body_bytes_);
  const std::vector<EnqueueRequest> items = take(parse_batch_body(req.body));
  const auto rt = runtime_();
  for (std::size_t i = 0; i < items.size(); ++i) {
    require_destination(*rt, items[i].destination, "[" + std::to_string(i) + "].");
    require_sendable(*rt, items[i], "[" + std::to_string(i) + "].");
  }
  // All or nothing: one failing item rolls back every earlier one.
  return in_enqueue_transaction(*pool_, false, [&](pqxx::work &tx) {
    json out = json::array();
    bool any_created = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const EnqueueResult res = enqueue_checked(tx, items[i], "[" + std::to_string(i) + "].");
      any_created = any_created || res.created;
      out.push_back(enqueue_reply(tx, res));
    }
    return reply(any_created ? 201 : 200, {{"messages", out}});
  });
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
  return in_enqueue_transaction(*pool_, true, [&](pqxx::work &tx) {
    return reply(202, {{"id", enqueue_checked(tx, r, "").id}});
  });
}

ApiResponse ApiHandler::get_message(const std::string &id) const {
  require_uuid(id);
  std::optional<MessageJson> m = with_pooled_connection(*pool_, [&](DbPool::Lease &conn) {
    std::optional<MessageJson> found = message_get(*conn, id);
    if (found && found->json.size() > kLargestRowToKeepTheConnection) conn.discard();
    return found;
  });
  if (!m) fail(404, "not_found", "id: no message " + id);
  const std::size_t bytes = m->json.size();
  ApiResponse res = raw_json_reply(200, std::move(m->json) + "\n");
  m.reset();
  return_freed_memory(bytes);
  return res;
}

ApiResponse ApiHandler::list_messages(const ApiRequest &req) const {
  const MessageFilter filter = take(parse_list_query(req.query));
  MessagePage page = with_pooled_connection(*pool_, [&](DbPool::Lease &conn) {
    MessagePage found = message_list(*conn, filter);
    std::size_t largest = 0;
    for (const auto &m : found.messages) largest = std::max(largest, m.json.size());
    if (largest > kLargestRowToKeepTheConnection) conn.discard();
    return found;
  });
  // A page that is full, or that the byte budget ended early, continues after its last message.
  const bool more = !page.messages.empty() &&
                    (page.cut_short || static_cast<int>(page.messages.size()) == filter.limit);
  const std::string next = more ? "\"" + std::to_string(page.messages.back().seq) + "\"" : "null";
  std::size_t bytes = 64;
  for (const auto &m : page.messages) bytes += m.json.size() + 1;
  std::string text;
  text.reserve(bytes);
  text += "{\"messages\":[";
  for (std::size_t i = 0; i < page.messages.size(); ++i) {
    if (i) text += ',';
    text += page.messages[i].json;
  }
  text += "],\"next_after\":" + next + "}\n";
  page = MessagePage{};
  return_freed_memory(bytes);
  return raw_json_reply(200, std::move(text));
}

ApiResponse ApiHandler::retry_message(const std::string &id) const {
  require_uuid(id);
  const auto rt = runtime_();
  return in_pooled_transaction(*pool_, [&](pqxx::work &tx) {
    auto m = message_state(tx, id);
    if (!m) fail(404, "not_found", "id: no message " + id);
    if (!message_retry(tx, id, default_max_attempts(*rt, m->destination)))
      fail(409, "wrong_state", "message " + id + " is " + m->state + "; only dead or cancelled messages can be retried");
    return reply(200, {{"id", id}, {"state", "pending"}});
  });
}

ApiResponse ApiHandler::cancel_message(const std::string &id) const {
  require_uuid(id);
  return in_pooled_transaction(*pool_, [&](pqxx::work &tx) {
    if (!message_cancel(tx, id)) {
      auto m = message_state(tx, id);
      if (!m) fail(404, "not_found", "id: no message " + id);
      const std::string &state = m->state;
      if (state == "pending")
        fail(409, "locked", "message " + id + " is claimed by a worker (being delivered right now, or held "
                            "in a batch behind an earlier message of its ordering key); cancel it again if it "
                            "comes back to pending");
      fail(409, "wrong_state", "message " + id + " is " + state + "; only pending messages can be cancelled");
    }
    return reply(200, {{"id", id}, {"state", "cancelled"}});
  });
}

ApiResponse ApiHandler::retry_dead(const std::string &destination) const {
  const auto rt = runtime_();
  require_destination(*rt, destination, "");
  return in_pooled_transaction(*pool_, [&](pqxx::work &tx) {
    const long long n = destination_retry_dead(tx, destination, default_max_attempts(*rt, destination));
    return reply(200, {{"destination", destination}, {"retried", n}});
  });
}

ApiResponse ApiHandler::stats() const {
  // Delivered rows are the record of "delivered in the last minute" only while retention keeps
  // them a minute; with a shorter retention this daemon's own count stands in (other daemons on
  // the same table are then not included, and the response says so).
  const auto rt = runtime_();
  const bool from_database = rt->config->retention_delivered >= std::chrono::minutes(1) || !metrics_;
  const MetricsSnapshot snapshot = metrics_ ? metrics_() : MetricsSnapshot{};
  return in_pooled_transaction<pqxx::read_transaction>(*pool_, [&](pqxx::read_transaction &tx) {
    json out = json::object();
    auto entry = [&](const std::string &destination) -> json & {
      json &d = out[destination];
      if (d.is_null()) d = {{"pending", 0}, {"delivered", 0}, {"dead", 0}, {"cancelled", 0},
                            {"oldest_pending_seconds", nullptr}, {"delivered_last_minute", 0},
                            {"paused", false}, {"paused_at", nullptr}};
      return d;
    };
    for (const auto &row : message_stats(tx)) {
      json &d = entry(row.destination);
      d[row.state] = row.count;
      if (row.oldest_pending_seconds) d["oldest_pending_seconds"] = *row.oldest_pending_seconds;
      if (from_database && row.state == "delivered") d["delivered_last_minute"] = row.delivered_last_minute;
    }
    if (!from_database)
      for (const auto &[destination, n] : snapshot.delivered_last_minute)
        if (n > 0) entry(destination)["delivered_last_minute"] = n;
    // A paused destination shows even with no messages: a pause must never go unseen.
    for (const auto &control : destination_controls_list(tx)) {
      if (!control.paused) continue;
      json &d = entry(control.destination);
      d["paused"] = true;
      if (control.paused_at) d["paused_at"] = *control.paused_at;
    }
    // This daemon's lanes: their flow control lives in its memory (another daemon has its own).
    for (const auto &[destination, lane] : snapshot.lanes) add_lane_status(entry(destination), lane);
    return reply(200, {{"destinations", out},
                       {"delivered_last_minute_counted_by", from_database ? "database" : "this daemon"}});
  });
}

ApiResponse ApiHandler::metrics() const {
  // What this process knows comes from its memory and is always current; what the database knows
  // (pending, paused) is the last good reading, which outboxd_database_up and its timestamp date.
  MetricsSnapshot snapshot = metrics_ ? metrics_() : MetricsSnapshot{};
  snapshot.version = OUTBOXD_VERSION;
  const DatabaseGaugeReading db = gauges_ ? gauges_->read() : DatabaseGaugeReading{};
  const auto rt = runtime_();
  // Every configured destination shows its gauges, even with nothing in the table yet.
  for (const auto &name : rt->destinations->names()) {
    const auto pending = db.pending.find(name);
    snapshot.pending[name] = pending == db.pending.end() ? PendingGauge{} : pending->second;
    const auto paused = db.paused.find(name);
    snapshot.paused[name] = paused != db.paused.end() && paused->second;
  }
  // Pending messages of destinations this config does not name stay visible (a typo, a removed one).
  for (const auto &[destination, gauge] : db.pending) snapshot.pending.emplace(destination, gauge);
  snapshot.database_up = db.reachable;
  snapshot.database_read_at_unix = db.read_at_unix;
  ApiResponse res = reply(200, json::object());
  res.text = render_prometheus(snapshot);
  res.text_content_type = kPrometheusContentType;
  return res;
}

ApiResponse ApiHandler::whoami(const ApiRequest &req) const {
  const AuthDecision d = authorize(tokens_, req.authorization, kAnyTokenScope);
  const auto *allowed = std::get_if<AuthAllow>(&d);
  return reply(200, whoami_json(tokens_, allowed ? allowed->name : std::string()));
}

ApiResponse ApiHandler::overview() const {
  const OverviewReading reading = overview_ ? overview_->read() : OverviewReading{};
  const MetricsSnapshot snapshot = metrics_ ? metrics_() : MetricsSnapshot{};
  return reply(200, overview_json(reading, runtime_()->destinations->names(), snapshot.lanes, unix_now()));
}

ApiResponse ApiHandler::throughput() const {
  const MetricsSnapshot snapshot = metrics_ ? metrics_() : MetricsSnapshot{};
  return reply(200, throughput_json(snapshot.throughput));
}

ApiResponse ApiHandler::ready() const {
  // General words only: /readyz needs no token, so it must not show hosts, users or libpq's text.
  const Readiness r = readiness_ ? readiness_->check() : Readiness{};
  const auto rt = runtime_();
  json checks = {{"daemon", r.daemon},
                 {"database", r.database},
                 {"schema", r.schema},
                 {"plugins", std::to_string(rt->destinations->names().size()) + " destination(s) loaded"}};
  return reply(r.ready ? 200 : 503, {{"status", r.ready ? "ready" : "not_ready"}, {"checks", checks}});
}

}  // namespace outboxd::api
