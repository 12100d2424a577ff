// What GET /metrics reads from the database: each destination's pending count and oldest pending
// age, and which destinations are paused. A scrape must answer exactly when the database is in
// trouble, so the read runs on a bounded session of its own (api/bounded_session.hpp), at most one
// at a time, at most once per `fresh_for`; a scrape that finds a read under way, or a read that
// fails, gets the last good reading with the time it was taken, and the metrics say the database
// was not reached (docs/http-api.md#metrics).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

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
  explicit DatabaseGauges(std::string conninfo, std::chrono::milliseconds deadline = std::chrono::seconds(2),
                          std::chrono::milliseconds fresh_for = std::chrono::seconds(1));
  DatabaseGauges(const DatabaseGauges &) = delete;
  DatabaseGauges &operator=(const DatabaseGauges &) = delete;

  // Thread-safe; never waits for another thread's read, and a read of its own ends at `deadline`.
  DatabaseGaugeReading read();

 private:
  void read_now(DatabaseGaugeReading &into);

  std::mutex read_mutex_;  // the one read at a time; guards session_ and read_at_
  BoundedSession session_;
  std::chrono::steady_clock::time_point read_at_{};
  bool tried_ = false;
  const std::chrono::milliseconds deadline_;
  const std::chrono::milliseconds fresh_for_;
  std::mutex last_mutex_;  // guards last_ (held only to copy it)
  DatabaseGaugeReading last_;
};

}  // namespace outboxd::api
