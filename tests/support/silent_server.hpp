// A TCP server that accepts connections into its backlog and never says a word: what a database
// host behind a broken proxy, or a hung one, looks like to libpq.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "tests/support/loopback_listener.hpp"

namespace outboxd::test {

class SilentServer {
 public:
  SilentServer() { fd_ = listen_on_loopback(16, port_, "silent server"); }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer &) = delete;
  SilentServer &operator=(const SilentServer &) = delete;

  std::string conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=outbox dbname=outbox";
  }
  // True once a client's connection waits in the backlog, i.e. the client is now waiting on us.
  bool has_client() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace outboxd::test
