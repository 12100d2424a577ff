// Raw HTTP over a TCP socket for the transport tests (tests/support/raw_http.hpp).
#include "tests/support/raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace outboxd::test {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

RawConnection::RawConnection(const std::string &address) {
  const auto colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("raw_http: not an IPv4 address: " + address);
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("raw_http: socket: ") + std::strerror(errno));
  if (connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    close(fd_);
    throw std::runtime_error("raw_http: connect to " + address + ": " + why);
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::send(const std::string &bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

const std::string &RawConnection::read_until(const std::function<bool(const std::string &)> &done,
                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && !done(received_)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[65536];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      closed_ = true;  // EOF or reset
      break;
    }
    received_.append(buf, static_cast<std::size_t>(n));
  }
  return received_;
}

std::vector<RawResponse> RawConnection::read_responses(std::size_t count, bool head,
                                                       std::chrono::milliseconds timeout) {
  read_until([&](const std::string &bytes) { return parse_responses(bytes, head).size() >= count; }, timeout);
  return parse_responses(received_, head);
}

bool RawConnection::wait_closed(std::chrono::milliseconds timeout) {
  read_until([](const std::string &) { return false; }, timeout);
  return closed_;
}

std::vector<RawResponse> parse_responses(const std::string &bytes, bool head) {
  std::vector<RawResponse> out;
  std::size_t at = 0;
  for (;;) {
    const std::size_t end = bytes.find("\r\n\r\n", at);
    if (end == std::string::npos) return out;
    RawResponse r;
    const std::string head_text = bytes.substr(at, end - at);
    std::size_t line_end = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12 || status_line.rfind("HTTP/1.", 0) != 0) return out;
    r.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t next = head_text.find("\r\n", line_end + 2);
      const std::string line = head_text.substr(line_end + 2, next == std::string::npos ? std::string::npos
                                                                                        : next - line_end - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos)
        r.headers[lower(line.substr(0, colon))] = line.substr(line.find_first_not_of(' ', colon + 1));
      line_end = next;
    }
    std::size_t length = 0;
    const bool bodiless = head || r.status == 204 || r.status == 304 || r.status < 200;
    if (!bodiless && r.headers.count("content-length")) length = std::stoul(r.headers["content-length"]);
    if (bytes.size() < end + 4 + length) return out;
    r.body = bytes.substr(end + 4, length);
    out.push_back(std::move(r));
    at = end + 4 + length;
  }
}

RawResponse raw_exchange(const std::string &address, const std::string &request, std::chrono::milliseconds timeout) {
  RawConnection c(address);
  c.send(request);
  auto responses = c.read_responses(1, request.rfind("HEAD ", 0) == 0, timeout);
  // Interim 1xx answers (100 Continue) are not the answer.
  for (auto &r : responses)
    if (r.status >= 200) return r;
  return RawResponse{};
}

}  // namespace outboxd::test
