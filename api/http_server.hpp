// The HTTP API's transport: HTTP/1.1 with keep-alive and pipelining over Boost.Beast, on one I/O
// thread, with the database-bound handlers on worker threads (docs/architecture.md#http-transport).
// It listens, reads each request within size and time limits, hands it to ApiHandler and writes its
// JSON answer.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "api/api_handler.hpp"

namespace outboxd::api {

// The listen address could not be bound (in use, not local, ...); what() names the address.
class ApiBindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:3080";  // host:port (port 0: any free port)
  int threads = 2;                        // database workers (api.threads)
  std::size_t max_body_bytes = 1 << 20;   // api.max_body_bytes
  int max_connections = 512;              // api.max_connections: more are answered 503 and closed
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};  // api.idle_timeout: keep-alive
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};  // request line and headers
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};    // the body, once headers are in
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};   // the answer, to a slow reader
};

struct ServerState;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, std::shared_ptr<ApiHandler> handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer &) = delete;
  HttpServer &operator=(const HttpServer &) = delete;

  // Binds and starts serving on background threads. Throws ApiBindError naming the address.
  void start();
  // "127.0.0.1:41234": the address actually bound (the real port when listen used port 0).
  const std::string &bound_address() const { return bound_; }

  // Stops accepting and closes idle connections; a request being handled gets its answer (with
  // Connection: close). Returns at once; wait_stopped() tells when the last connection is gone.
  void begin_stop();
  // True once every connection has closed (waiting up to `timeout`); then the threads are joined.
  bool wait_stopped(std::chrono::milliseconds timeout);
  // begin_stop(), then waits up to 5 s for connections to finish and closes what is left.
  void stop();

 private:
  void finish();

  HttpServerOptions options_;
  std::shared_ptr<ApiHandler> handler_;
  std::shared_ptr<ServerState> state_;
  std::thread io_thread_;
  std::string bound_;
  bool finished_ = false;
};

}  // namespace outboxd::api
