// The readiness check behind GET /readyz (api/readiness.hpp), on libpq's non-blocking calls so that
// the whole check, connecting included, ends at a deadline of our own.
#include "api/readiness.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/conninfo_redaction.hpp"
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

struct Failure {
  std::string database;  // what the client sees: "unreachable" or "not answering"
  std::string detail;    // what the log sees
};

// Waits until the socket is ready for `events`, or throws at the deadline.
void wait_socket(PGconn *conn, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw Failure{"not answering", "no answer from the database within the readiness deadline"};
    pollfd p{PQsocket(conn), events, 0};
    const int r = poll(&p, 1, static_cast<int>(left));
    if (r > 0) return;
    if (r < 0 && errno != EINTR) throw Failure{"unreachable", std::string("poll: ") + std::strerror(errno)};
  }
}

std::string first_line(const char *text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// Connects without ever blocking past the deadline (PQconnectStart/PQconnectPoll). libpq's
// messages may quote option values, a mistyped password among them: they lose it before the log.
PGconn *connect_by(const std::string &conninfo, Clock::time_point deadline) {
  PGconn *conn = PQconnectStart(conninfo.c_str());
  if (!conn) throw Failure{"unreachable", "out of memory"};
  if (PQstatus(conn) == CONNECTION_BAD) {
    Failure f{"unreachable", hide_conninfo_secrets(first_line(PQerrorMessage(conn)), conninfo)};
    PQfinish(conn);
    throw f;
  }
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  try {
    while (state != PGRES_POLLING_OK) {
      if (state == PGRES_POLLING_FAILED)
        throw Failure{"unreachable", hide_conninfo_secrets(first_line(PQerrorMessage(conn)), conninfo)};
      wait_socket(conn, state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
      state = PQconnectPoll(conn);
    }
  } catch (...) {
    PQfinish(conn);
    throw;
  }
  return conn;
}

// Runs `sql` and returns the first column of its only row, or nullopt for an SQL error whose
// SQLSTATE is `tolerated` (the caller's "not there yet").
std::optional<std::string> query_by(PGconn *conn, const char *sql, const char *tolerated, Clock::time_point deadline) {
  if (!PQsendQuery(conn, sql)) throw Failure{"unreachable", first_line(PQerrorMessage(conn))};
  while (PQflush(conn) == 1) wait_socket(conn, POLLOUT, deadline);
  std::optional<std::string> value;
  std::string error, state;
  for (;;) {
    while (PQisBusy(conn)) {
      wait_socket(conn, POLLIN, deadline);
      if (!PQconsumeInput(conn)) throw Failure{"unreachable", first_line(PQerrorMessage(conn))};
    }
    PGresult *r = PQgetResult(conn);
    if (!r) break;
    const ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK && PQntuples(r) == 1) {
      value = PQgetvalue(r, 0, 0);
    } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      state = code ? code : "";
      error = first_line(PQresultErrorMessage(r));
    }
    PQclear(r);
  }
  if (!error.empty() && state == tolerated) return std::nullopt;
  if (state == "57014") throw Failure{"not answering", error};  // the server-side statement timeout
  if (!error.empty()) throw Failure{"unreachable", error};
  if (!value) throw Failure{"unreachable", "the readiness query returned no row"};
  return value;
}

}  // namespace

ReadinessProbe::ReadinessProbe(std::string conninfo, std::chrono::milliseconds deadline,
                               std::chrono::milliseconds cache_for)
    // UTF8 as on every connection the daemon opens (core/db.hpp).
    : conninfo_(conninfo_with_default(conninfo_with_default(std::move(conninfo), "application_name", "outboxd-readyz"),
                                      "client_encoding", "UTF8")),
      deadline_(deadline),
      cache_for_(cache_for) {}

ReadinessProbe::~ReadinessProbe() { drop_connection(); }

void ReadinessProbe::drop_connection() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

Readiness ReadinessProbe::check() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (have_result_ && Clock::now() - checked_at_ < cache_for_) return last_;
  const Readiness now = probe();
  last_ = now;
  checked_at_ = Clock::now();
  have_result_ = true;
  return now;
}

Readiness ReadinessProbe::probe() {
  Readiness r;
  r.database = "unreachable";
  r.schema = "unknown";
  std::string detail;
  const auto deadline = Clock::now() + deadline_;
  try {
    if (conn_ && PQstatus(conn_) != CONNECTION_OK) drop_connection();
    if (!conn_) conn_ = connect_by(conninfo_, deadline);
    const auto applied_text = query_by(conn_, applied_versions_sql().c_str(), "42P01", deadline);  // 42P01: no table
    std::vector<int> applied;
    std::istringstream in(applied_text.value_or(""));
    for (std::string v; std::getline(in, v, ',');) applied.push_back(std::stoi(v));
    std::size_t pending = 0;
    for (const auto &m : embedded_migrations())
      if (std::find(applied.begin(), applied.end(), m.version) == applied.end()) ++pending;
    r.database = "ok";
    r.schema = pending == 0 ? "ok" : std::to_string(pending) + " migration(s) pending";
    r.ready = pending == 0;
    if (!r.ready) detail = "the outbox schema lacks " + r.schema + "; run `outboxd migrate`";
  } catch (const Failure &f) {
    drop_connection();  // a failed or timed-out check may leave the session in any state
    r.database = f.database;
    detail = f.detail;
  } catch (const std::exception &e) {
    drop_connection();
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
