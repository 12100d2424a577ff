// Delivered messages and failed attempts per second over the last 15 minutes, for the dashboard's
// live chart (GET /v1/throughput): 900 one-second buckets, each tagged with the Unix second it
// counts, so stale buckets read as zero without a timer. Wall-clock seconds, because the chart's
// time axis is the operator's clock. Not thread-safe on its own (EngineState locks it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace outboxd {

struct ThroughputSnapshot {
  int64_t end_unix = 0;            // the last second the series holds (it may still be counting)
  std::vector<uint64_t> delivered;  // oldest first, one per second, ending with end_unix
  std::vector<uint64_t> failed;     // failed attempts: retried or dead
};

class ThroughputSeries {
 public:
  static constexpr int64_t kSeconds = 900;

  void add(int64_t unix_s, uint64_t delivered, uint64_t failed) {
    Bucket &b = buckets_[index(unix_s)];
    if (b.second != unix_s) b = Bucket{unix_s, 0, 0};
    b.delivered += delivered;
    b.failed += failed;
  }

  // The kSeconds seconds ending with `now_unix`, oldest first.
  ThroughputSnapshot snapshot(int64_t now_unix) const {
    ThroughputSnapshot out;
    out.end_unix = now_unix;
    out.delivered.reserve(kSeconds);
    out.failed.reserve(kSeconds);
    for (int64_t s = now_unix - kSeconds + 1; s <= now_unix; ++s) {
      const Bucket &b = buckets_[index(s)];
      const bool current = b.second == s;
      out.delivered.push_back(current ? b.delivered : 0);
      out.failed.push_back(current ? b.failed : 0);
    }
    return out;
  }

 private:
  struct Bucket {
    int64_t second = INT64_MIN;
    uint64_t delivered = 0, failed = 0;
  };
  static std::size_t index(int64_t s) { return static_cast<std::size_t>(((s % kSeconds) + kSeconds) % kSeconds); }
  std::array<Bucket, kSeconds> buckets_{};
};

}  // namespace outboxd
