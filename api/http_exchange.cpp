// Beast request → ApiRequest and ApiResponse → Beast response (api/http_exchange.hpp).
#include "api/http_exchange.hpp"

#include <algorithm>
#include <cctype>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include "api/hex_digit.hpp"
#include "core/utf8.hpp"

namespace outboxd::api {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// Client bytes quoted in a detail: at most 100 of them, so an error never echoes a whole header.
std::string client_text(std::string_view s) {
  std::string out = "\"" + std::string(s.substr(0, 100)) + "\"";
  if (s.size() > 100) out += "...";
  return out;
}

std::size_t count_fields(const HttpRequest &request, http::field field) {
  const auto range = request.equal_range(field);
  return static_cast<std::size_t>(std::distance(range.first, range.second));
}

// The origin-form path and query of a target: "/a?b" as is; "http://host:port/a?b" (absolute-form,
// RFC 9112 §3.2.2) without scheme and authority; "*" for OPTIONS *. nullopt: none of these.
std::optional<std::string_view> origin_form(std::string_view target) {
  if (target == "*" || (!target.empty() && target[0] == '/')) return target;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!starts_with_nocase(target, scheme)) continue;
    const std::size_t slash = target.find_first_of("/?", scheme.size());
    if (slash == std::string_view::npos) return std::string_view("/");
    if (target[slash] == '?') return std::string_view();  // "http://h?q": no path; refused below
    return target.substr(slash);
  }
  return std::nullopt;
}

// Splits and decodes the query into `out`; an error answer otherwise.
std::optional<ApiResponse> decode_query(std::string_view query, std::map<std::string, std::string> &out) {
  std::size_t i = 0;
  while (i <= query.size()) {
    std::size_t end = query.find('&', i);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(i, end - i);
    i = end + 1;
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    std::string key, value;
    if (!percent_decode(piece.substr(0, eq), true, key) ||
        (eq != std::string_view::npos && !percent_decode(piece.substr(eq + 1), true, value)))
      return error_response(400, "bad_request", "query: bad percent-encoding in " + client_text(piece));
    if (key.empty()) return error_response(400, "bad_request", "query: a parameter without a name: " + client_text(piece));
    if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos)
      return error_response(400, "bad_request", "query: %00 is not allowed");
    if (!is_valid_utf8(key) || !is_valid_utf8(value))
      return error_response(400, "bad_request", "query: " + client_text(piece) + " is not UTF-8 once decoded");
    if (!out.emplace(key, std::move(value)).second)
      return error_response(400, "bad_request", "query: parameter " + client_text(key) + " given twice");
  }
  return std::nullopt;
}

}  // namespace

void apply_limits(RequestParser &parser, const HttpLimits &limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
  parser.body_limit(static_cast<std::uint64_t>(limits.body_bytes));
}

std::optional<ApiResponse> refuse_head(std::string_view head) {
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] != '\n') continue;
    if (i == 0 || head[i - 1] != '\r')
      return error_response(400, "bad_request", "request: lines must end with CRLF, not a bare LF");
    if (i + 1 < head.size() && (head[i + 1] == ' ' || head[i + 1] == '\t'))
      return error_response(400, "bad_request", "headers: obsolete line folding is not accepted");
  }
  return std::nullopt;
}

std::optional<ApiResponse> refuse_trailers(const HttpRequest &request, std::size_t fields_before) {
  if (static_cast<std::size_t>(std::distance(request.begin(), request.end())) > fields_before)
    return error_response(400, "bad_request", "body: trailer fields after a chunked body are not accepted");
  return std::nullopt;
}

std::optional<ApiResponse> refuse_framing(const RequestParser &parser) {
  const HttpRequest &request = parser.get();
  const auto value_of = [](boost::beast::string_view v) { return std::string_view(v.data(), v.size()); };
  if (const std::size_t n = count_fields(request, http::field::transfer_encoding); n != 0) {
    const std::string_view te = value_of(request[http::field::transfer_encoding]);
    if (n > 1 || !boost::beast::iequals(request[http::field::transfer_encoding], "chunked"))
      return error_response(400, "bad_request",
                            "Transfer-Encoding: only \"chunked\", given once, is accepted, got " + client_text(te));
    if (request.version() < 11)
      return error_response(400, "bad_request", "Transfer-Encoding: not allowed in an HTTP/1.0 request");
  }
  if (count_fields(request, http::field::content_length) > 1 ||
      value_of(request[http::field::content_length]).find(',') != std::string_view::npos)
    return error_response(400, "bad_request", "Content-Length: give it once, as one number");
  const std::size_t hosts = count_fields(request, http::field::host);
  if (hosts > 1) return error_response(400, "bad_request", "Host: given more than once");
  if (hosts == 0 && request.version() >= 11)
    return error_response(400, "bad_request", "Host: required in an HTTP/1.1 request");
  if (parser.upgrade())
    return error_response(400, "bad_request", "Upgrade: this server speaks HTTP/1.1 only");
  return std::nullopt;
}

