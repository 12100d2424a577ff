// Connection and session settings of the running daemon (core/connection_settings.hpp).
#include "core/connection_settings.hpp"

#include <algorithm>
#include <mutex>

#include "core/db.hpp"
#include "core/named_query.hpp"

namespace outboxd {
namespace {

struct Keepalive {
  long long idle_s, interval_s, count;
};

// Probing starts after a third of the timeout and fills the rest, so that a dead peer is given up
// at about the timeout even where tcp_user_timeout is not honoured (it is by Linux).
Keepalive keepalive_for(std::chrono::milliseconds dead_after) {
  const long long total_s = std::max<long long>(3, dead_after.count() / 1000);
  Keepalive k{};
  k.idle_s = std::max<long long>(1, total_s / 3);
  k.interval_s = std::max<long long>(1, total_s / 6);
  k.count = std::max<long long>(1, (total_s - k.idle_s) / k.interval_s);
  return k;
}

}  // namespace

std::string daemon_conninfo(const Config &config) {
  const Keepalive k = keepalive_for(config.dead_connection_timeout);
  const long long connect_s = std::clamp<long long>(config.dead_connection_timeout.count() / 3000, 2, 10);
  std::string c = config.database_url;
  c = conninfo_with_default(c, "connect_timeout", std::to_string(connect_s));
  c = conninfo_with_default(c, "keepalives", "1");
  c = conninfo_with_default(c, "keepalives_idle", std::to_string(k.idle_s));
  c = conninfo_with_default(c, "keepalives_interval", std::to_string(k.interval_s));
  c = conninfo_with_default(c, "keepalives_count", std::to_string(k.count));
  return conninfo_with_default(c, "tcp_user_timeout", std::to_string(config.dead_connection_timeout.count()));
}

namespace {
// Set once at start (set_engine_limits), read by every connection the engine opens afterwards.
std::mutex g_limits_mutex;
std::chrono::milliseconds g_statement_timeout = Config{}.statement_timeout;
std::chrono::milliseconds g_dead_connection_timeout = Config{}.dead_connection_timeout;
}  // namespace

void set_engine_limits(const Config &config) {
  std::lock_guard<std::mutex> lock(g_limits_mutex);
  g_statement_timeout = config.statement_timeout;
  g_dead_connection_timeout = config.dead_connection_timeout;
}

std::vector<SessionSetting> engine_limit_settings() {
  std::lock_guard<std::mutex> lock(g_limits_mutex);
  std::vector<SessionSetting> out{{"statement_timeout", std::to_string(g_statement_timeout.count())}};
  if (current_pooler() == Pooler::Transaction) return out;
  // The server's keepalive settings apply to TCP sessions only; on a Unix socket they are ignored.
  const Keepalive k = keepalive_for(g_dead_connection_timeout);
  out.push_back({"tcp_keepalives_idle", std::to_string(k.idle_s)});
  out.push_back({"tcp_keepalives_interval", std::to_string(k.interval_s)});
  out.push_back({"tcp_keepalives_count", std::to_string(k.count)});
  out.push_back({"tcp_user_timeout", std::to_string(g_dead_connection_timeout.count())});
  return out;
}

std::unique_ptr<pqxx::connection> open_command_connection(const Config &config) {
  return open_connection(daemon_conninfo(config), config.database_url);
}

std::unique_ptr<pqxx::connection> open_daemon_connection(const Config &config, SessionRole role) {
  auto conn = open_command_connection(config);
  apply_session_settings(*conn, role);
  return conn;
}

}  // namespace outboxd
