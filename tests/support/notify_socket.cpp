// tests/support/notify_socket.hpp
#include "tests/support/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "tests/support/wait.hpp"

namespace outboxd::test {

NotifySocket::NotifySocket(std::string path) : path_(std::move(path)) {
  sockaddr_un addr{};
  if (path_.size() >= sizeof addr.sun_path) throw std::runtime_error("notify socket path too long: " + path_);
  ::unlink(path_.c_str());
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("notify socket: ") + std::strerror(errno));
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  if (::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("notify socket " + path_ + ": " + why);
  }
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::vector<std::string> NotifySocket::messages() {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) break;  // EAGAIN: nothing more waits
    received_.emplace_back(buf, static_cast<std::size_t>(n));
  }
  return received_;
}

bool NotifySocket::wait_for(const std::string &needle, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        for (const std::string &m : messages())
          if (m.find(needle) != std::string::npos) return true;
        return false;
      },
      timeout);
}

}  // namespace outboxd::test
