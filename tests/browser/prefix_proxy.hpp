// A reverse proxy that serves a backend under a path prefix, as an operator's nginx would
// (`location /outboxd/ { proxy_pass http://backend/; }`): a request for /outboxd/x goes to the
// backend as /x, anything else is a 404. One request per connection (it answers with
// Connection: close), which is all a test of the dashboard under a prefix needs.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace outboxd::test {

class PrefixProxy {
 public:
  // `prefix` like "/outboxd" (no trailing slash); `backend_port` on 127.0.0.1.
  PrefixProxy(std::string prefix, int backend_port);
  ~PrefixProxy();
  PrefixProxy(const PrefixProxy &) = delete;
  PrefixProxy &operator=(const PrefixProxy &) = delete;

  // "http://127.0.0.1:PORT" + the prefix.
  std::string url() const;
  // Request lines the backend received, as rewritten ("GET /v1/overview HTTP/1.1").
  std::vector<std::string> forwarded();

 private:
  void accept_loop();
  void serve(int client);

  const std::string prefix_;
  const int backend_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> connections_;  // one per connection; the acceptor's, joined at the end
  std::mutex forwarded_mutex_;
  std::vector<std::string> forwarded_;
  std::thread acceptor_;
};

}  // namespace outboxd::test
