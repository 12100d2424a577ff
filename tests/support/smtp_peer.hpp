// A real SMTP server for tests: tests/fixtures/smtp/smtp_server.py (aiosmtpd) on a free loopback
// port, what it received parsed by Python's email package, and throwaway TLS certificates.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>

namespace outboxd::test {

struct SmtpPeerOptions {
  std::string tls = "none";  // none | starttls | tls
  std::string cert, key;     // PEM files, for starttls and tls
  std::string auth;          // "user:password": AUTH required, PLAIN and LOGIN offered
  bool sink = false;         // count only, write nothing (benchmark-style)
  int port = 0;              // 0: any free port
};

class SmtpPeer {
 public:
  // Starts the server writing into `dir` (which must exist) and waits until it listens.
  explicit SmtpPeer(std::string dir, SmtpPeerOptions options = {});
  ~SmtpPeer();  // stops the server (SIGTERM, then SIGKILL) and reaps it
  SmtpPeer(const SmtpPeer &) = delete;
  SmtpPeer &operator=(const SmtpPeer &) = delete;

  void stop();
  void start();  // again, on the same port as before (or any free one the first time)
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }

  // Messages fully received so far (their envelope file exists).
  std::size_t count() const;
  // Every received message, parsed by tests/fixtures/smtp/parse_messages.py: a JSON array.
  nlohmann::json messages() const;

 private:
  std::string dir_;
  SmtpPeerOptions options_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Runs tests/fixtures/smtp/make_certs.sh into `dir`: ca.pem, server.pem/.key, self.pem/.key.
void smtp_make_certs(const std::string &dir);

}  // namespace outboxd::test
