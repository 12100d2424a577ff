// Helpers for the webhook tests: messages that own their strings, and the built plugin's path.
#pragma once

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

}  // namespace outboxd::test
