// The HTTP API's routes and handlers, independent of the HTTP library: a request in (method, path,
// query, content type, body), a JSON response out. api/http_server.cpp adapts Pistache to it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/db_pool.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/runtime.hpp"

namespace outboxd::api {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/v1/messages/0190..."; no query string
  std::map<std::string, std::string> query;
  std::optional<std::string> content_type;  // the Content-Type header as sent, if any
  std::optional<std::string> authorization;  // the Authorization header as sent, if any (a secret)
  std::string body;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::vector<std::string> allow;  // 405 only: the methods the path takes
  bool www_authenticate = false;   // 401 only: send WWW-Authenticate: Bearer
  // Set: the body is this text with this Content-Type instead of `body` as JSON (GET /metrics).
  std::optional<std::string> text;
  std::string text_content_type;
};

// What the API reads from the running daemon: the config and destinations of the current runtime
// snapshot (reloaded on SIGHUP). A function, so api/ needs no engine.
using RuntimeSource = std::function<std::shared_ptr<const Runtime>()>;
// The engine's in-process metrics (counters, histograms; not the pending gauges) for GET /metrics.
// Empty: /metrics shows only what the database says.
using MetricsSource = std::function<MetricsSnapshot()>;

class ApiHandler {
 public:
  // `tokens` (api.tokens, fixed until restart): empty leaves every route open.
  ApiHandler(std::shared_ptr<DbPool> pool, RuntimeSource runtime, std::size_t max_body_bytes,
             std::vector<ApiToken> tokens = {}, MetricsSource metrics = {});

  // Never throws: client errors are 4xx JSON, a database outage 503, anything else a logged 500.
  ApiResponse handle(const ApiRequest &req) const;

 private:
  struct Route;
  std::shared_ptr<DbPool> pool_;
  RuntimeSource runtime_;
  std::size_t max_body_bytes_;
  std::vector<ApiToken> tokens_;
  MetricsSource metrics_;

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
  ApiResponse ready() const;
};

}  // namespace outboxd::api
