// An outboxd_message for plugin tests whose strings live as long as the object.
#pragma once

#include <cstdint>
#include <string>

#include "outboxd/plugin.h"

namespace outboxd::test {

// Each test suite may derive one with its own defaults (destination, payload, timeout).
struct TestMessage {
  std::string id = "0190a0b0-0000-7000-8000-000000000001";
  std::string destination = "demo";
  std::string payload = "{}";
  std::string headers = "{}";
  int32_t attempt = 1;
  int32_t timeout_ms = 5000;
  int64_t available_at_ms = 0;  // Unix epoch ms; 0 (long past) means due now

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
    msg.available_at_ms = available_at_ms;
    return msg;
  }
};

}  // namespace outboxd::test
