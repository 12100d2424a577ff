// GET /metrics' database reading (api/database_gauges.hpp).
#include "api/database_gauges.hpp"

#include <spdlog/spdlog.h>

#include "core/db.hpp"
#include "core/sql_catalog.hpp"

namespace outboxd::api {
namespace {

using Clock = std::chrono::steady_clock;

// Settings, pending counts and pauses in one simple query: one implicit transaction (SET LOCAL ends
// with it, nothing is left behind for a transaction pooler) and one round trip.
std::string gauges_sql() {
  return transaction_settings_sql(SessionRole::Gauges) + query_text("message_pending_stats") + ";\n" +
         query_text("destination_controls_list");
}

double now_unix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

DatabaseGauges::DatabaseGauges(std::string conninfo, std::chrono::milliseconds deadline,
                               std::chrono::milliseconds fresh_for, std::chrono::milliseconds wait)
    : session_(std::move(conninfo), "outboxd-metrics"),
      deadline_(deadline),
      fresh_for_(fresh_for),
      wait_(wait),
      reader_([this] { run(); }) {}

DatabaseGauges::~DatabaseGauges() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

DatabaseGaugeReading DatabaseGauges::read() {
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

void DatabaseGauges::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    reading_ = true;
    const bool was_reachable = last_.reachable || !tried_;
    lock.unlock();
    DatabaseGaugeReading fresh;
    read_now(fresh, was_reachable);
    lock.lock();
    reading_ = false;
    tried_ = true;
    finished_at_ = Clock::now();
    ++readings_;
    if (fresh.reachable) {
      last_ = std::move(fresh);
    } else {
      last_.reachable = false;  // the last good figures stay, with the time they were read
    }
    changed_.notify_all();
  }
}

void DatabaseGauges::read_now(DatabaseGaugeReading &into, bool was_reachable) {
  try {
    const std::vector<BoundedRows> results = session_.run(gauges_sql(), Clock::now() + deadline_, &stopping_);
    if (results.size() != 2) throw BoundedFailure{"unreachable", "the gauges' statements returned no rows", ""};
    for (const BoundedRow &row : results[0]) {
      PendingGauge &g = into.pending[row.at(0).value_or("")];
      g.count = std::stoll(row.at(1).value_or("0"));
      if (row.at(2)) g.oldest_seconds = std::stod(*row.at(2));
    }
    for (const BoundedRow &row : results[1]) into.paused[row.at(0).value_or("")] = row.at(1).value_or("f") == "t";
    into.reachable = true;
    into.read_at_unix = now_unix();
    if (!was_reachable) spdlog::info("metrics: the database answers again; the pending and paused gauges are current");
  } catch (const BoundedFailure &f) {
    // Once per outage, not per scrape: the metrics themselves say the database is not reached.
    // A read given up because the daemon stops says nothing.
    if (was_reachable && !stopping_)
      spdlog::warn("metrics: could not read the pending and paused gauges ({}: {}); scrapes show the last "
                   "reading and outboxd_database_up 0 until the database answers",
                   f.database, f.detail);
  } catch (const std::exception &e) {
    if (was_reachable) spdlog::warn("metrics: could not read the pending and paused gauges: {}", e.what());
  }
}

}  // namespace outboxd::api
