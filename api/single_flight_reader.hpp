// A reading of the database taken by a thread of its own, for answers that must come on time
// while the database is slow or gone (GET /metrics' gauges, the dashboard's overview): at most one
// read runs at a time, at most once per `fresh_for` however many clients ask, and a client waits
// for a new reading at most `wait`, then gets the last one, which says when it was taken.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace outboxd::api {

template <typename Reading>
class SingleFlightReader {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs on the reader thread only, without the lock: the next reading from the last one (whose
  // good figures a failed read keeps). `first`: nothing was read before. A read under way should
  // give up soon after `stopping` is set.
  using Take = std::function<Reading(const Reading &last, bool first, const std::atomic<bool> &stopping)>;

  SingleFlightReader(Take take, std::chrono::milliseconds fresh_for, std::chrono::milliseconds wait)
      : take_(std::move(take)), fresh_for_(fresh_for), wait_(wait), reader_([this] { run(); }) {}

  ~SingleFlightReader() {  // gives up a read under way as soon as `take` notices `stopping`
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    reader_.join();
  }
  SingleFlightReader(const SingleFlightReader &) = delete;
  SingleFlightReader &operator=(const SingleFlightReader &) = delete;

  // Thread-safe. Returns within `wait` (plus a moment).
  Reading read() {
    std::unique_lock<std::mutex> lock(mutex_);
    const bool stale = !tried_ || Clock::now() - finished_at_ >= fresh_for_;
    if (!stale && !reading_) return last_;
    if (!reading_ && !wanted_) {
      wanted_ = true;
      changed_.notify_all();
    }
    // The next reading to finish: the one asked for, or the one under way.
    const uint64_t next = readings_ + 1;
    changed_.wait_for(lock, wait_, [&] { return readings_ >= next || stopping_; });
    return last_;
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
      reading_ = true;
      const Reading last = last_;
      const bool first = !tried_;
      lock.unlock();
      Reading fresh = take_(last, first, stopping_);
      lock.lock();
      last_ = std::move(fresh);
      reading_ = false;
      tried_ = true;
      finished_at_ = Clock::now();
      ++readings_;
      changed_.notify_all();
    }
  }

  const Take take_;
  const std::chrono::milliseconds fresh_for_;
  const std::chrono::milliseconds wait_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  bool wanted_ = false;   // a client asked for a reading
  bool reading_ = false;  // the reader is taking one
  bool tried_ = false;    // a reading was finished, good or not
  Clock::time_point finished_at_{};
  uint64_t readings_ = 0;  // finished, good or not
  Reading last_{};
  std::thread reader_;  // last: started once the rest exists
};

}  // namespace outboxd::api
