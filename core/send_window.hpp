// The sends of a destination over the last `window` and how many of them failed, for the circuit
// breaker's failure ratio (destinations.*.breaker_failure_ratio, core/circuit_breaker.hpp).
// kBuckets buckets, each a tenth of the window and tagged with the slot of time it counts: memory is
// fixed whatever the send rate, and a stale bucket is recognised (and reset) without a timer. The
// window so covers the current bucket and the nine before it: between 9/10 of `window` and all of
// it. The clock is passed in, so tests drive it by hand. Not thread-safe on its own (the breaker's
// mutex guards it).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace outboxd {

class SendWindow {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kBuckets = 10;

  struct Totals {
    uint64_t sends = 0;
    uint64_t failures = 0;
  };

  explicit SendWindow(std::chrono::milliseconds window = std::chrono::seconds(30)) { reset(window); }

  // Forgets every send and takes a new length (a bucket is at least a millisecond).
  void reset(std::chrono::milliseconds window) {
    window_ = window;
    bucket_ms_ = std::max<int64_t>(1, window.count() / kBuckets);
    buckets_.fill(Bucket{});
  }
  std::chrono::milliseconds length() const { return window_; }

  void add(Clock::time_point now, uint64_t successes, uint64_t failures) {
    const int64_t s = slot(now);
    Bucket &b = buckets_[index(s)];
    if (b.slot != s) b = Bucket{s, 0, 0};
    b.sends += successes + failures;
    b.failures += failures;
  }

  // The sends in the window ending at `now`.
  Totals totals(Clock::time_point now) const {
    const int64_t s = slot(now);
    Totals t;
    for (const Bucket &b : buckets_)
      if (b.slot > s - kBuckets && b.slot <= s) {
        t.sends += b.sends;
        t.failures += b.failures;
      }
    return t;
  }

 private:
  struct Bucket {
    int64_t slot = INT64_MIN;
    uint64_t sends = 0;
    uint64_t failures = 0;
  };
  int64_t slot(Clock::time_point now) const {
    const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    return ms >= 0 ? ms / bucket_ms_ : -((-ms + bucket_ms_ - 1) / bucket_ms_);  // floor, also before the epoch
  }
  static std::size_t index(int64_t slot) {
    return static_cast<std::size_t>(((slot % kBuckets) + kBuckets) % kBuckets);
  }

  std::chrono::milliseconds window_{0};
  int64_t bucket_ms_ = 1;
  std::array<Bucket, kBuckets> buckets_{};
};

}  // namespace outboxd
