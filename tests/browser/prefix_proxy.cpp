// The path-prefix reverse proxy (tests/browser/prefix_proxy.hpp). Blocking sockets with receive
// and send timeouts: each connection has a thread of its own, which never waits more than a few
// seconds on either side.
#include "tests/browser/prefix_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <mutex>

#include "tests/support/loopback_listener.hpp"

namespace outboxd::test {
namespace {

void set_timeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool send_all(int fd, const std::string &data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// The request head (through the blank line) and as much of the body as Content-Length says.
bool read_request(int fd, std::string &out) {
  char buf[8192];
  std::size_t head_end = std::string::npos;
  std::size_t want = 0;
  while (head_end == std::string::npos || out.size() < want) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    out.append(buf, static_cast<std::size_t>(n));
    if (head_end == std::string::npos && (head_end = out.find("\r\n\r\n")) != std::string::npos) {
      std::size_t length = 0;
      for (const char *name : {"\r\nContent-Length:", "\r\ncontent-length:"}) {
        const auto at = out.find(name);
        if (at != std::string::npos && at < head_end) length = std::stoul(out.substr(at + std::strlen(name)));
      }
      want = head_end + 4 + length;
    }
    if (out.size() > (1u << 20)) return false;
  }
  return true;
}

// Drops the request's Connection header and asks the backend to close after answering.
std::string with_connection_close(const std::string &request) {
  const auto head_end = request.find("\r\n\r\n");
  std::string head = request.substr(0, head_end);
  std::string out;
  std::size_t start = 0;
  while (start <= head.size()) {
    std::size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(start, end - start);
    if (strncasecmp(line.c_str(), "Connection:", 11) != 0) out += line + "\r\n";
    start = end + 2;
  }
  return out + "Connection: close\r\n\r\n" + request.substr(head_end + 4);
}

}  // namespace

PrefixProxy::PrefixProxy(std::string prefix, int backend_port)
    : prefix_(std::move(prefix)), backend_port_(backend_port) {
  listen_fd_ = listen_on_loopback(64, port_, "path-prefix proxy");
  acceptor_ = std::thread([this] { accept_loop(); });
}

PrefixProxy::~PrefixProxy() {
  stopping_.store(true);
  acceptor_.join();
  ::close(listen_fd_);
  // Each ends within its sockets' timeouts (5 s from the client, 15 s from the backend).
  for (std::thread &t : connections_) t.join();
}

std::string PrefixProxy::url() const { return "http://127.0.0.1:" + std::to_string(port_) + prefix_; }

std::vector<std::string> PrefixProxy::forwarded() {
  std::lock_guard<std::mutex> lock(forwarded_mutex_);
  return forwarded_;
}

void PrefixProxy::accept_loop() {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    connections_.emplace_back([this, client] {
      serve(client);
      ::close(client);
    });
  }
}

void PrefixProxy::serve(int client) {
  set_timeouts(client, 5);
  std::string request;
  if (!read_request(client, request)) return;  // a spare connection the browser never used
  // "GET /outboxd/ui/ HTTP/1.1": the target is the second word of the first line.
  const auto sp1 = request.find(' ');
  const auto sp2 = request.find(' ', sp1 + 1);
  const std::string target = request.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.rfind(prefix_ + "/", 0) != 0) {
    send_all(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  const std::string rewritten = request.substr(0, sp1 + 1) + target.substr(prefix_.size()) + request.substr(sp2);
  {
    std::lock_guard<std::mutex> lock(forwarded_mutex_);
    forwarded_.push_back(rewritten.substr(0, rewritten.find("\r\n")));
  }
  const int backend = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(backend_port_));
  set_timeouts(backend, 15);
  if (::connect(backend, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
      send_all(backend, with_connection_close(rewritten))) {
    char buf[16384];
    ssize_t n;
    while ((n = ::recv(backend, buf, sizeof buf, 0)) > 0)
      if (!send_all(client, std::string(buf, static_cast<std::size_t>(n)))) break;
  } else {
    send_all(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }
  ::close(backend);
}

}  // namespace outboxd::test
