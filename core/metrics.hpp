// Prometheus metrics (docs/http-api.md#metrics): the in-process registry the workers record into,
// and a pure function rendering a snapshot in the text exposition format 0.0.4.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/lane.hpp"
#include "core/throughput_series.hpp"

namespace outboxd {

// Counters since start, per destination; read by `stats` logging and GET /metrics.
struct DeliveryCounters {
  uint64_t delivered = 0, retried = 0, dead = 0;
};

// A histogram's state: `bounds` are the finite upper bounds (ascending; +Inf is implicit) and
// `buckets` the per-bucket (not cumulative) counts, one more than `bounds` (the last is +Inf).
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<uint64_t> buckets;
  double sum = 0;
  uint64_t count = 0;
};

// Fixed bounds, fixed arrays: observing allocates nothing. Not thread-safe on its own.
template <std::size_t N>
class FixedHistogram {
 public:
  explicit FixedHistogram(const std::array<double, N> &bounds) : bounds_(bounds) {}
  // `n` observations of `value` at once (a send_batch call: its duration for each message).
  void observe(double value, uint64_t n = 1) {
    std::size_t i = 0;
    while (i < N && value > bounds_[i]) ++i;
    buckets_[i] += n;
    sum_ += value * static_cast<double>(n);
    count_ += n;
  }
  HistogramSnapshot snapshot() const {
    return HistogramSnapshot{std::vector<double>(bounds_.begin(), bounds_.end()),
                             std::vector<uint64_t>(buckets_.begin(), buckets_.end()), sum_, count_};
  }

 private:
  std::array<double, N> bounds_;
  std::array<uint64_t, N + 1> buckets_{};
  double sum_ = 0;
  uint64_t count_ = 0;
};

constexpr std::array<double, 9> kDeliveryDurationBounds{.001, .005, .01, .05, .1, .5, 1, 5, 10};
constexpr std::array<double, 6> kClaimBatchSizeBounds{1, 10, 50, 100, 500, 1000};

// The pending gauges of one destination, from the database's last good reading.
struct PendingGauge {
  long long count = 0;
  std::optional<double> oldest_seconds;  // absent: nothing pending
};

// Everything GET /metrics shows, gathered at scrape time.
struct MetricsSnapshot {
  std::map<std::string, DeliveryCounters> counters;
  std::map<std::string, PendingGauge> pending;
  std::map<std::string, HistogramSnapshot> delivery_duration;
  HistogramSnapshot claim_batch_size;
  uint64_t db_reconnects = 0;
  // Not rendered: GET /v1/stats reports it when retention deletes delivered rows within a minute.
  std::map<std::string, uint64_t> delivered_last_minute;
  // Each lane's flow control: in flight, breaker, rate limit.
  std::map<std::string, LaneStatus> lanes;
  // Each configured destination: whether an operator has paused it (outbox.destination_controls),
  // from the database's last good reading.
  std::map<std::string, bool> paused;
  // The database side of a scrape: whether its latest read reached the database, and when the last
  // good reading (of `pending` and `paused`) was taken, in Unix seconds; absent: never.
  bool database_up = false;
  std::optional<double> database_read_at_unix;
  std::string version;  // outboxd_build_info's label
  // Not rendered: the dashboard's chart (GET /v1/throughput).
  ThroughputSnapshot throughput;
};

// The registry the workers record into (owned by EngineState). One lock, taken once per batch.
class Metrics {
 public:
  // A plugin call for `messages` messages to `destination` took `seconds`.
  void observe_delivery(const std::string &destination, double seconds, uint64_t messages);
  // A claim that found `size` messages (claims that found none are not observed).
  void observe_claim(std::size_t size);
  std::map<std::string, HistogramSnapshot> delivery_durations() const;
  HistogramSnapshot claim_batch_sizes() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, FixedHistogram<kDeliveryDurationBounds.size()>, std::less<>> delivery_;
  FixedHistogram<kClaimBatchSizeBounds.size()> claim_{kClaimBatchSizeBounds};
};

// A label value escaped for the text format: backslash, double quote and newline.
std::string escape_label_value(const std::string &value);

// The snapshot in the Prometheus text exposition format 0.0.4: HELP and TYPE for every metric
// family (even when it has no samples), destinations in name order, histogram buckets cumulative.
std::string render_prometheus(const MetricsSnapshot &snapshot);

// The Content-Type of render_prometheus's output.
inline constexpr const char *kPrometheusContentType = "text/plain; version=0.0.4";

}  // namespace outboxd
