// A TCP socket listening on 127.0.0.1 at a port the OS picks: the start of the test servers that
// misbehave on purpose (silent_server.hpp, hanging_server.hpp).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace outboxd::test {

// Returns the listening socket and sets `port`; throws naming `what` when it cannot.
inline int listen_on_loopback(int backlog, int &port, const std::string &what) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot start the " + what);
  }
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace outboxd::test
