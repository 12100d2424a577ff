// What GET /metrics reads from the database: each destination's pending count and oldest pending
// age, and which destinations are paused. A scrape must answer exactly when the database is in
// trouble, so the reading is taken by a thread of its own on a bounded session of its own
// (api/bounded_session.hpp), at most once per `fresh_for`, each read ending within `deadline`. A
// scrape asks for a new reading and waits for it at most `wait`: a read that fails, or takes longer
// (counting a backlog of millions), leaves it the last good reading with the time it was taken,
// and the metrics say whether the latest read reached the database (docs/http-api.md#metrics).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/bounded_session.hpp"
#include "core/metrics.hpp"

namespace outboxd::api {

struct DatabaseGaugeReading {
  std::map<std::string, PendingGauge> pending;  // destinations with pending messages
  std::map<std::string, bool> paused;           // destinations an operator ever paused
  bool reachable = false;                       // whether the latest read succeeded
  std::optional<double> read_at_unix;           // when the last good reading was taken; absent: never
};

class DatabaseGauges {
 public:
  explicit DatabaseGauges(std::string conninfo, std::chrono::milliseconds deadline = std::chrono::seconds(10),
                          std::chrono::milliseconds fresh_for = std::chrono::seconds(1),
                          std::chrono::milliseconds wait = std::chrono::seconds(2));
  ~DatabaseGauges();  // stops the reader, giving up a read under way within about 100 ms
  DatabaseGauges(const DatabaseGauges &) = delete;
  DatabaseGauges &operator=(const DatabaseGauges &) = delete;

  // Thread-safe. Returns within `wait` (plus a moment).
  DatabaseGaugeReading read();

 private:
  void run();  // the reader thread
  // One read; touches only the session and `into` (no lock held).
  void read_now(DatabaseGaugeReading &into, bool was_reachable);

  BoundedSession session_;  // the reader thread's alone
  const std::chrono::milliseconds deadline_;
  const std::chrono::milliseconds fresh_for_;
  const std::chrono::milliseconds wait_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  bool wanted_ = false;   // a scrape asked for a reading
  bool reading_ = false;  // the reader is taking one
  bool tried_ = false;    // a reading was finished, good or not
  std::chrono::steady_clock::time_point finished_at_{};
  uint64_t readings_ = 0;  // finished, good or not
  DatabaseGaugeReading last_;
  std::thread reader_;  // last: started once the rest exists
};

}  // namespace outboxd::api
