// What the dashboard's overview (GET /v1/overview) reads from the database: each destination's
// pending (due and scheduled), retrying, dead and cancelled counts, the age of its oldest pending
// message, which destinations are paused, and how many were delivered in the last minute and hour.
//
// An open dashboard asks every few seconds, and several may be open: the reading is taken the way
// GET /metrics' gauges are (api/single_flight_reader.hpp), on a bounded session of its own, at
// most once per `fresh_for` whoever asks, each read ending within `deadline`; a read that fails or
// is slow leaves the last good reading, which says when it was taken. No statement reads the
// delivered history: counts go through the pending rows' and the stopped rows' partial indexes,
// and deliveries are counted second by second from messages_finalized_idx, each read asking only
// for the seconds since the one before (and the last kRecountSeconds again: a row's finalized_at
// is when its outcome was written, and the row shows only once that transaction commits), never
// for more than the last hour.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/bounded_session.hpp"
#include "api/single_flight_reader.hpp"

namespace outboxd::api {

struct DestinationCounts {
  long long pending_due = 0, scheduled = 0, retrying = 0, dead = 0, cancelled = 0;
  std::optional<double> oldest_pending_seconds;  // absent: nothing pending
  long long delivered_last_minute = 0, delivered_last_hour = 0;
};

struct OverviewReading {
  std::map<std::string, DestinationCounts> destinations;  // those with messages counted
  std::map<std::string, bool> paused;                     // destinations an operator ever paused
  bool reachable = false;                                 // whether the latest read succeeded
  std::optional<double> read_at_unix;  // this daemon's clock when the last good reading was taken
  // The delivered counts cover the time from here (the database's clock) to the reading: an hour,
  // or less while the reader has not yet counted a whole hour (just started, or a huge hour).
  std::optional<double> delivered_counted_since_unix;
  bool delivered_whole_hour = false;  // the delivered counts cover the whole last hour
};

class DashboardOverview {
 public:
  static constexpr int64_t kRecountSeconds = 30;

  explicit DashboardOverview(std::string conninfo, std::chrono::milliseconds deadline = std::chrono::seconds(10),
                             std::chrono::milliseconds fresh_for = std::chrono::seconds(2),
                             std::chrono::milliseconds wait = std::chrono::seconds(2));
  DashboardOverview(const DashboardOverview &) = delete;
  DashboardOverview &operator=(const DashboardOverview &) = delete;

  // Thread-safe. Returns within `wait` (plus a moment).
  OverviewReading read() { return reader_.read(); }

 private:
  OverviewReading take(const OverviewReading &last, bool first, const std::atomic<bool> &stopping);
  // The counts and pauses into `into`; the delivered seconds since the last reading added to it.
  void read_counts(OverviewReading &into, std::chrono::steady_clock::time_point deadline,
                   const std::atomic<bool> &stopping);
  void read_delivered(OverviewReading &into, std::chrono::steady_clock::time_point deadline,
                      const std::atomic<bool> &stopping);

  BoundedSession session_;  // the reader thread's alone
  const std::chrono::milliseconds deadline_;
  // The reader thread's alone, so that a reading handed to a client stays small:
  // How far back the first count of deliveries reaches: an hour, halved after each read that
  // failed with it (a database too slow to count a busy hour still shows the last minutes).
  int64_t first_window_seconds_ = 3600;
  // Deliveries per Unix second (the database's clock) and destination, over the last hour, and
  // from when they are counted (unset until the first count succeeded).
  std::map<int64_t, std::map<std::string, long long>> delivered_by_second_;
  std::optional<int64_t> counted_since_;
  SingleFlightReader<OverviewReading> reader_;  // last: its thread stops before the rest goes
};

}  // namespace outboxd::api
