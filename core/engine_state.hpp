// State shared by the listener, the workers and the pruner of one running engine.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/kept_outcomes.hpp"
#include "core/lane_directory.hpp"
#include "core/metrics.hpp"
#include "core/recent_count.hpp"
#include "core/throughput_series.hpp"
#include "core/wake_handshake.hpp"

namespace outboxd {

struct EngineState {
  using Clock = std::chrono::steady_clock;

  // When workers poll and when they sleep: the listener and the workers talk only through this.
  WakeHandshake wake;
  std::atomic<bool> stopping{false};  // claim nothing new
  std::atomic<uint64_t> reconnects{0};
  // Sent messages whose outcome could not be written yet: never sent again while the daemon runs.
  KeptOutcomes kept;
  // Histograms for GET /metrics (the counters below and `reconnects` are the rest).
  Metrics metrics;
  // The destinations' lanes in service (the engine owns their workers).
  LaneDirectory lanes;

  // The messages each worker is sending now (by worker index), by seq and id. Two uses: a claim
  // that meets a row another worker is still sending leaves it alone (that worker's session may
  // have died under it, which released the row), and a forced exit names them, since they may
  // have reached their receivers and will be sent again.
  void set_in_flight(int worker, std::map<long long, std::string> sending) {
    std::lock_guard<std::mutex> lock(in_flight_mutex);
    if (sending.empty()) {
      in_flight.erase(worker);
    } else {
      in_flight[worker] = std::move(sending);
    }
  }
  bool in_flight_elsewhere(int worker, long long seq) {
    std::lock_guard<std::mutex> lock(in_flight_mutex);
    for (const auto &[other, sending] : in_flight)
      if (other != worker && sending.count(seq)) return true;
    return false;
  }
  std::vector<std::string> in_flight_ids() {
    std::lock_guard<std::mutex> lock(in_flight_mutex);
    std::vector<std::string> out;
    for (const auto &entry : in_flight)
      for (const auto &sending : entry.second) out.push_back(sending.second);
    return out;
  }

  // Sleeps for `d` unless a stop is requested first (used for reconnect backoff).
  void sleep_unless_stopping(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(stop_mutex);
    stop_cv.wait_for(lock, d, [&] { return stopping.load(); });
  }
  // Claim nothing new from now on; wakes every waiting thread.
  void request_stop() {
    {
      std::lock_guard<std::mutex> lock(stop_mutex);
      stopping.store(true);
    }
    stop_cv.notify_all();
    wake.wake_all();
  }

  static int64_t unix_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  }

  // Adds one batch's outcomes, per destination: one lock and one clock read per batch.
  void count(const std::map<std::string, DeliveryCounters> &batch) {
    const int64_t now_s = now_ns() / 1000000000;
    const int64_t unix_s = unix_seconds();
    std::lock_guard<std::mutex> lock(counters_mutex);
    for (const auto &[destination, n] : batch) {
      auto &c = counters[destination];
      c.delivered += n.delivered;
      c.retried += n.retried;
      c.dead += n.dead;
      if (n.delivered) delivered_recent[destination].add(now_s, n.delivered);
      throughput.add(unix_s, n.delivered, n.retried + n.dead);
    }
  }
  std::map<std::string, DeliveryCounters> snapshot_counters() {
    std::lock_guard<std::mutex> lock(counters_mutex);
    return counters;
  }
  // Everything GET /metrics shows but the pending gauges (the API reads those from the database).
  MetricsSnapshot metrics_snapshot() {
    MetricsSnapshot s;
    s.counters = snapshot_counters();
    s.delivery_duration = metrics.delivery_durations();
    s.claim_batch_size = metrics.claim_batch_sizes();
    s.db_reconnects = reconnects.load();
    s.lanes = lanes.statuses();
    const int64_t now_s = now_ns() / 1000000000;
    const int64_t unix_s = unix_seconds();
    std::lock_guard<std::mutex> lock(counters_mutex);
    s.throughput = throughput.snapshot(unix_s);
    for (const auto &[destination, recent] : delivered_recent)
      s.delivered_last_minute[destination] = recent.total(now_s);
    return s;
  }

 private:
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  std::mutex counters_mutex;
  std::map<std::string, DeliveryCounters> counters;
  std::mutex in_flight_mutex;
  std::map<int, std::map<long long, std::string>> in_flight;
  std::map<std::string, RecentCount> delivered_recent;  // for GET /v1/stats when retention is short
  ThroughputSeries throughput;                          // for the dashboard's chart
};

// Exponential delay between tries after a database fault: 100 ms doubling to 2 s, reset after a
// success. Capped low because the cap is what a fault that has just cleared still costs (a
// read-only database made writable, a network back): the goal is delivery again within seconds,
// and a few connection attempts a second from a handful of threads cost the server nothing.
class ReconnectBackoff {
 public:
  std::chrono::milliseconds next() {
    auto d = delay_;
    delay_ = std::min(delay_ * 2, std::chrono::milliseconds(2000));
    return d;
  }
  void reset() { delay_ = std::chrono::milliseconds(100); }

 private:
  std::chrono::milliseconds delay_{100};
};

}  // namespace outboxd
