// The circuit breakers of every daemon on the database, as `outboxd stats` shows them: read from
// outbox.breaker_states, which each running daemon keeps up to date (core/breaker_publisher.hpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/queries.hpp"

namespace outboxd::cli {

// Over this, a row's daemon has missed three refreshes (every 30 s): it has probably stopped.
constexpr double kBreakerRowStaleSeconds = 90;

// Every daemon's breaker rows, by destination.
std::map<std::string, std::vector<queries::BreakerStateRow>> breakers_by_destination(pqxx::transaction_base &tx);

// {"daemon", "state", "since", "since_seconds", "reason", "next_probe_at" and "next_probe_in_seconds"
// (while open), "refreshed_seconds_ago", "stale"}.
nlohmann::json breaker_json(const queries::BreakerStateRow &row);

// The text table after the message counts; nothing when no daemon reported a breaker.
void print_breakers(const std::map<std::string, std::vector<queries::BreakerStateRow>> &breakers);

}  // namespace outboxd::cli
