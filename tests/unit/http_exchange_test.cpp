// The pure half of the HTTP transport: targets, percent-decoding, repeated headers, framing,
// parser errors and response building (api/http_exchange.cpp), fed through Beast's real parser.
#include <gtest/gtest.h>

#include "api/http_exchange.hpp"

using namespace outboxd::api;

namespace {

// Parses `bytes` as one request with the transport's limits; the error, if the parser refused it.
struct ParsedExchange {
  boost::beast::error_code ec;
  std::unique_ptr<RequestParser> parser;
};

ParsedExchange parse_exchange(const std::string &bytes, HttpLimits limits = {}) {
  ParsedExchange p;
  p.parser = std::make_unique<RequestParser>();
  apply_limits(*p.parser, limits);
  p.parser->eager(true);
  std::size_t used = 0;
  while (used < bytes.size() && !p.parser->is_done()) {
    const std::size_t n = p.parser->put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), p.ec);
    if (p.ec == http::error::need_more) {
      p.ec = {};
      break;
    }
    if (p.ec) break;
    used += n;
  }
  return p;
}

ApiRequest request_of(const std::string &bytes) {
  ParsedExchange p = parse_exchange(bytes);
  EXPECT_FALSE(p.ec) << p.ec.message();
  auto r = to_api_request(p.parser->release());
  if (auto *answer = std::get_if<ApiResponse>(&r)) ADD_FAILURE() << answer->body.dump();
  return std::get<ApiRequest>(r);
}

int refusal_status(const std::string &bytes) {
  ParsedExchange p = parse_exchange(bytes);
  if (p.ec) return parse_error_response(p.ec, {}).status;
  if (auto f = refuse_framing(*p.parser)) return f->status;
  auto r = to_api_request(p.parser->release());
  if (auto *answer = std::get_if<ApiResponse>(&r)) return answer->status;
  return 0;
}

}  // namespace

TEST(HttpExchange, PathAndQueryArePercentDecoded) {
  ApiRequest r = request_of("GET /v1/mess%61ges?destination=a%2Fb&state=x+y&flag HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/v1/messages");
  EXPECT_EQ(r.query.at("destination"), "a/b");
  EXPECT_EQ(r.query.at("state"), "x y");
  EXPECT_EQ(r.query.at("flag"), "");
}

TEST(HttpExchange, AbsoluteFormTargetsAreReducedToTheirPath) {
  EXPECT_EQ(request_of("GET http://example.com:3080/healthz?x=1 HTTP/1.1\r\nHost: t\r\n\r\n").path, "/healthz");
  EXPECT_EQ(request_of("GET HTTP://example.com HTTP/1.1\r\nHost: t\r\n\r\n").path, "/");
}

TEST(HttpExchange, MalformedTargetsAndRepeatedHeadersAre400) {
  for (const std::string bad : {
           "GET healthz HTTP/1.1\r\n\r\n",                       // not origin-form
           "GET * HTTP/1.1\r\n\r\n",                             // * is for OPTIONS only
           "GET /v1/messages/a%2Fb HTTP/1.1\r\n\r\n",            // an encoded '/'
           "GET /v1/%00 HTTP/1.1\r\n\r\n",                       // NUL
           "GET /v1/%zz HTTP/1.1\r\n\r\n",                       // bad escape
           "GET /v1/messages?a=%4 HTTP/1.1\r\n\r\n",             // truncated escape
           "GET /v1/messages?=x HTTP/1.1\r\n\r\n",               // no name
           "GET /v1/messages?a=1&a=2 HTTP/1.1\r\n\r\n",          // given twice
           "GET /v1/messages?a=%00 HTTP/1.1\r\n\r\n",            // NUL
           "GET / HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n",
           "GET / HTTP/1.1\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n\r\n",
       })
    EXPECT_EQ(refusal_status(bad), 400) << bad;
  EXPECT_EQ(refusal_status("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
}

TEST(HttpExchange, FramingAndParserErrorsAreClientErrors) {
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nContent-Length: 4x\r\n\r\n"), 400);
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"), 400);
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n"), 413);
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), 400);
  EXPECT_EQ(refusal_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(refusal_status("GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n"), 400);
  EXPECT_EQ(refusal_status("GET / HTTP/3.0\r\n\r\n"), 400);
  EXPECT_EQ(refusal_status("GET / HTTP/1.1\r\n" + std::string(20000, 'X') + ": y\r\n\r\n"), 431);
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 400);
}

