// The dashboard's overview reading (api/dashboard_overview.hpp).
#include "api/dashboard_overview.hpp"

#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/wall_clock.hpp"
#include "core/db.hpp"
#include "core/sql_catalog.hpp"

namespace outboxd::api {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kHour = 3600;

// The probe session runs simple queries, which take no parameters: the statement's one parameter,
// a number this file computed, goes into its text.
std::string delivered_sql(double since_unix) {
  std::string text = query_text("message_delivered_per_second");
  const std::string param = "$1::double precision";
  const auto at = text.find(param);
  if (at == std::string::npos) throw std::logic_error("message_delivered_per_second.sql lost its parameter");
  text.replace(at, param.size(), fmt::format("{:.3f}::double precision", since_unix));
  return transaction_settings_sql(SessionRole::Gauges) + query_text("database_now") + ";\n" + text;
}

long long as_count(const std::optional<std::string> &v) { return v ? std::stoll(*v) : 0; }

}  // namespace

DashboardOverview::DashboardOverview(std::string conninfo, std::chrono::milliseconds deadline,
                                     std::chrono::milliseconds fresh_for, std::chrono::milliseconds wait)
    : session_(std::move(conninfo), "outboxd-dashboard"),
      deadline_(deadline),
      reader_([this](const OverviewReading &last, bool first,
                     const std::atomic<bool> &stopping) { return take(last, first, stopping); },
              fresh_for, wait) {}

void DashboardOverview::read_counts(OverviewReading &into, Clock::time_point deadline,
                                    const std::atomic<bool> &stopping) {
  const std::string sql = transaction_settings_sql(SessionRole::Gauges) + query_text("message_overview_counts") +
                          ";\n" + query_text("destination_controls_list");
  const std::vector<BoundedRows> results = session_.run(sql, deadline, &stopping);
  if (results.size() != 2) throw BoundedFailure{"unreachable", "the overview's statements returned no rows", ""};
  into.destinations.clear();
  for (const BoundedRow &row : results[0]) {
    DestinationCounts &d = into.destinations[row.at(0).value_or("")];
    d.pending_due = as_count(row.at(1));
    d.scheduled = as_count(row.at(2));
    d.retrying = as_count(row.at(3));
    d.dead = as_count(row.at(4));
    d.cancelled = as_count(row.at(5));
    if (row.at(6)) d.oldest_pending_seconds = std::stod(*row.at(6));
  }
  into.paused.clear();
  for (const BoundedRow &row : results[1]) into.paused[row.at(0).value_or("")] = row.at(1).value_or("f") == "t";
}

void DashboardOverview::read_delivered(OverviewReading &into, Clock::time_point deadline,
                                       const std::atomic<bool> &stopping) {
  // From where the last reading's count is no longer sure (a transaction that began before it may
  // have committed since), or on the first read from as far back as first_window_seconds_ allows.
  std::optional<double> &since = into.delivered_counted_since_unix;
  const bool counted_before = since.has_value() && !into.delivered_by_second.empty();
  const int64_t resume = counted_before ? into.delivered_by_second.rbegin()->first - kRecountSeconds : 0;
  const double from = counted_before ? std::max<double>(*since, static_cast<double>(resume))
                                     : std::floor(unix_now()) - static_cast<double>(first_window_seconds_);
  const std::vector<BoundedRows> results = session_.run(delivered_sql(from), deadline, &stopping);
  if (results.size() != 2 || results[0].empty() || !results[0][0].at(0))
    throw BoundedFailure{"unreachable", "the delivered counts' statements returned no rows", ""};
  const double db_now = std::stod(*results[0][0].at(0));
  const auto first_counted = static_cast<int64_t>(std::ceil(from));
  into.delivered_by_second.erase(into.delivered_by_second.lower_bound(first_counted),
                                 into.delivered_by_second.end());
  for (const BoundedRow &row : results[1])
    into.delivered_by_second[std::stoll(row.at(1).value_or("0"))][row.at(0).value_or("")] = as_count(row.at(2));
  // A second counted at all, even with nothing delivered, keeps the resume point moving.
  into.delivered_by_second[static_cast<int64_t>(std::floor(db_now))];
  const auto hour_ago = static_cast<int64_t>(std::floor(db_now)) - kHour;
  into.delivered_by_second.erase(into.delivered_by_second.begin(), into.delivered_by_second.upper_bound(hour_ago));
  since = std::max<double>(counted_before ? *since : from, static_cast<double>(hour_ago));

  for (auto &[name, d] : into.destinations) d.delivered_last_minute = d.delivered_last_hour = 0;
  for (const auto &[second, per_destination] : into.delivered_by_second)
    for (const auto &[name, n] : per_destination) {
      DestinationCounts &d = into.destinations[name];
      d.delivered_last_hour += n;
      if (second > static_cast<int64_t>(std::floor(db_now)) - 60) d.delivered_last_minute += n;
    }
}

OverviewReading DashboardOverview::take(const OverviewReading &last, bool first, const std::atomic<bool> &stopping) {
  const bool was_reachable = last.reachable || first;
  OverviewReading into = last;
  try {
    read_counts(into, Clock::now() + deadline_, stopping);
    read_delivered(into, Clock::now() + deadline_, stopping);
    into.reachable = true;
    into.read_at_unix = unix_now();
    if (!was_reachable) spdlog::info("dashboard: the database answers again; the overview is current");
    return into;
  } catch (const BoundedFailure &f) {
    if (was_reachable && !stopping)
      spdlog::warn("dashboard: could not read the overview ({}: {}); it shows the last reading until the database "
                   "answers",
                   f.database, f.detail);
  } catch (const std::exception &e) {
    if (was_reachable) spdlog::warn("dashboard: could not read the overview: {}", e.what());
  }
  // A first count of the hour that failed may have been too large for the deadline: try less.
  if (!last.delivered_counted_since_unix && first_window_seconds_ > 60) first_window_seconds_ /= 2;
  OverviewReading kept = last;  // the last good figures stay, with the time they were read
  kept.reachable = false;
  return kept;
}

}  // namespace outboxd::api
