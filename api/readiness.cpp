// The readiness check behind GET /readyz (api/readiness.hpp).
#include "api/readiness.hpp"

#include <spdlog/spdlog.h>

#include "core/db.hpp"
#include "core/migrations.hpp"

namespace outboxd::api {
namespace {

// A readiness check must answer within a load balancer's probe timeout (often 1-5 s).
constexpr int kConnectTimeoutSeconds = 2;
constexpr const char *kStatementTimeout = "SET statement_timeout = 2000";
// While not ready, the details are logged again at most this often (the state changes always are).
constexpr std::chrono::seconds kRelogEvery{60};

}  // namespace

ReadinessProbe::ReadinessProbe(std::string conninfo, std::chrono::milliseconds cache_for)
    : conninfo_(std::move(conninfo)), cache_for_(cache_for) {}

Readiness ReadinessProbe::check() {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (have_result_ && now - checked_at_ < cache_for_) return last_;
  last_ = probe();
  checked_at_ = std::chrono::steady_clock::now();
  have_result_ = true;
  return last_;
}

Readiness ReadinessProbe::probe() {
  Readiness r;
  r.database = "unreachable";
  r.schema = "unknown";
  std::string detail;
  try {
    if (conn_ && !conn_->is_open()) conn_.reset();
    if (!conn_) {
      // A plain connection: the probe runs no prepared outbox query, and the application name lets
      // an operator tell its session apart in pg_stat_activity. Opened as every other one, so its
      // logged failure never quotes the password.
      const std::string conninfo = conninfo_with_default(
          conninfo_with_default(conninfo_, "connect_timeout", std::to_string(kConnectTimeoutSeconds)),
          "application_name", "outboxd-readyz");
      conn_ = open_plain_connection(conninfo);
      pqxx::nontransaction tx(*conn_);
      tx.exec(kStatementTimeout);
    }
    const MigrationStatus status = migration_status(*conn_);
    r.database = "ok";
    r.schema = status.pending.empty() ? "ok" : std::to_string(status.pending.size()) + " migration(s) pending";
    r.ready = status.pending.empty();
    if (!r.ready) detail = "the outbox schema lacks " + r.schema + "; run `outboxd migrate`";
  } catch (const std::exception &e) {
    conn_.reset();  // a failed check may leave the session in any state: start afresh next time
    detail = e.what();
  }
  log_change(r, detail);
  return r;
}

void ReadinessProbe::log_change(const Readiness &now, const std::string &detail) {
  const auto t = std::chrono::steady_clock::now();
  const bool changed = !have_result_ || now.ready != last_.ready;
  if (now.ready) {
    if (changed && have_result_) spdlog::info("readyz: ready again (database ok, schema current)");
    return;
  }
  if (!changed && t - logged_at_ < kRelogEvery) return;
  logged_at_ = t;
  spdlog::warn("readyz: not ready: {}", detail);
}

}  // namespace outboxd::api
