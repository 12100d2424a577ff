// Helpers for the webhook tests: messages that own their strings, and the built plugin's path.
#pragma once

#include <string>
#include <vector>

#include "outboxd/plugin.h"
#include "tests/support/paths.hpp"

namespace outboxd::test {

inline std::string webhook_plugin_path() { return outboxd_test_plugin_path(OUTBOXD_TEST_PLUGIN_DIR, "webhook"); }

// An outboxd_message whose strings live as long as this object.
struct WebhookTestMessage {
  std::string id = "0190a0b0-0000-7000-8000-000000000001";
  std::string destination = "hooks";
  std::string payload = R"({"order":42})";
  std::string headers = "{}";
  int32_t attempt = 1;
  int32_t timeout_ms = 5000;

  outboxd_message view() const {
    outboxd_message msg{};
    msg.struct_size = sizeof(outboxd_message);
    msg.id = id.c_str();
    msg.destination = destination.c_str();
    msg.payload = payload.c_str();
    msg.payload_len = payload.size();
    msg.headers_json = headers.c_str();
    msg.attempt = attempt;
    msg.timeout_ms = timeout_ms;
    return msg;
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
