// Waiting on a condition with a deadline: tests never sleep for a fixed time.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace outboxd::test {

// Polls `condition` every few milliseconds until it holds (true) or `timeout` passes (false).
inline bool wait_until(const std::function<bool()> &condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace outboxd::test
