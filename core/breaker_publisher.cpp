// This daemon's breaker states, written to PostgreSQL for `outboxd stats`
// (core/breaker_publisher.hpp).
#include "core/breaker_publisher.hpp"

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <random>

#include <pqxx/pqxx>

#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/logging.hpp"
#include "core/queries.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {
namespace {

constexpr std::chrono::seconds kRefreshEvery{30};
constexpr long long kForgetAfterSeconds = 600;  // 20 missed refreshes: that daemon is gone
constexpr std::chrono::seconds kRetryAfter{5};

long long ms_between(BreakerBoard::Clock::time_point from, BreakerBoard::Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

std::string this_daemon_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "unknown");
  // A random part per start: in containers hostname and pid repeat (pid 1, a fixed hostname), and
  // two daemons of one name would overwrite each other's rows and delete them at a clean stop.
  char start[9];
  std::snprintf(start, sizeof start, "%08x", static_cast<unsigned>(std::random_device{}()));
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + start;
}

BreakerPublisher::BreakerPublisher(const Config &config, BreakerBoard &board)
    : config_(config), board_(board), daemon_(this_daemon_name()) {
  board_.restart();
  thread_ = std::thread([this] { run(); });
}

BreakerPublisher::~BreakerPublisher() {
  board_.stop();
  if (thread_.joinable()) thread_.join();
}

void BreakerPublisher::run() {
  auto log = component_logger("breakers");
  std::unique_ptr<pqxx::connection> conn;
  bool failing = false;
  auto next_refresh = BreakerBoard::Clock::now() + kRefreshEvery;
  std::vector<BreakerBoard::Entry> entries;
  for (;;) {
    const auto now = BreakerBoard::Clock::now();
    const bool refresh = now >= next_refresh;
    const auto wait = refresh ? std::chrono::milliseconds(0)
                              : std::chrono::duration_cast<std::chrono::milliseconds>(next_refresh - now);
    if (!board_.take(wait, refresh, entries)) break;
    if (entries.empty() && !refresh) continue;
    try {
      if (!conn) conn = open_daemon_connection(config_, SessionRole::Pruner);
      // A transaction, so the statement timeout holds behind a transaction pooler too (SET LOCAL).
      pqxx::work tx(*conn);
      apply_transaction_settings(tx, SessionRole::Pruner);
      const auto at = BreakerBoard::Clock::now();
      for (const BreakerBoard::Entry &e : entries) {
        std::optional<long long> next_probe;
        if (e.state == BreakerState::Open) next_probe = ms_between(at, e.next_probe_at);
        queries::breaker_state_publish(tx, daemon_, e.destination, breaker_state_name(e.state), e.reason,
                                       ms_between(e.changed_at, at), next_probe);
      }
      if (refresh) queries::breaker_states_prune(tx, kForgetAfterSeconds);
      tx.commit();
      if (failing) log->info("breaker states are written to the database again");
      failing = false;
    } catch (const std::exception &e) {
      conn.reset();
      board_.put_back(entries);
      // Delivery goes on; only `outboxd stats` is behind until a write succeeds.
      log->log(failing ? spdlog::level::debug : spdlog::level::warn,
               "writing the breaker states for outboxd stats failed ({}); delivery is not affected; trying "
               "again in {} s", one_line(e), kRetryAfter.count());
      failing = true;
      if (!board_.sleep(kRetryAfter)) break;
      continue;
    }
    if (refresh) next_refresh = BreakerBoard::Clock::now() + kRefreshEvery;
  }
  // Stopping cleanly: this daemon's breakers stop with it. Only on the connection there is, and
  // for 2 s at most: the stop must not wait on a database that is down (other daemons delete the
  // rows once they are stale).
  if (!conn) return;
  try {
    pqxx::work tx(*conn);
    tx.exec("SET LOCAL statement_timeout = 2000");
    queries::breaker_states_forget_daemon(tx, daemon_);
    tx.commit();
  } catch (const std::exception &e) {
    log->debug("deleting this daemon's breaker states failed ({}); other daemons delete them within {} s", one_line(e),
               kForgetAfterSeconds);
  }
}

}  // namespace outboxd
