// Helpers for the webhook tests: messages that own their strings, and the built plugin's path.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/support/paths.hpp"
#include "tests/support/test_message.hpp"

namespace outboxd::test {

inline std::string webhook_plugin_path() { return outboxd_test_plugin_path(OUTBOXD_TEST_PLUGIN_DIR, "webhook"); }

// A TestMessage for the "hooks" destination with a small JSON payload.
struct WebhookTestMessage : TestMessage {
  WebhookTestMessage() {
    destination = "hooks";
    payload = R"({"order":42})";
  }
};

// n messages with ids ...0001, ...0002, and payload {"n":i}.
inline std::vector<WebhookTestMessage> webhook_test_messages(int n, int32_t timeout_ms = 5000) {
  std::vector<WebhookTestMessage> out(n);
  for (int i = 0; i < n; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "0190a0b0-0000-7000-8000-%012d", i + 1);
    out[i].id = id;
    out[i].payload = "{\"n\":" + std::to_string(i) + "}";
    out[i].timeout_ms = timeout_ms;
  }
  return out;
}

// A loopback port nothing listens on (bound, then closed).
inline int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace outboxd::test
