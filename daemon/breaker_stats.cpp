// Every daemon's circuit breakers in `outboxd stats` (daemon/breaker_stats.hpp).
#include "daemon/breaker_stats.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "core/utf8.hpp"

namespace outboxd::cli {

std::map<std::string, std::vector<queries::BreakerStateRow>> breakers_by_destination(pqxx::transaction_base &tx) {
  std::map<std::string, std::vector<queries::BreakerStateRow>> out;
  for (auto &row : queries::breaker_states_list(tx)) out[row.destination].push_back(std::move(row));
  return out;
}

nlohmann::json breaker_json(const queries::BreakerStateRow &row) {
  nlohmann::json j = {{"daemon", row.daemon},
                      {"state", row.state},
                      {"since", row.changed_at},
                      {"since_seconds", row.changed_seconds_ago},
                      {"reason", row.reason},
                      {"refreshed_seconds_ago", row.refreshed_seconds_ago},
                      {"stale", row.refreshed_seconds_ago > kBreakerRowStaleSeconds}};
  if (row.next_probe_at) j["next_probe_at"] = *row.next_probe_at;
  if (row.next_probe_in_seconds) j["next_probe_in_seconds"] = *row.next_probe_in_seconds;
  return j;
}

void print_breakers(const std::map<std::string, std::vector<queries::BreakerStateRow>> &breakers) {
  if (breakers.empty()) return;
  std::printf("\n%-24s %-24s %-10s %-12s %s\n", "BREAKER OF", "DAEMON", "STATE", "SINCE", "NEXT PROBE / REASON");
  for (const auto &[destination, rows] : breakers)
    for (const auto &b : rows) {
      std::string detail;
      if (b.next_probe_in_seconds)
        detail = *b.next_probe_in_seconds > 0 ? fmt::format("in {:.1f}s; ", *b.next_probe_in_seconds) : "due; ";
      detail += b.reason;
      if (b.refreshed_seconds_ago > kBreakerRowStaleSeconds)
        detail += fmt::format(" (not refreshed for {:.0f}s: the daemon may have stopped)", b.refreshed_seconds_ago);
      // Names and reasons come from the table, where any text may have been written: escaped.
      std::printf("%-24s %-24s %-10s %-12s %s\n", log_safe(destination).c_str(), log_safe(b.daemon).c_str(),
                  log_safe(b.state).c_str(), fmt::format("{:.1f}s ago", b.changed_seconds_ago).c_str(),
                  log_safe(detail, 400).c_str());
    }
}

}  // namespace outboxd::cli
