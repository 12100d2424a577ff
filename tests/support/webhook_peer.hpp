// Starts the scriptable webhook receiver (tests/fixtures/webhook/receiver.py) on loopback.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"

namespace outboxd::test {

// A real HTTP server (Python's ThreadingHTTPServer, run with /usr/bin/python3) on 127.0.0.1 and,
// with ipv6, on [::1], on ports the OS picks. It records every request and verifies Standard
// Webhooks signatures against `secrets` with Python's own hmac/base64. Killed when this dies.
class WebhookReceiver {
 public:
  // Tls: HTTPS with a certificate from a throwaway CA (ca_file()); Mtls: also demands a client
  // certificate from that CA (client_cert(), client_key()).
  enum class Transport { Http, Tls, Mtls };
  // AllInterfaces listens on 0.0.0.0 instead of 127.0.0.1: reachable at this host's own addresses.
  enum class Bind { Loopback, AllInterfaces };
  explicit WebhookReceiver(const std::vector<std::string> &secrets = {}, bool ipv6 = false,
                           Transport transport = Transport::Http, Bind bind = Bind::Loopback);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver &) = delete;
  WebhookReceiver &operator=(const WebhookReceiver &) = delete;

  int port() const { return port_; }
  int port6() const { return port6_; }
  std::string ca_file() const { return dir_.file("ca.pem"); }
  std::string client_cert() const { return dir_.file("client.pem"); }
  std::string client_key() const { return dir_.file("client.key"); }
  // "http://127.0.0.1:<port><path_and_query>", e.g. url("/hook?status=503&retry_after=2");
  // https:// with TLS.
  std::string url(const std::string &path_and_query = "/hook") const;
  // The same on [::1] (ipv6 only).
  std::string url6(const std::string &path_and_query = "/hook") const;

  // Every request recorded so far, in the order they were answered.
  std::vector<nlohmann::json> requests() const;
  bool wait_requests(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // The largest number of requests the receiver had in flight at once.
  int max_in_flight() const;
  std::string log() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0, port6_ = 0;
  std::string scheme_ = "http";
};

}  // namespace outboxd::test
