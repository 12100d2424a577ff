// A count over the last minute: 60 one-second buckets, each tagged with the second it counts, so
// stale buckets are recognised (and reset) without a timer. Not thread-safe on its own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace outboxd {

class RecentCount {
 public:
  static constexpr int64_t kWindowSeconds = 60;

  // `n` events in second `now_s` (any monotonic seconds count).
  void add(int64_t now_s, uint64_t n) {
    Bucket &b = buckets_[index(now_s)];
    if (b.second != now_s) b = Bucket{now_s, 0};
    b.count += n;
  }
  // Events in the window ending with second `now_s` (that second and the 59 before it).
  uint64_t total(int64_t now_s) const {
    uint64_t sum = 0;
    for (const Bucket &b : buckets_)
      if (b.second > now_s - kWindowSeconds && b.second <= now_s) sum += b.count;
    return sum;
  }

 private:
  struct Bucket {
    int64_t second = INT64_MIN;
    uint64_t count = 0;
  };
  static std::size_t index(int64_t s) {
    return static_cast<std::size_t>(((s % kWindowSeconds) + kWindowSeconds) % kWindowSeconds);
  }
  std::array<Bucket, kWindowSeconds> buckets_{};
};

}  // namespace outboxd
