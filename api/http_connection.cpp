// One HTTP API connection (api/http_connection.hpp).
#include "api/http_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace outboxd::api {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// The read buffer holds at most a request's head and the first bytes after it; the body goes
// straight into the request. Larger than the header limit, so that limit (431) is what trips.
constexpr std::size_t kReadBufferBytes = 4 * kMaxHeaderBytes;
constexpr std::size_t kFirstRead = 4096;
// After an answer that closes the connection (an error, or the client's Connection: close), the
// unread rest of the request is drained for a moment before the close: closing a socket with unread
// input resets the connection, and the client could lose the answer it was sent (RFC 9112 §9.6).
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 256 * 1024;

// A request waits at most this long for a database worker before it is answered 503.
constexpr std::chrono::seconds kLongestQueueWait{10};
// Once the server stops, an answer still being written gets at most this long.
constexpr std::chrono::milliseconds kWriteTimeWhileStopping{5000};

ApiResponse overloaded_response() {
  ApiResponse r = error_response(503, "overloaded",
                                 "every API database worker stayed busy for " +
                                     std::to_string(kLongestQueueWait.count()) + " s (api.threads); retry");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// The peer went away or a timer fired, as opposed to a request the parser refused.
bool is_transport_error(const beast::error_code &ec) {
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return true;
  return ec.category() != http::make_error_code(http::error::bad_target).category();
}

}  // namespace

HttpConnection::HttpConnection(tcp::socket socket, ServerState &state)
    : stream_(std::move(socket)), buffer_(kReadBufferBytes), state_(state),
      phase_since_(std::chrono::steady_clock::now()) {
  ++state_.open_connections;
  state_.connections.insert(this);
}

HttpConnection::~HttpConnection() {
  state_.connections.erase(this);
  --state_.open_connections;
}

void HttpConnection::start() {
  beast::error_code ignored;
  stream_.socket().set_option(tcp::no_delay(true), ignored);
  await_request();
}

void HttpConnection::set_phase(Phase phase) {
  phase_ = phase;
  phase_since_ = std::chrono::steady_clock::now();
}

void HttpConnection::stop_if_idle() {
  // The pending read ends with operation_aborted, then close_now(). A connection that is busy
  // sees `stopping` when it answers: Connection: close, and a shorter time to write.
  if (phase_ == Phase::Idle || phase_ == Phase::Head || phase_ == Phase::Body) stream_.cancel();
}

void HttpConnection::evict() {
  if (phase_ == Phase::Busy || phase_ == Phase::Closing) return;
  set_phase(Phase::Closing);  // chosen once: its read ends with operation_aborted on the next turn
  stream_.cancel();
}

void HttpConnection::await_request() {
  if (state_.stopping) return close_now();
  if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
  set_phase(Phase::Idle);
  stream_.expires_after(state_.options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstRead), [self = shared_from_this()](beast::error_code ec,
                                                                                   std::size_t n) {
    if (ec) return self->close_now();  // idle timeout, the client closed, or the server is stopping
    self->buffer_.commit(n);
    self->read_header();
  });
}

void HttpConnection::read_header() {
  set_phase(Phase::Head);
  head_ = false;
  version_ = 11;
  parser_.emplace();
  apply_limits(*parser_, state_.limits);
  stream_.expires_after(state_.options.header_timeout);
  read_head_bytes();
}

// Reads until the buffer holds the whole head (through the empty line), so the raw bytes can be
// checked (refuse_head) before the parser, which would quietly accept obsolete folding, sees them.
void HttpConnection::read_head_bytes() {
  const auto data = buffer_.data();
  const std::string_view bytes(static_cast<const char *>(data.data()), data.size());
  const std::size_t end = bytes.find("\r\n\r\n");
  const std::size_t limit = state_.limits.header_bytes;
  if (end == std::string_view::npos || end + 4 > limit) {
    if (bytes.size() >= limit)
      return respond(parse_error_response(http::error::header_limit, state_.limits), true);
    // A bare LF would never make "\r\n\r\n": refuse it now rather than at the header timeout.
    if (auto refusal = refuse_head(bytes)) return respond(*refusal, true);
    stream_.async_read_some(buffer_.prepare(std::min(kFirstRead, buffer_.max_size() - buffer_.size())),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close_now();  // timeout, or the client went away
                              self->buffer_.commit(n);
                              self->read_head_bytes();
                            });
    return;
  }
  const std::string_view head = bytes.substr(0, end + 4);
  if (auto refusal = refuse_head(head)) return respond(*refusal, true);
  beast::error_code ec;
  parser_->eager(false);
  const std::size_t used = parser_->put(net::buffer(head.data(), head.size()), ec);
  buffer_.consume(used);
  if (!ec && !parser_->is_header_done()) ec = http::error::partial_message;
  if (ec) return respond(parse_error_response(ec, state_.limits), true);
  on_header();
}

