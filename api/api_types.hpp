// What the HTTP API's handlers take and give, independent of the HTTP library: a request in
// (method, decoded path and query, the headers a handler reads, body), a response out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace outboxd::api {

struct ApiRequest {
  std::string method;  // "GET", "POST", ... as sent (HEAD is answered like GET)
  std::string path;    // "/v1/messages/0190...", percent-decoded; no query string
  std::map<std::string, std::string> query;  // percent-decoded; each name at most once
  std::optional<std::string> content_type;   // the Content-Type header as sent, if any
  std::optional<std::string> authorization;  // the Authorization header as sent, if any (a secret)
  // What a browser says of the page that made the request (api/browser_guard.hpp), if sent.
  std::optional<std::string> host, origin, sec_fetch_site;
  std::string body;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::vector<std::string> allow;  // 405 and OPTIONS: the methods the path takes
  bool www_authenticate = false;   // 401 only: send WWW-Authenticate: Bearer
  // Set: the body is this text with this Content-Type instead of `body` as JSON (GET /metrics).
  std::optional<std::string> text;
  std::string text_content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // any further header, e.g. Retry-After
};

}  // namespace outboxd::api
