// The HTTP API's routes and handlers, independent of the HTTP library: a request in (method, path,
// query, content type, body), a JSON response out. api/http_server.cpp serves it over HTTP (Boost.Beast).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_types.hpp"
#include "api/database_errors.hpp"
#include "api/dashboard_overview.hpp"
#include "api/database_gauges.hpp"
#include "api/db_pool.hpp"
#include "api/readiness.hpp"
#include "api/routes.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/runtime.hpp"

namespace outboxd::api {

// What the API reads from the running daemon: the config and destinations of the current runtime
// snapshot (reloaded on SIGHUP). A function, so api/ needs no engine.
using RuntimeSource = std::function<std::shared_ptr<const Runtime>()>;
// The engine's in-process metrics (counters, histograms, lanes; not the database's gauges) for
// GET /metrics. Empty: /metrics shows only what the database says.
using MetricsSource = std::function<MetricsSnapshot()>;

class ApiHandler {
 public:
  // `tokens` (api.tokens, fixed until restart): empty leaves every route open.
  // `readiness` answers GET /readyz; null: never ready. `gauges` reads GET /metrics' database
  // gauges; null: they stay empty and outboxd_database_up 0. `overview` reads the dashboard's
  // GET /v1/overview; null: it shows the configured destinations with no counts.
  ApiHandler(std::shared_ptr<DbPool> pool, RuntimeSource runtime, std::size_t max_body_bytes,
             std::vector<ApiToken> tokens = {}, MetricsSource metrics = {},
             std::shared_ptr<ReadinessProbe> readiness = nullptr, std::shared_ptr<DatabaseGauges> gauges = nullptr,
             std::shared_ptr<DashboardOverview> overview = nullptr);

  // Never throws: client errors are 4xx JSON, what the database's state causes 503 in general words
  // (api/database_errors.hpp), anything else a logged 500.
  // HEAD is answered as GET (the transport sends the headers only).
  ApiResponse handle(const ApiRequest &req) const;

  // The answer to a request that its method, path and token settle before any body is read (404,
  // 405, OPTIONS, 401, 403); nullopt: read the body, then call handle(). Never throws.
  std::optional<ApiResponse> answer_before_body(const ApiRequest &req) const;

  // Where the transport runs handle(): on the I/O thread (no database: /healthz and every answer
  // that needs no route), on the probe thread (/readyz), the metrics thread (/metrics) or the
  // dashboard's thread (/v1/overview), which must answer while the database workers wait on a
  // sick database and whose reads are bounded, or on a database worker. The dashboard has a thread
  // of its own so that open pages never delay a scrape.
  enum class Lane { Inline, Probe, Metrics, Dashboard, Database };
  Lane lane_of(const ApiRequest &req) const;

 private:
  std::shared_ptr<DbPool> pool_;
  RuntimeSource runtime_;
  std::size_t max_body_bytes_;
  std::vector<ApiToken> tokens_;
  MetricsSource metrics_;
  std::shared_ptr<ReadinessProbe> readiness_;
  std::shared_ptr<DatabaseGauges> gauges_;
  std::shared_ptr<DashboardOverview> overview_;
  std::shared_ptr<ThrottledLog> database_log_;  // 503s: a line per kind of trouble, not per request

  std::variant<ApiResponse, RouteMatch> resolve(const ApiRequest &req) const;
  ApiResponse dispatch(const ApiRequest &req) const;
  ApiResponse create_message(const ApiRequest &req) const;
  ApiResponse create_batch(const ApiRequest &req) const;
  ApiResponse send_mail(const ApiRequest &req) const;
  ApiResponse get_message(const std::string &id) const;
  ApiResponse list_messages(const ApiRequest &req) const;
  ApiResponse retry_message(const std::string &id) const;
  ApiResponse cancel_message(const std::string &id) const;
  ApiResponse retry_dead(const std::string &destination) const;
  ApiResponse stats() const;
  ApiResponse metrics() const;
  ApiResponse whoami(const ApiRequest &req) const;
  ApiResponse overview() const;
  ApiResponse throughput() const;
  ApiResponse ready() const;
};

}  // namespace outboxd::api
