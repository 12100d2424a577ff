// libFuzzer target for the raw HTTP bytes in front of the API: random bytes go through Beast's
// request parser with the daemon's limits, as up to four requests on one keep-alive connection,
// then through the transport's own code (framing checks, target and query decoding, routing,
// response building). No sockets, no database. A crash, sanitizer report, uncaught exception, or a
// refusal that is not a 4xx (abort) is a finding. Built with clang by tests/CMakeLists.txt; see
// docs/http-api.md#fuzzing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_exchange.hpp"
#include "api/routes.hpp"

using namespace outboxd::api;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Every refusal of client bytes is a 4xx JSON answer that serialises.
void check_refusal(const ApiResponse &r) {
  require(r.status >= 400 && r.status < 500);
  require(r.body.contains("error") && r.body.contains("detail"));
  (void)to_http_response(r, 11, false, false);
}

// One request from the front of `rest`; false when the stream ends or the connection would close.
bool one_request(std::string_view &rest, const HttpLimits &limits) {
  RequestParser parser;
  apply_limits(parser, limits);
  // The connection checks the raw head before the parser sees it.
  const std::size_t head_end = rest.find("\r\n\r\n");
  if (auto refusal = refuse_head(rest.substr(0, head_end == std::string_view::npos ? rest.size() : head_end + 4))) {
    check_refusal(*refusal);
    return false;
  }
  // As the connection does: the head first (to count its fields and check its framing), then the body.
  boost::beast::error_code ec;
  std::size_t used = 0;
  std::size_t header_fields = 0;
  bool framing_checked = false;
  while (!parser.is_done() && used < rest.size()) {
    const std::size_t n = parser.put(boost::asio::buffer(rest.data() + used, rest.size() - used), ec);
    used += n;
    if (ec == http::error::need_more) return false;  // the connection would wait for more bytes
    if (ec) {
      check_refusal(parse_error_response(ec, limits));
      return false;
    }
    if (parser.is_header_done() && !framing_checked) {
      framing_checked = true;
      header_fields = static_cast<std::size_t>(std::distance(parser.get().begin(), parser.get().end()));
      if (auto refusal = refuse_framing(parser)) {
        check_refusal(*refusal);
        return false;
      }
      parser.eager(true);
    }
    if (n == 0) break;
  }
  if (!parser.is_done()) return false;
  if (auto refusal = refuse_trailers(parser.get(), header_fields)) {
    check_refusal(*refusal);
    return false;
  }
  const bool keep_alive = parser.keep_alive();
  const unsigned version = parser.get().version();
  auto request = to_api_request(parser.release());
  if (auto *answer = std::get_if<ApiResponse>(&request)) {
    check_refusal(*answer);
    return false;
  }
  const ApiRequest &r = std::get<ApiRequest>(request);
  require(!r.path.empty());
  const RouteLookup found = find_route(r.method, r.path);
  if (found.match) require(found.path_known());
  ApiResponse answer = error_response(404, "not_found", "no route " + r.path.substr(0, 200));
  answer.allow = found.allowed;
  (void)to_http_response(answer, version, keep_alive, r.method == "HEAD");
  rest.remove_prefix(used);
  return keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Small limits, so the fuzzer reaches the 413 and 431 paths with short inputs.
  HttpLimits limits;
  limits.header_bytes = 2048;
  limits.body_bytes = 1024;
  std::string_view rest(reinterpret_cast<const char *>(data), size);
  for (int i = 0; i < 4 && !rest.empty(); ++i)
    if (!one_request(rest, limits)) break;
  return 0;
}