void HttpConnection::on_header() {
  const HttpRequest &request = parser_->get();
  version_ = request.version();
  head_ = request.method() == http::verb::head;
  header_fields_ = static_cast<std::size_t>(std::distance(request.begin(), request.end()));
  const bool has_body = !parser_->is_done();
  if (auto refusal = refuse_framing(*parser_)) return respond(*refusal, true);
  auto head = to_api_request_head(request);
  if (auto *answer = std::get_if<ApiResponse>(&head)) return respond(*answer, true);
  if (auto early = state_.handler->answer_before_body(std::get<ApiRequest>(head)))
    return respond(*early, has_body);  // an unread body would be taken for the next request
  const auto expect = request.find(http::field::expect);
  if (expect != request.end()) {
    if (!beast::iequals(expect->value(), "100-continue"))
      return respond(error_response(417, "expectation_failed", "Expect: only 100-continue is supported"), true);
    if (has_body && version_ >= 11) return send_continue();
  }
  if (!has_body) return run(std::get<ApiRequest>(std::move(head)));
  read_body();
}

void HttpConnection::send_continue() {
  static const auto text = std::make_shared<const std::string>("HTTP/1.1 100 Continue\r\n\r\n");
  interim_ = text;
  stream_.expires_after(state_.options.write_timeout);
  net::async_write(stream_, net::buffer(*interim_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->close_now();
    self->read_body();
  });
}

void HttpConnection::read_body() {
  set_phase(Phase::Body);
  stream_.expires_after(state_.options.body_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void HttpConnection::on_body(const beast::error_code &ec) {
  if (ec) {
    if (is_transport_error(ec)) return close_now();
    return respond(parse_error_response(ec, state_.limits), true);
  }
  if (auto refusal = refuse_trailers(parser_->get(), header_fields_)) return respond(*refusal, true);
  auto request = to_api_request(parser_->release());
  if (auto *answer = std::get_if<ApiResponse>(&request)) return respond(*answer, true);
  run(std::get<ApiRequest>(std::move(request)));
}

void HttpConnection::run(ApiRequest request) {
  set_phase(Phase::Busy);
  stream_.expires_never();  // no I/O is pending while the handler runs
  const ApiHandler::Lane lane = state_.handler->lane_of(request);
  if (lane == ApiHandler::Lane::Inline) return respond(state_.handler->handle(request), false);
  RequestWorkers &workers = lane == ApiHandler::Lane::Probe       ? state_.probe_workers
                            : lane == ApiHandler::Lane::Metrics   ? state_.metrics_workers
                            : lane == ApiHandler::Lane::Dashboard ? state_.dashboard_workers
                                                                  : state_.db_workers;
  auto shared_request = std::make_shared<ApiRequest>(std::move(request));
  const auto queued_at = std::chrono::steady_clock::now();
  workers.submit([self = shared_from_this(), shared_request, queued_at]() mutable {
    std::shared_ptr<ApiResponse> res;
    try {
      // A request that waited this long for a worker is answered 503 rather than run late: its
      // client has likely given up, and running it would only lengthen the queue behind it.
      res = std::make_shared<ApiResponse>(std::chrono::steady_clock::now() - queued_at > kLongestQueueWait
                                              ? overloaded_response()
                                              : self->state_.handler->handle(*shared_request));
    } catch (const std::exception &e) {  // handle() answers its own errors; this is a last resort
      spdlog::error("api: request worker: {}", e.what());
    }
    // The worker hands its reference to the connection back to the I/O thread (moved, not copied):
    // were it the last one left when the worker lets go, the connection's destructor would run here
    // and leave the server's connection set, which only the I/O thread may touch (ThreadSanitizer
    // found that race when the answer was written before the worker returned).
    auto executor = self->stream_.get_executor();
    net::post(executor, [self = std::move(self), res] {
      if (res) return self->respond(*res, false);
      self->close_now();
    });
  });
}

void HttpConnection::respond(const ApiResponse &res, bool close) {
  set_phase(Phase::Busy);
  const bool keep_alive = !close && !state_.stopping && parser_ && parser_->keep_alive();
  response_ = std::make_shared<HttpResponse>(to_http_response(res, version_, keep_alive, head_));
  // While the server stops, a slow reader may hold its answer only briefly.
  stream_.expires_after(state_.stopping ? std::min(state_.options.write_timeout, kWriteTimeWhileStopping)
                                        : state_.options.write_timeout);
  http::async_write(stream_, *response_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
    self->response_.reset();
    if (ec) return self->close_now();
    if (!keep_alive) return self->linger_then_close();
    self->await_request();
  });
}

void HttpConnection::linger_then_close() {
  set_phase(Phase::Closing);
  if (drained_ == 0) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
  }
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(kFirstRead), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->drained_ += n + 1;  // +1: never 0 again, so the shutdown and the timer are set once
    if (ec || self->drained_ > kLingerBytes) return self->close_now();
    self->buffer_.commit(n);
    self->linger_then_close();
  });
}

void HttpConnection::close_now() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace outboxd::api
