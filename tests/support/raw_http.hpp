// A raw TCP client for HTTP tests that need bytes curl will not send: broken framing, pipelined
// requests, tiny chunks, idle or half-sent requests. Also splits a byte stream into responses.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace outboxd::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class RawConnection {
 public:
  // Connects to "127.0.0.1:PORT" (or any "host:port" with a numeric IPv4 host); throws on failure.
  explicit RawConnection(const std::string &address);
  ~RawConnection();
  RawConnection(const RawConnection &) = delete;
  RawConnection &operator=(const RawConnection &) = delete;

  // False when the server has closed or reset the connection.
  bool send(const std::string &bytes);
  // Reads until `done(all bytes so far)` holds, the server closes, or `timeout`; returns all bytes.
  const std::string &read_until(const std::function<bool(const std::string &)> &done,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until `count` whole responses have arrived (see parse_responses).
  std::vector<RawResponse> read_responses(std::size_t count, bool head = false,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True once the server has closed the connection (reading and discarding), within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);
  const std::string &received() const { return received_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

// Every complete response at the start of `bytes`, in order. Bodies are framed by Content-Length
// (the daemon always sends one); `head`: responses to HEAD requests carry no body.
std::vector<RawResponse> parse_responses(const std::string &bytes, bool head = false);

// One request on a fresh connection; the first response (status 0 when none arrived).
RawResponse raw_exchange(const std::string &address, const std::string &request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace outboxd::test
