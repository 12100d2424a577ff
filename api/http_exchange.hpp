// The pure half of the HTTP transport: limits for Beast's request parser, a parsed request turned
// into an ApiRequest (target split, percent-decoding, the headers a handler reads), the parser's
// complaints as JSON answers, and an ApiResponse turned into an HTTP response. No sockets and no
// threads (api/http_server.cpp owns those), so the HTTP fuzz target runs exactly this code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/api_types.hpp"

namespace outboxd::api {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using RequestParser = http::request_parser<http::string_body>;

// The request line and headers together may hold at most this many bytes (431 beyond).
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

struct HttpLimits {
  std::size_t header_bytes = kMaxHeaderBytes;
  std::size_t body_bytes = 1 << 20;  // api.max_body_bytes, after chunked decoding
};

// Sets the parser's header and body limits (a larger Content-Length is refused before any body is
// read, and no buffer larger than the limit is ever reserved).
void apply_limits(RequestParser &parser, const HttpLimits &limits);

// The raw request line and headers, through the empty line that ends them, checked before the
// parser sees them for what it would accept but must not: a line that ends in a bare LF, and
// obsolete line folding (a line that starts with a space or tab), which the parser unfolds but a
// proxy in front of the daemon might read differently (RFC 9112 §5.2: a server must reject it).
std::optional<ApiResponse> refuse_head(std::string_view head);

// A request whose header has been read, refused on its framing before the body is read: a
// Transfer-Encoding other than exactly "chunked" once (RFC 9112 §6.1), chunked HTTP/1.0, more than
// one Content-Length field or a list in one, no Host in HTTP/1.1 or more than one Host (§3.2), an
// Upgrade. nullopt: read on.
std::optional<ApiResponse> refuse_framing(const RequestParser &parser);

// A chunked body that ended with trailer fields (`fields_before` is the header's field count): the
// API reads none, and a trailer must not be taken for a header.
std::optional<ApiResponse> refuse_trailers(const HttpRequest &request, std::size_t fields_before);

// The parser's error as the answer a client gets: 400 naming what was malformed, 413 for a body
// over the limit, 431 for headers over theirs.
ApiResponse parse_error_response(const boost::beast::error_code &ec, const HttpLimits &limits);

// The request's method, decoded path and query, Content-Type, Authorization and body. A target that
// is not origin-form or absolute-form, bad percent-encoding, an encoded '/' or NUL in the path, a
// query parameter given twice, or a repeated Content-Type or Authorization header is a 400 answer.
std::variant<ApiRequest, ApiResponse> to_api_request(HttpRequest &&request);

// The same for a request whose body has not been read yet (the answer before the body).
std::variant<ApiRequest, ApiResponse> to_api_request_head(const HttpRequest &request);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as HTML forms and URLSearchParams
// write queries); false for a '%' not followed by two hex digits.
bool percent_decode(std::string_view in, bool plus_is_space, std::string &out);

// `res` as an HTTP response to a request of `version` (10 or 11): JSON body (or text), Content-Length,
// Allow, WWW-Authenticate, headers that keep browsers from sniffing or caching API answers, and
// Connection: close when `keep_alive` is false. `head`: headers only, with the Content-Length the body
// would have had.
HttpResponse to_http_response(const ApiResponse &res, unsigned version, bool keep_alive, bool head);

// A JSON error answer: {"error": code, "detail": detail}.
ApiResponse error_response(int status, const std::string &code, const std::string &detail);

}  // namespace outboxd::api