ApiResponse parse_error_response(const boost::beast::error_code &ec, const HttpLimits &limits) {
  using E = http::error;
  if (ec == E::body_limit)
    return error_response(413, "body_too_large",
                          "body: more than api.max_body_bytes (" + std::to_string(limits.body_bytes) + ") bytes");
  if (ec == E::header_limit)
    return error_response(431, "headers_too_large",
                          "request line and headers: more than " + std::to_string(limits.header_bytes) + " bytes");
  std::string what;
  // The read buffer is larger than the header limit, so only a chunk's own line can overflow it.
  if (ec == E::buffer_overflow) what = "body: a chunk-size line longer than the read buffer";
  else if (ec == E::bad_method) what = "request line: bad method";
  else if (ec == E::bad_target) what = "request line: bad request target";
  else if (ec == E::bad_version) what = "request line: not HTTP/1.0 or HTTP/1.1";
  else if (ec == E::bad_field) what = "headers: bad header name";
  else if (ec == E::bad_value) what = "headers: bad header value";
  else if (ec == E::bad_content_length) what = "Content-Length: not one decimal number (or two that differ)";
  else if (ec == E::bad_transfer_encoding) what = "Transfer-Encoding: given twice, or with Content-Length";
  else if (ec == E::bad_chunk || ec == E::bad_chunk_extension) what = "body: bad chunked encoding";
  else if (ec == E::bad_line_ending) what = "request: lines must end with CRLF";
  else if (ec == E::bad_obs_fold) what = "headers: folded header lines are not accepted";
  else what = "malformed request (" + ec.message() + ")";
  return error_response(400, "bad_request", what);
}

bool percent_decode(std::string_view in, bool plus_is_space, std::string &out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

std::variant<ApiRequest, ApiResponse> to_api_request_head(const HttpRequest &request) {
  ApiRequest out;
  out.method = std::string(request.method_string());
  const std::string_view raw_target(request.target().data(), request.target().size());
  const std::optional<std::string_view> target = origin_form(raw_target);
  if (!target || target->empty() || (*target == "*" && out.method != "OPTIONS"))
    return error_response(400, "bad_request", "request target: expected a path such as /v1/messages, got " +
                                                  client_text(raw_target));
  const std::size_t question = target->find('?');
  const std::string_view path = target->substr(0, question);
  for (std::size_t at = path.find('%'); at != std::string_view::npos; at = path.find('%', at + 1)) {
    if (at + 2 < path.size()) {
      const std::string_view escape = path.substr(at + 1, 2);
      if (escape == "2F" || escape == "2f" || escape == "00")
        return error_response(400, "bad_request", "path: an encoded '/' or NUL is not allowed: " + client_text(path));
    }
  }
  if (!percent_decode(path, false, out.path))
    return error_response(400, "bad_request", "path: bad percent-encoding in " + client_text(path));
  if (!is_valid_utf8(out.path)) return error_response(400, "bad_request", "path: not UTF-8 once decoded");
  if (question != std::string_view::npos) {
    if (auto error = decode_query(target->substr(question + 1), out.query)) return *error;
  }
  if (count_fields(request, http::field::content_type) > 1)
    return error_response(400, "bad_request", "Content-Type: given more than once");
  if (count_fields(request, http::field::authorization) > 1)
    return error_response(400, "bad_request", "Authorization: given more than once");
  if (auto it = request.find(http::field::content_type); it != request.end())
    out.content_type = std::string(it->value());
  if (auto it = request.find(http::field::authorization); it != request.end())
    out.authorization = std::string(it->value());
  if (auto it = request.find(http::field::host); it != request.end()) out.host = std::string(it->value());
  if (auto it = request.find(http::field::origin); it != request.end()) out.origin = std::string(it->value());
  if (auto it = request.find("Sec-Fetch-Site"); it != request.end()) out.sec_fetch_site = std::string(it->value());
  return out;
}

std::variant<ApiRequest, ApiResponse> to_api_request(HttpRequest &&request) {
  auto out = to_api_request_head(request);
  if (auto *r = std::get_if<ApiRequest>(&out)) r->body = std::move(request.body());
  return out;
}

ApiResponse error_response(int status, const std::string &code, const std::string &detail) {
  ApiResponse r;
  r.status = status;
  r.body = {{"error", code}, {"detail", detail}};
  return r;
}

HttpResponse to_http_response(const ApiResponse &res, unsigned version, bool keep_alive, bool head) {
  HttpResponse out{static_cast<http::status>(res.status), version};
  out.keep_alive(keep_alive);
  // API answers are data for programs: never sniffed as HTML, never cached by a proxy or browser.
  out.set(http::field::cache_control, "no-store");
  out.set("X-Content-Type-Options", "nosniff");
  // Never framed (clickjacking); an answer that is a page (the dashboard) brings its own policy,
  // every other one runs nothing at all if a browser is ever made to render it.
  out.set(http::field::x_frame_options, "DENY");
  const bool own_policy = std::any_of(res.headers.begin(), res.headers.end(),
                                      [](const auto &h) { return h.first == "Content-Security-Policy"; });
  if (!own_policy) out.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  if (!res.allow.empty()) {
    std::string list;
    for (const auto &m : res.allow) list += (list.empty() ? "" : ", ") + m;
    out.set(http::field::allow, list);
  }
  if (res.www_authenticate) out.set(http::field::www_authenticate, "Bearer realm=\"outboxd\"");
  for (const auto &[name, value] : res.headers) out.insert(name, value);
  const bool bodiless = res.status == 204 || res.status == 304 || res.status < 200;
  if (!bodiless) {
    if (res.text) {
      out.set(http::field::content_type, res.text_content_type);
      out.body() = *res.text;
    } else {
      out.set(http::field::content_type, "application/json");
      // Details may quote client bytes that are not UTF-8; replace them rather than throw.
      out.body() = res.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
  }
  if (head) {
    const std::size_t length = out.body().size();
    out.body().clear();
    if (!bodiless) out.content_length(length);
  } else if (!bodiless) {
    out.prepare_payload();
  }
  return out;
}

}  // namespace outboxd::api
