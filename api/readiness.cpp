// The readiness check behind GET /readyz (api/readiness.hpp), on a bounded session so that the
// whole check, connecting included, ends at a deadline of our own.
#include "api/readiness.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/db.hpp"
#include "core/sql_catalog.hpp"

namespace outboxd::api {
namespace {

using Clock = std::chrono::steady_clock;

// While not ready, the details are logged again at most this often (the state changes always are).
constexpr std::chrono::seconds kRelogEvery{60};
// The versions recorded by the migration runner; the table's absence means "no schema yet". Sent
// after the readiness settings (a server-side statement timeout that backs up our own deadline) in
// one simple query, which PostgreSQL runs as one implicit transaction: SET LOCAL holds for the
// SELECT and ends with it, so nothing stays behind in a server session a transaction pooler shares.
std::string applied_versions_sql() {
  return transaction_settings_sql(SessionRole::Readiness) +
         "SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '') FROM outbox.schema_migration";
}

}  // namespace

ReadinessProbe::ReadinessProbe(std::string conninfo, std::chrono::milliseconds deadline,
                               std::chrono::milliseconds cache_for)
    : session_(std::move(conninfo), "outboxd-readyz"),
      deadline_(deadline),
      cache_for_(cache_for) {}

ReadinessProbe::~ReadinessProbe() = default;

namespace {

const char *phase_name(ReadinessProbe::Phase phase) {
  switch (phase) {
    case ReadinessProbe::Phase::Starting: return "starting";
    case ReadinessProbe::Phase::Running: return "running";
    case ReadinessProbe::Phase::Stopping: return "stopping";
  }
  return "starting";
}

}  // namespace

Readiness ReadinessProbe::check() {
  std::lock_guard<std::mutex> lock(mutex_);
  // The database's part is cached; the daemon's phase is always the current one.
  if (!have_result_ || Clock::now() - checked_at_ >= cache_for_) {
    last_ = probe();
    checked_at_ = Clock::now();
    have_result_ = true;
  }
  Readiness r = last_;
  r.daemon = phase_name(phase_);
  r.ready = r.ready && phase_ == Phase::Running;
  return r;
}

Readiness ReadinessProbe::probe() {
  Readiness r;
  r.daemon = phase_name(phase_);
  r.database = "unreachable";
  r.schema = "unknown";
  std::string detail;
  try {
    std::vector<BoundedRows> results;
    try {
      results = session_.run(applied_versions_sql(), Clock::now() + deadline_);
    } catch (const BoundedFailure &f) {
      if (f.sqlstate != "42P01") throw;  // 42P01: no table, so no schema yet
    }
    std::vector<int> applied;
    if (!results.empty() && !results.back().empty() && results.back()[0][0]) {
      std::istringstream in(*results.back()[0][0]);
      for (std::string v; std::getline(in, v, ',');) applied.push_back(std::stoi(v));
    }
    std::size_t pending = 0;
    for (const auto &m : embedded_migrations())
      if (std::find(applied.begin(), applied.end(), m.version) == applied.end()) ++pending;
    r.database = "ok";
    r.schema = pending == 0 ? "ok" : std::to_string(pending) + " migration(s) pending";
    r.ready = pending == 0;  // the database's part; check() adds the phase
    if (pending != 0) detail = "the outbox schema lacks " + r.schema + "; run `outboxd migrate`";
  } catch (const BoundedFailure &f) {
    r.database = f.database;
    detail = f.detail;
  } catch (const std::exception &e) {
    detail = e.what();
  }
  log_change(r, detail);
  return r;
}

void ReadinessProbe::log_change(const Readiness &now, const std::string &detail) {
  const auto t = Clock::now();
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
