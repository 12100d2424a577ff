// The HTTP API served by Pistache from the daemon process: listens, hands each request to
// ApiHandler and writes its JSON reply.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "api/api_handler.hpp"

namespace Pistache::Http {
class Endpoint;
}

namespace outboxd::api {

// The listen address could not be bound (in use, not local, ...); what() names the address.
class ApiBindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:3080";  // host:port (port 0: any free port)
  int threads = 2;
  std::size_t max_body_bytes = 1 << 20;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, std::shared_ptr<ApiHandler> handler);
  ~HttpServer();  // stops the server if still running
  HttpServer(const HttpServer &) = delete;
  HttpServer &operator=(const HttpServer &) = delete;

  // Binds and starts serving on background threads. Throws ApiBindError naming the address.
  void start();
  // "127.0.0.1:41234": the address actually bound (the real port when listen used port 0).
  const std::string &bound_address() const { return bound_; }
  // Stops accepting and joins the server threads. Safe to call twice.
  void stop();

 private:
  HttpServerOptions options_;
  std::shared_ptr<ApiHandler> handler_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
  std::string bound_;
};

}  // namespace outboxd::api
