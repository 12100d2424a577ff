// One-shot subcommands: migrate, check-config, enqueue, stats.
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/db.hpp"
#include "core/destinations.hpp"
#include "core/migrations.hpp"
#include "core/outbox_store.hpp"
#include "daemon/commands.hpp"
#include "daemon/startup_checks.hpp"

namespace outboxd::cli {

int run_migrate(const Config &config) {
  auto conn = open_connection(config.database_url);
  auto applied = apply_migrations(*conn);
  if (applied.empty()) {
    std::cout << "schema is up to date\n";
  } else {
    std::cout << "applied " << applied.size() << " migration(s), now at version " << applied.back() << "\n";
  }
  return kExitOk;
}

int run_check_config(const Config &config) {
  // A database that accepts and never answers must not hang the check: libpq's connect_timeout in
  // seconds, unless the conninfo or the environment sets one. Before plugin init (threads).
  setenv("PGCONNECT_TIMEOUT", "10", 0);
  auto destinations = Destinations::load(config);  // loads and inits every plugin, then shuts down
  // What `run` checks once connected (daemon/startup_checks.hpp), changing nothing.
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = open_connection(config.database_url);
  } catch (const DbConnectionLost &e) {
    throw DbConnectionLost(std::string(e.what()) + " (check-config needs the database to check the schema "
                           "and the on_outcome statements; the file and its plugins are valid)");
  }
  const std::size_t migrations_to_apply = check_schema(config, *conn);
  check_on_outcome_statements(config, *conn);

  std::cout << config.source << ": OK, " << destinations->names().size() << " destination(s)";
  for (const auto &[name, d] : destinations->all())
    std::cout << "\n  " << name << ": plugin " << d.instance->plugin().table().name << " "
              << d.instance->plugin().table().version << " (" << d.instance->plugin().path() << ")";
  if (migrations_to_apply > 0)
    std::cout << "\n  run will first apply " << migrations_to_apply << " pending schema migration(s)";
  std::cout << "\n";
  return kExitOk;
}

namespace {

std::optional<std::string> option(const Args &args, const std::string &name) {
  auto it = args.options.find(name);
  if (it == args.options.end()) return std::nullopt;
  return it->second;
}

int to_int(const std::string &flag, const std::string &value) {
  size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(value, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used != value.size() || value.empty())
    throw std::invalid_argument("--" + flag + ": expected an integer, got \"" + value + "\"");
  return n;
}

std::string json_object_text(const std::string &flag, const std::string &text, bool must_be_object) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw std::invalid_argument("--" + flag + ": not valid JSON: " + text);
  if (must_be_object && !j.is_object()) throw std::invalid_argument("--" + flag + ": must be a JSON object");
  return j.dump();
}

}  // namespace

int run_enqueue(const Config &config, const Args &args) {
  EnqueueRequest req;
  auto dest = option(args, "destination");
  auto payload = option(args, "payload");
  if (!dest || !payload) throw std::invalid_argument("enqueue needs --destination NAME and --payload JSON");
  req.destination = *dest;
  req.payload_json = json_object_text("payload", *payload, false);
  if (auto h = option(args, "headers")) req.headers_json = json_object_text("headers", *h, true);
  req.idempotency_key = option(args, "idempotency-key");
  req.ordering_key = option(args, "ordering-key");
  req.available_at = option(args, "available-at");
  if (auto p = option(args, "priority")) req.priority = to_int("priority", *p);
  if (auto m = option(args, "max-attempts")) req.max_attempts = to_int("max-attempts", *m);
  if (!config.destinations.count(req.destination))
    spdlog::warn("destination '{}' is not in {}: the message will wait until a daemon configures it",
                 req.destination, config.source);

  auto conn = open_connection(config.database_url);
  pqxx::work tx(*conn);
  auto r = enqueue(tx, req);
  tx.commit();
  std::cout << r.id << (r.created ? "" : " (already enqueued with this idempotency key)") << "\n";
  return kExitOk;
}

int run_stats(const Config &config, const Args &args) {
  auto conn = open_connection(config.database_url);
  pqxx::read_transaction tx(*conn);
  auto rows = message_stats(tx);
  if (args.options.count("json")) {
    auto out = nlohmann::json::array();
    for (const auto &r : rows) {
      nlohmann::json j = {{"destination", r.destination}, {"state", r.state}, {"count", r.count},
                          {"configured", config.destinations.count(r.destination) > 0}};
      if (r.oldest_pending_seconds) j["oldest_pending_seconds"] = *r.oldest_pending_seconds;
      if (r.state == "delivered") j["delivered_last_minute"] = r.delivered_last_minute;
      out.push_back(j);
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("%-24s %-10s %10s  %s\n", "DESTINATION", "STATE", "COUNT", "OLDEST PENDING");
  for (const auto &r : rows) {
    std::string age = r.oldest_pending_seconds ? fmt::format("{:.1f}s", *r.oldest_pending_seconds) : "";
    if (!config.destinations.count(r.destination) && r.state == "pending") age += " (destination not configured)";
    std::printf("%-24s %-10s %10lld  %s\n", r.destination.c_str(), r.state.c_str(), r.count, age.c_str());
  }
  if (rows.empty()) std::printf("(no messages)\n");
  return kExitOk;
}

}  // namespace outboxd::cli