TEST(HttpExchange, FramingIsUnambiguous) {
  EXPECT_EQ(refusal_status("GET / HTTP/1.1\r\n\r\n"), 400);                              // no Host
  EXPECT_EQ(refusal_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);      // two
  EXPECT_EQ(refusal_status("GET / HTTP/1.0\r\n\r\n"), 0);                                // 1.0 needs none
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab"), 400);
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2, 2\r\n\r\nab"), 400);
  for (const std::string te : {"gzip, chunked", "chunked;q=1", "identity"})
    EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n"), 400)
        << te;
  EXPECT_EQ(refusal_status("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n"), 0);
}

TEST(HttpExchange, TheRawHeadMayNotFoldLinesOrEndThemInABareLf) {
  EXPECT_FALSE(refuse_head("GET / HTTP/1.1\r\nHost: t\r\n\r\n").has_value());
  EXPECT_EQ(refuse_head("GET / HTTP/1.1\r\nContent-Length:\r\n 5\r\n\r\n")->status, 400);
  EXPECT_EQ(refuse_head("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n")->status, 400);
  EXPECT_EQ(refuse_head("GET / HTTP/1.1\nHost: t\r\n\r\n")->status, 400);
}

TEST(HttpExchange, TrailerFieldsAreRefused) {
  ParsedExchange plain = parse_exchange("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n");
  ASSERT_FALSE(plain.ec);
  EXPECT_FALSE(refuse_trailers(plain.parser->get(), 2).has_value());
  ParsedExchange trailed = parse_exchange("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX: 1\r\n\r\n");
  ASSERT_FALSE(trailed.ec);
  EXPECT_EQ(refuse_trailers(trailed.parser->get(), 2)->status, 400);
}

TEST(HttpExchange, AChunkedBodyOverTheLimitIs413) {
  HttpLimits limits;
  limits.body_bytes = 10;
  ParsedExchange p = parse_exchange("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
                   limits);
  ASSERT_TRUE(p.ec);
  EXPECT_EQ(parse_error_response(p.ec, limits).status, 413);
}

TEST(HttpExchange, ResponsesCarryLengthTypeAndSafetyHeaders) {
  ApiResponse r = error_response(405, "method_not_allowed", "nope \xff");
  r.allow = {"GET", "HEAD"};
  HttpResponse out = to_http_response(r, 11, true, false);
  EXPECT_EQ(out.result_int(), 405);
  EXPECT_EQ(out[http::field::allow], "GET, HEAD");
  EXPECT_EQ(out[http::field::content_type], "application/json");
  EXPECT_EQ(out["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(out[http::field::content_length], std::to_string(out.body().size()));
  EXPECT_NE(out.body().find("nope"), std::string::npos);  // the invalid byte is replaced, not thrown

  HttpResponse head = to_http_response(r, 11, false, true);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(out.body().size()));
  EXPECT_EQ(head[http::field::connection], "close");

  ApiResponse options;
  options.status = 204;
  HttpResponse none = to_http_response(options, 11, true, false);
  EXPECT_TRUE(none.body().empty());
  EXPECT_EQ(none.count(http::field::content_type), 0u);
}

TEST(HttpExchange, PercentDecodeRejectsBrokenEscapes) {
  std::string out;
  EXPECT_TRUE(percent_decode("a%20b+c", true, out));
  EXPECT_EQ(out, "a b c");
  EXPECT_TRUE(percent_decode("a+b", false, out));
  EXPECT_EQ(out, "a+b");
  for (const char *bad : {"%", "%4", "%g0", "a%"}) EXPECT_FALSE(percent_decode(bad, true, out)) << bad;
}
