// `outboxd run`: connect, migrate, load plugins, run the engine until SIGTERM/SIGINT.
#include <csignal>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <spdlog/spdlog.h>

#include "api/http_server.hpp"
#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/destinations.hpp"
#include "core/breaker_publisher.hpp"
#include "core/engine.hpp"
#include "core/logging.hpp"
#include "core/queries.hpp"
#include "daemon/commands.hpp"
#include "daemon/interruptible.hpp"
#include "daemon/signals.hpp"
#include "daemon/startup_checks.hpp"

namespace outboxd::cli {
namespace {

// Start and reload connections give up on a database that does not answer within this long, so a
// hung host is retried (and logged) rather than waited for without end.
constexpr const char *kConnectTimeoutSeconds = "10";

std::string bounded(const std::string &conninfo) {
  return conninfo_with_default(conninfo, "connect_timeout", kConnectTimeoutSeconds);
}

// systemd's status line (systemctl status) in one line, whatever libpq's message held.
void notify_status(std::string status) {
  std::replace(status.begin(), status.end(), '\n', ' ');
  notify_systemd(("STATUS=" + status).c_str());
}

// Connects, migrates or checks the schema, and checks the on_outcome statements, waiting for the
// database at start (it may still be booting). False when SIGTERM or SIGINT came first. Each try
// runs off the main thread, so a signal is taken at once even while the database does not answer.
bool prepare_database(const std::shared_ptr<const Config> &config) {
  std::chrono::milliseconds delay{500};
  notify_status("connecting to the database");
  for (;;) {
    try {
      return run_unless_stopped("connecting to and checking the database", [config] {
        auto conn = open_connection(bounded(config->database_url));
        prepare_schema(*config, *conn);               // or SchemaOutdated: exit 1
        check_on_outcome_statements(*config, *conn);  // or ConfigError: exit 2
        if (config->wakeup_mode == WakeupMode::Poll) {
          // A polling daemon wants no NOTIFY: clear a flag an earlier notify-mode daemon left raised.
          pqxx::nontransaction tx(*conn);
          queries::wake_flag_set(tx, false);
        }
      });
    } catch (const DbConnectionLost &e) {
      spdlog::error("{}; retrying in {} ms", e.what(), delay.count());
      // General words: systemctl status is readable by every local user; the log has the details.
      notify_status("waiting for the database (not reached yet; the log says why), retrying");
      if (wait_for_signal(delay)) return false;
      delay = std::min(delay * 2, std::chrono::milliseconds(10000));
    }
  }
}

// Before a forced exit: the messages a plugin was handed and whose outcome will not be written. They
// may have reached their receivers, and they will be sent again.
void warn_of_messages_in_flight(Engine &engine) {
  std::vector<std::string> ids = engine.state().in_flight_ids();
  for (const Claimed &c : engine.state().kept.all()) ids.push_back(c.id);  // sent, outcome not written
  std::string list;
  for (const std::string &id : ids) list += (list.empty() ? "" : " ") + id;
  if (!ids.empty())
    spdlog::warn("{} message(s) were being sent, or sent without their outcome written, when the daemon gave up "
                 "on them; they may have reached their "
                 "receivers and will be sent again (receivers drop duplicates by id): {}",
                 ids.size(), list);
  spdlog::default_logger()->flush();
}

// Keys that only a restart can change keep their running values (with a warning).
void carry_over_restart_only_keys(const Config &running, Config &loaded) {
  for (const auto &key : restart_only_changes(running, loaded))
    spdlog::warn("reload: {} changed, but only a restart applies it; keeping the running value", key);
  keep_restart_only_values(running, loaded);
}

// SIGHUP: re-read the file; on any error keep running on the old config and say why. Returns
// SIGTERM or SIGINT when one arrived while the new config was being checked against the database
// (the reload is then given up), else 0.
int reload(Engine &engine) {
  notify_systemd("RELOADING=1");
  const auto running = engine.runtime();
  const std::string &path = running->config->source;
  try {
    auto loaded = std::make_shared<Config>(load_config(path));
    carry_over_restart_only_keys(*running->config, *loaded);
    std::shared_ptr<const Config> checked = loaded;
    const bool finished = run_unless_stopped("checking the reloaded config against the database", [checked] {
      auto conn = open_connection(bounded(checked->database_url));
      check_on_outcome_statements(*checked, *conn);
    });
    if (!finished) {
      spdlog::warn("reload: given up; still running on the previous config");
      return SIGTERM;
    }
    std::shared_ptr<const Destinations> destinations = Destinations::load(*loaded, running->destinations.get());
    setup_logging(loaded->log_level, loaded->log_format);
    engine.reload(loaded, destinations);
    spdlog::info("reload: {} applied, {} destination(s)", path, destinations->names().size());
  } catch (const std::exception &e) {
    spdlog::error("reload: {}; still running on the previous config", e.what());
  }
  notify_systemd("READY=1");
  return 0;
}

// Starts the HTTP API on the engine (started or not: its runtime and metrics exist from its
// construction). Null when the address cannot be bound, which is logged.
std::unique_ptr<api::HttpServer> start_api(const Config &config, Engine &engine,
                                           std::shared_ptr<api::ReadinessProbe> readiness) {
  auto pool = std::make_shared<api::DbPool>(daemon_conninfo(config), config.api_threads);
  auto handler = std::make_shared<api::ApiHandler>(
      pool, [&engine] { return engine.runtime(); }, static_cast<std::size_t>(config.api_max_body_bytes),
      config.api_tokens, [&engine] { return engine.state().metrics_snapshot(); }, std::move(readiness),
      std::make_shared<api::DatabaseGauges>(daemon_conninfo(config)),
      std::make_shared<api::DashboardOverview>(daemon_conninfo(config)));
  api::HttpServerOptions options;
  options.listen = config.api_listen;
  options.threads = config.api_threads;
  options.max_body_bytes = static_cast<std::size_t>(config.api_max_body_bytes);
  options.max_connections = config.api_max_connections;
  options.idle_timeout = config.api_idle_timeout;
  auto http = std::make_unique<api::HttpServer>(options, handler);
  try {
    http->start();
  } catch (const api::ApiBindError &e) {
    spdlog::error("api: {}", e.what());
    return nullptr;
  }
  spdlog::info("api: listening on {}", http->bound_address());
  return http;
}

}  // namespace

int run_daemon(const Config &initial) {
  auto config = std::make_shared<const Config>(initial);
  std::shared_ptr<const Destinations> destinations = Destinations::load(*config);
  if (destinations->names().empty())
    spdlog::warn("{} configures no destinations: nothing will be delivered", config->source);
  for (const auto &[name, d] : destinations->all())
    spdlog::info("destination {}: plugin {} {} ({})", name, d.instance->plugin().table().name,
                 d.instance->plugin().table().version, d.instance->plugin().path());

  // Declared in this order so that they go in the reverse one: the API first, then the engine,
  // then the breaker publisher, whose last act deletes this daemon's rows.
  std::optional<BreakerPublisher> breakers;
  Engine engine(config, destinations);
  std::shared_ptr<api::ReadinessProbe> readiness;
  std::unique_ptr<api::HttpServer> http;
  // The API listens before the database is reached: /healthz, /readyz (503, saying the daemon is
  // starting) and /metrics answer while the database does not.
  if (config->api_enabled) {
    readiness = std::make_shared<api::ReadinessProbe>(daemon_conninfo(*config));
    http = start_api(*config, engine, readiness);
    if (!http) return kExitFailure;
  }

  if (!prepare_database(config)) {
    // A try may still wait on the database in its own thread: leave without running destructors
    // under it.
    spdlog::info("stopped before the database was ready");
    spdlog::default_logger()->flush();
    std::_Exit(kExitOk);
  }

  breakers.emplace(*config, breaker_board());
  spdlog::info("breaker changes are written to outbox.breaker_states (outboxd stats) as daemon {}", breakers->daemon());
  engine.start();
  if (readiness) readiness->set_phase(api::ReadinessProbe::Phase::Running);
  spdlog::info("outboxd {} running: {} destination(s), {} worker(s) each, batch size {}, wake-up by {}",
               OUTBOXD_VERSION, destinations->names().size(), config->workers, config->batch_size,
               config->wakeup_mode == WakeupMode::Notify ? "LISTEN/NOTIFY" : "polling");
  notify_status("running: " + std::to_string(destinations->names().size()) + " destination(s)");
  notify_systemd("READY=1");

  int sig = 0;
  while (sig != SIGTERM && sig != SIGINT) {
    sig = next_signal(std::chrono::hours(1));
    if (sig == SIGHUP) sig = reload(engine);
  }
  const auto grace = engine.runtime()->config->shutdown_grace;
  spdlog::info("{} received: claiming nothing new, finishing in-flight batches (up to {} ms); "
               "send it again to exit at once", strsignal(sig), grace.count());
  notify_status("stopping: claiming nothing new, finishing in-flight batches");
  notify_systemd("STOPPING=1");
  if (readiness) readiness->set_phase(api::ReadinessProbe::Phase::Stopping);
  // No new connections or requests; requests being handled get their answers while the engine
  // finishes its batches. A second signal ends both at once.
  if (http) http->begin_stop();
  engine.request_stop();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    const bool http_done = !http || http->wait_stopped(std::chrono::milliseconds(0));
    if (engine.wait_stopped(std::chrono::milliseconds(0)) && http_done) break;
    if (wait_for_signal(std::chrono::milliseconds(50))) {
      spdlog::warn("second signal: exiting now; open claims roll back and their messages stay pending");
      warn_of_messages_in_flight(engine);
      std::_Exit(kExitFailure);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      spdlog::warn("{} within shutdown_grace; exiting, open claims roll back and their messages stay pending",
                   http_done ? "in-flight batches did not finish"
                             : "in-flight batches or API requests (or their answers to slow clients) did not finish");
      warn_of_messages_in_flight(engine);
      spdlog::default_logger()->flush();
      std::_Exit(kExitFailure);
    }
  }
  spdlog::info("stopped cleanly");
  return kExitOk;
}

}  // namespace outboxd::cli
