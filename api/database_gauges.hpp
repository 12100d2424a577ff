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
#include <map>
#include <optional>
#include <string>

#include "api/bounded_session.hpp"
#include "api/single_flight_reader.hpp"
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
  DatabaseGauges(const DatabaseGauges &) = delete;
  DatabaseGauges &operator=(const DatabaseGauges &) = delete;

  // Thread-safe. Returns within `wait` (plus a moment).
  DatabaseGaugeReading read() { return reader_.read(); }

 private:
  // One read on the reader thread: a failed one keeps `last`'s figures, marked unreachable.
  DatabaseGaugeReading take(const DatabaseGaugeReading &last, bool first, const std::atomic<bool> &stopping);

  BoundedSession session_;  // the reader thread's alone
  const std::chrono::milliseconds deadline_;
  SingleFlightReader<DatabaseGaugeReading> reader_;  // last: its thread stops before the rest goes
};

}  // namespace outboxd::api
