// GET /metrics' database reading (api/database_gauges.hpp).
#include "api/database_gauges.hpp"

#include <spdlog/spdlog.h>

#include "api/wall_clock.hpp"
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

}  // namespace

DatabaseGauges::DatabaseGauges(std::string conninfo, std::chrono::milliseconds deadline,
                               std::chrono::milliseconds fresh_for, std::chrono::milliseconds wait)
    : session_(std::move(conninfo), "outboxd-metrics"),
      deadline_(deadline),
      reader_([this](const DatabaseGaugeReading &last, bool first,
                     const std::atomic<bool> &stopping) { return take(last, first, stopping); },
              fresh_for, wait) {}

DatabaseGaugeReading DatabaseGauges::take(const DatabaseGaugeReading &last, bool first,
                                          const std::atomic<bool> &stopping) {
  const bool was_reachable = last.reachable || first;
  DatabaseGaugeReading into;
  try {
    const std::vector<BoundedRows> results = session_.run(gauges_sql(), Clock::now() + deadline_, &stopping);
    if (results.size() != 2) throw BoundedFailure{"unreachable", "the gauges' statements returned no rows", ""};
    for (const BoundedRow &row : results[0]) {
      PendingGauge &g = into.pending[row.at(0).value_or("")];
      g.count = std::stoll(row.at(1).value_or("0"));
      if (row.at(2)) g.oldest_seconds = std::stod(*row.at(2));
    }
    for (const BoundedRow &row : results[1]) into.paused[row.at(0).value_or("")] = row.at(1).value_or("f") == "t";
    into.reachable = true;
    into.read_at_unix = unix_now();
    if (!was_reachable) spdlog::info("metrics: the database answers again; the pending and paused gauges are current");
    return into;
  } catch (const BoundedFailure &f) {
    // Once per outage, not per scrape: the metrics themselves say the database is not reached.
    // A read given up because the daemon stops says nothing.
    if (was_reachable && !stopping)
      spdlog::warn("metrics: could not read the pending and paused gauges ({}: {}); scrapes show the last "
                   "reading and outboxd_database_up 0 until the database answers",
                   f.database, f.detail);
  } catch (const std::exception &e) {
    if (was_reachable) spdlog::warn("metrics: could not read the pending and paused gauges: {}", e.what());
  }
  DatabaseGaugeReading kept = last;  // the last good figures stay, with the time they were read
  kept.reachable = false;
  return kept;
}

}  // namespace outboxd::api
