// Wakes waiting workers: a generation counter under a condition variable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace outboxd {

class WakeSignal {
 public:
  using Clock = std::chrono::steady_clock;

  // Read before looking for work; a wake that arrives while looking then is not missed.
  uint64_t generation() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return generation_;
  }
  void wake_all() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++generation_;
    }
    cv_.notify_all();
  }
  // Returns when the generation differs from `seen` or at `deadline`.
  void wait_until(uint64_t seen, Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_until(lock, deadline, [&] { return generation_ != seen; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
};

}  // namespace outboxd
