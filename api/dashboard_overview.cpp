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

// The probe session runs simple queries, which take no parameters: the statement's parameters,
// numbers this file computed, go into its text.
std::string delivered_sql(std::optional<int64_t> from_second, int64_t window_seconds) {
  std::string text = query_text("message_delivered_per_second");
  const auto put = [&](const std::string &param, const std::string &value) {
    auto at = text.find(param);
    if (at == std::string::npos) throw std::logic_error("message_delivered_per_second.sql lost " + param);
    for (; at != std::string::npos; at = text.find(param, at + value.size())) text.replace(at, param.size(), value);
  };
  put("$1::double precision", from_second ? fmt::format("{}::double precision", *from_second) : "NULL::double precision");
  put("$2::double precision", fmt::format("{}::double precision", window_seconds));
  return transaction_settings_sql(SessionRole::Gauges) + text;
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
  // From where the last count is no longer sure (a transaction may commit a moment after the
  // outcome it wrote), or on the first read from as far back as first_window_seconds_; never more
  // than an hour back by the database's clock, however long ago the last reading was.
  const bool counted_before = counted_since_.has_value() && !delivered_by_second_.empty();
  std::optional<int64_t> resume;
  if (counted_before) resume = std::max(*counted_since_, delivered_by_second_.rbegin()->first - kRecountSeconds);
  const std::vector<BoundedRows> results =
      session_.run(delivered_sql(resume, counted_before ? kHour : first_window_seconds_), deadline, &stopping);
  if (results.size() != 1 || results[0].empty() || results[0][0].at(0))
    throw BoundedFailure{"unreachable", "the delivered counts' statement returned no window", ""};
  const int64_t first = std::stoll(results[0][0].at(1).value_or("0"));
  const int64_t db_now = std::stoll(results[0][0].at(2).value_or("0"));
  delivered_by_second_.erase(delivered_by_second_.lower_bound(first), delivered_by_second_.end());
  for (std::size_t i = 1; i < results[0].size(); ++i) {
    const BoundedRow &row = results[0][i];
    delivered_by_second_[std::stoll(row.at(1).value_or("0"))][row.at(0).value_or("")] = as_count(row.at(2));
  }
  // The database's current second, counted even with nothing delivered: the next resume point.
  delivered_by_second_[db_now];
  const int64_t hour_ago = db_now - kHour;
  delivered_by_second_.erase(delivered_by_second_.begin(), delivered_by_second_.upper_bound(hour_ago));
  counted_since_ = std::max(counted_before ? *counted_since_ : first, hour_ago);
  into.delivered_counted_since_unix = static_cast<double>(*counted_since_);
  into.delivered_whole_hour = *counted_since_ <= hour_ago;

  for (auto &[name, d] : into.destinations) d.delivered_last_minute = d.delivered_last_hour = 0;
  for (const auto &[second, per_destination] : delivered_by_second_)
    for (const auto &[name, n] : per_destination) {
      DestinationCounts &d = into.destinations[name];
      d.delivered_last_hour += n;
      if (second > db_now - 60) d.delivered_last_minute += n;
    }
}

OverviewReading DashboardOverview::take(const OverviewReading &last, bool first, const std::atomic<bool> &stopping) {
  const bool was_reachable = last.reachable || first;
  OverviewReading into = last;
  std::optional<std::string> failed;  // why a read failed
  try {
    read_counts(into, Clock::now() + deadline_, stopping);
  } catch (const BoundedFailure &f) {
    failed = f.database + ": " + f.detail;
  } catch (const std::exception &e) {
    failed = e.what();
  }
  if (failed) {
    if (was_reachable && !stopping)
      spdlog::warn("dashboard: could not read the overview ({}); it shows the last reading until the database "
                   "answers",
                   *failed);
    OverviewReading kept = last;  // the last good figures stay, with the time they were read
    kept.reachable = false;
    return kept;
  }
  try {
    read_delivered(into, Clock::now() + deadline_, stopping);
  } catch (const BoundedFailure &f) {
    failed = f.database + ": " + f.detail;
  } catch (const std::exception &e) {
    failed = e.what();
  }
  if (failed) {
    // The counts are current; the delivered figures stay as last read. Counting starts over, from
    // a shorter window: a database too slow to count a busy hour in time still shows the last
    // minutes rather than never anything.
    if (!stopping)
      spdlog::warn("dashboard: could not count the last hour's deliveries ({}); counting again from the last {} s",
                   *failed, std::max<int64_t>(60, first_window_seconds_ / 2));
    delivered_by_second_.clear();
    counted_since_.reset();
    first_window_seconds_ = std::max<int64_t>(60, first_window_seconds_ / 2);
    for (auto &[name, d] : into.destinations) {
      const auto before = last.destinations.find(name);
      if (before == last.destinations.end()) continue;
      d.delivered_last_minute = before->second.delivered_last_minute;
      d.delivered_last_hour = before->second.delivered_last_hour;
    }
  }
  into.reachable = true;
  into.read_at_unix = unix_now();
  if (!was_reachable) spdlog::info("dashboard: the database answers again; the overview is current");
  return into;
}

}  // namespace outboxd::api
