// A TCP server that accepts every connection, reads what comes and never answers: a receiver
// (HTTP or SMTP) that has hung. Unlike SilentServer it accepts, so it can count the clients it
// holds; they stay open until it is destroyed.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_listener.hpp"

namespace outboxd::test {

class HangingServer {
 public:
  HangingServer() {
    fd_ = listen_on_loopback(64, port_, "hanging server");
    thread_ = std::thread([this] { serve(); });
  }
  ~HangingServer() {
    stop_.store(true);
    thread_.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  HangingServer(const HangingServer &) = delete;
  HangingServer &operator=(const HangingServer &) = delete;

  int port() const { return port_; }
  // Connections accepted so far (each is held open, unanswered).
  int clients() const { return accepted_.load(); }

 private:
  // Polls in short steps so the destructor's stop is seen; reads and drops what clients send, so
  // their writes never block on a full buffer and they wait for an answer, as on a hung peer.
  void serve() {
    while (!stop_.load()) {
      std::vector<pollfd> fds{{fd_, POLLIN, 0}};
      for (int c : clients_) fds.push_back({c, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          clients_.push_back(c);
          accepted_++;
        }
      }
      char buf[4096];
      for (size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents & POLLIN) (void)!::read(fds[i].fd, buf, sizeof buf);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> clients_;  // only the serving thread touches it until the destructor joins it
  std::thread thread_;
};

}  // namespace outboxd::test
