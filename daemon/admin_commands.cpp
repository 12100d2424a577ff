// One-shot subcommands: migrate, check-config, enqueue, stats.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/available_at.hpp"
#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/destination_name.hpp"
#include "core/destinations.hpp"
#include "core/migrations.hpp"
#include "core/outbox_store.hpp"
#include "core/queries.hpp"
#include "core/sql_errors.hpp"
#include "core/utf8.hpp"
#include "daemon/breaker_stats.hpp"
#include "daemon/commands.hpp"
#include "daemon/enqueue_flags.hpp"
#include "daemon/startup_checks.hpp"

namespace outboxd::cli {

int run_migrate(const Config &config) {
  auto conn = open_command_connection(config);
  auto applied = apply_migrations(*conn);
  if (applied.empty()) {
    std::cout << "schema is up to date\n";
  } else {
    std::cout << "applied " << applied.size() << " migration(s), now at version " << applied.back() << "\n";
  }
  return kExitOk;
}

int run_check_config(const Config &config, bool offline) {
  // A database that accepts and never answers must not hang the check: libpq's connect_timeout in
  // seconds, unless the conninfo or the environment sets one. Before plugin init (threads).
  if (!offline) setenv("PGCONNECT_TIMEOUT", "10", 0);
  check_api_listen(config);
  auto destinations = Destinations::load(config);  // loads and inits every plugin, then shuts down
  // What `run` checks once connected (daemon/startup_checks.hpp), changing nothing.
  std::size_t migrations_to_apply = 0;
  if (!offline) {
    std::unique_ptr<pqxx::connection> conn;
    try {
      conn = open_command_connection(config);
    } catch (const DbConnectionLost &e) {
      throw DbConnectionLost(std::string(e.what()) + " (check-config needs the database to check the schema "
                             "and the on_outcome statements; the file and its plugins are valid; "
                             "--offline checks only those)");
    }
    migrations_to_apply = check_schema(config, *conn);
    check_on_outcome_statements(config, *conn);
  }

  std::cout << config.source << ": OK, " << destinations->names().size() << " destination(s)";
  for (const std::string &file : config_drop_ins(config.source)) std::cout << "\n  with " << file;
  for (const auto &[name, d] : destinations->all())
    std::cout << "\n  " << name << ": plugin " << d.instance->plugin().table().name << " "
              << d.instance->plugin().table().version << " (" << d.instance->plugin().path() << ")"
              << (d.config.source != config.source ? " from " + d.config.source : "");
  if (migrations_to_apply > 0)
    std::cout << "\n  run will first apply " << migrations_to_apply << " pending schema migration(s)";
  if (offline)
    std::cout << "\n  offline: the file, api.listen and the plugins only; the database was not contacted, "
                 "so the schema and the on_outcome statements are unchecked";
  std::cout << "\n";
  return kExitOk;
}

int run_enqueue(const Config &config, const Args &args) {
  const EnqueueRequest req = enqueue_request(args);  // the API's rules; throws naming the flag
  if (!is_destination_name(req.destination))
    throw std::invalid_argument("--destination: '" + log_safe(req.destination) +
                                "' can never be a configured destination: " + std::string(kDestinationNameRule));
  if (!config.destinations.count(req.destination)) {
    spdlog::warn("destination '{}' is not in {}: the message will wait until a daemon configures it",
                 req.destination, config.source);
  } else if (auto plugin = Destinations::load_validator(config, req.destination)) {
    // The check POST /v1/messages makes: a message its plugin can never send is refused now.
    if (auto refusal = plugin->validate(req.payload_json, req.headers_json))
      throw std::invalid_argument(name_flag(*refusal));
  }

  auto conn = open_command_connection(config);
  EnqueueResult r;
  std::string refused;  // PostgreSQL's line when it refused a value; the transaction is over then
  try {
    pqxx::work tx(*conn);
    r = enqueue(tx, req);
    tx.commit();
  } catch (const InvalidAvailableAt &e) {  // PostgreSQL judges the time: a usage error, exit 2
    throw std::invalid_argument(std::string("--available-at: ") + e.what());
  } catch (const pqxx::sql_error &e) {
    // A value PostgreSQL refuses (a data exception such as text the database's encoding cannot
    // hold, or a limit) is a usage error naming its flag, as POST /v1/messages names the field.
    if (!is_refused_value_error(e.sqlstate())) throw;
    refused = sql_error_line(e);
  }
  if (!refused.empty()) {
    const auto field = find_refused_field(*conn, req);
    throw std::invalid_argument(name_flag(field ? field->field + ": " + field->reason : "payload: " + refused));
  }
  std::cout << r.id << (r.created ? "" : " (already enqueued with this idempotency key)") << "\n";
  return kExitOk;
}

namespace {

// Paused destinations and when each pause began ("" when a hand-written pause did not say).
std::map<std::string, std::string> paused_destinations(pqxx::transaction_base &tx) {
  std::map<std::string, std::string> out;
  for (const auto &c : destination_controls_list(tx))
    if (c.paused) out[c.destination] = c.paused_at.value_or("");
  return out;
}

// A pause or a breaker must show even where nothing is pending: every such destination without a
// pending row gets one with count 0, after its other rows (the states come in text order, pending
// last).
template <typename Map>
void add_pending_rows_for(std::vector<StatsRow> &rows, const Map &destinations) {
  for (const auto &entry : destinations) {
    const std::string &name = entry.first;
    const bool has_pending = std::any_of(rows.begin(), rows.end(), [&](const StatsRow &r) {
      return r.destination == name && r.state == "pending";
    });
    if (has_pending) continue;
    const auto after = std::find_if(rows.begin(), rows.end(), [&](const StatsRow &r) { return r.destination > name; });
    StatsRow row;
    row.destination = name;
    row.state = "pending";
    rows.insert(after, row);
  }
}

}  // namespace

int run_stats(const Config &config, const Args &args) {
  auto conn = open_command_connection(config);
  pqxx::read_transaction tx(*conn);
  auto rows = message_stats(tx);
  const auto paused = paused_destinations(tx);
  add_pending_rows_for(rows, paused);
  // Without them the messages are still shown, with the reason: a database not yet migrated to
  // 0006, or a standby.
  const std::optional<std::string> no_breakers = queries::breaker_states_unreadable(tx);
  const auto breakers = no_breakers ? std::map<std::string, std::vector<queries::BreakerStateRow>>{}
                                    : breakers_by_destination(tx);
  add_pending_rows_for(rows, breakers);
  if (args.options.count("json")) {
    auto out = nlohmann::json::array();
    for (const auto &r : rows) {
      const auto pause = paused.find(r.destination);
      nlohmann::json j = {{"destination", r.destination}, {"state", r.state}, {"count", r.count},
                          {"configured", config.destinations.count(r.destination) > 0},
                          {"paused", pause != paused.end()}};
      if (r.oldest_pending_seconds) j["oldest_pending_seconds"] = *r.oldest_pending_seconds;
      if (r.state == "delivered") j["delivered_last_minute"] = r.delivered_last_minute;
      if (pause != paused.end() && !pause->second.empty()) j["paused_at"] = pause->second;
      // Per daemon (each has its own); none: no daemon's breaker changed state (closed, or off).
      const auto breaker = breakers.find(r.destination);
      if (breaker != breakers.end())
        for (const auto &b : breaker->second) j["breakers"].push_back(breaker_json(b));
      out.push_back(j);
    }
    std::cout << out.dump(2) << "\n";
    if (no_breakers) std::cerr << "outboxd stats: no breaker states: " << *no_breakers << "\n";
    return kExitOk;
  }
  std::printf("%-24s %-10s %10s  %s\n", "DESTINATION", "STATE", "COUNT", "OLDEST PENDING");
  for (const auto &r : rows) {
    std::string age = r.oldest_pending_seconds ? fmt::format("{:.1f}s", *r.oldest_pending_seconds) : "";
    if (!config.destinations.count(r.destination) && r.state == "pending") age += " (destination not configured)";
    const auto pause = paused.find(r.destination);
    if (pause != paused.end() && r.state == "pending")
      age += pause->second.empty() ? " (paused)" : " (paused since " + log_safe(pause->second) + ")";
    // Names come from the table, where any text may have been written: escaped for the terminal.
    std::printf("%-24s %-10s %10lld  %s\n", log_safe(r.destination).c_str(), r.state.c_str(), r.count, age.c_str());
  }
  if (rows.empty()) std::printf("(no messages)\n");
  if (no_breakers)
    std::printf("\n(no breaker states: %s)\n", no_breakers->c_str());
  else
    print_breakers(breakers);
  return kExitOk;
}

}  // namespace outboxd::cli
