// One client connection of the HTTP API: reads requests one after another (keep-alive, pipelining)
// within the header, body and idle time limits, answers what can be settled from the headers alone
// before reading a body, runs the rest on the I/O thread or a worker (ApiHandler::lane_of), and
// writes each answer. Lives on the server's single I/O thread; a worker only ever posts back to it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "api/http_exchange.hpp"
#include "api/http_server.hpp"
#include "api/request_workers.hpp"

namespace outboxd::api {

class HttpConnection;

// What the server's connections share. Members marked "I/O thread" are touched only there.
struct ServerState {
  ServerState(const HttpServerOptions &options, std::shared_ptr<ApiHandler> handler);
  ~ServerState();  // destroys the acceptor and timer before the io_context, and the io_context
                   // (with any connection its abandoned handlers still hold) before the rest

  HttpServerOptions options;
  HttpLimits limits;
  std::shared_ptr<ApiHandler> handler;
  std::unique_ptr<boost::asio::io_context> io;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;      // I/O thread once serving
  std::optional<boost::asio::steady_timer> accept_retry;       // I/O thread
  RequestWorkers db_workers;     // database-bound handlers (api.threads)
  RequestWorkers probe_workers;    // /readyz, so it never waits behind the database workers
  RequestWorkers metrics_workers;  // /metrics, which may wait 2 s for its reading: never before /readyz
  RequestWorkers dashboard_workers;  // /v1/overview, likewise: open dashboards never delay a scrape
  std::atomic<int> open_connections{0};
  bool stopping = false;                             // I/O thread
  std::unordered_set<HttpConnection *> connections;  // I/O thread
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(boost::asio::ip::tcp::socket socket, ServerState &state);
  ~HttpConnection();
  HttpConnection(const HttpConnection &) = delete;
  HttpConnection &operator=(const HttpConnection &) = delete;

  // Where a connection is, for shutdown and for choosing one to close at api.max_connections.
  enum class Phase {
    Idle,     // waiting for the first byte of its next request (keep-alive at rest)
    Head,     // reading a request line and headers
    Body,     // reading a body
    Busy,     // a handler runs, or an answer is being written
    Closing,  // draining before the close
  };

  void start();
  // The server is stopping: a connection waiting for or reading a request closes now; one whose
  // request is being handled closes after its answer, which may take at most `write_limit` to write.
  void stop_if_idle();
  Phase phase() const { return phase_; }
  std::chrono::steady_clock::time_point phase_since() const { return phase_since_; }
  // Closes a connection that is not handling a request, to make room for a new one.
  void evict();

 private:
  void set_phase(Phase phase);
  void await_request();
  void read_header();
  void read_head_bytes();
  void on_header();
  void send_continue();
  void read_body();
  void on_body(const boost::beast::error_code &ec);
  void run(ApiRequest request);
  void respond(const ApiResponse &res, bool close);
  void linger_then_close();
  void close_now();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ServerState &state_;
  std::optional<RequestParser> parser_;
  std::shared_ptr<HttpResponse> response_;  // kept alive while it is written
  std::shared_ptr<const std::string> interim_;  // "100 Continue", while it is written
  Phase phase_ = Phase::Idle;
  std::chrono::steady_clock::time_point phase_since_;
  bool head_ = false;     // the request being answered is a HEAD
  unsigned version_ = 11;
  std::size_t header_fields_ = 0;  // fields of the header, to tell trailers apart
  std::size_t drained_ = 0;  // bytes discarded while lingering before the close
};

}  // namespace outboxd::api
