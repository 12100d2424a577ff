// A probe's database session on libpq's non-blocking calls (api/bounded_session.hpp).
#include "api/bounded_session.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/conninfo_redaction.hpp"
#include "core/db.hpp"

namespace outboxd::api {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until the socket is ready for `events`, or throws at the deadline (or when cancelled:
// the wait is sliced so a cancel is seen within 100 ms).
void wait_socket(PGconn *conn, short events, Clock::time_point deadline, const std::atomic<bool> *cancel) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw BoundedFailure{"not answering", "no answer from the database within the deadline", ""};
    if (cancel && cancel->load()) throw BoundedFailure{"not answering", "given up: the daemon is stopping", ""};
    pollfd p{PQsocket(conn), events, 0};
    const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
    if (r > 0) return;
    if (r < 0 && errno != EINTR) throw BoundedFailure{"unreachable", std::string("poll: ") + std::strerror(errno), ""};
  }
}

// libpq's messages end in a newline and may span lines; a log entry is one line.
std::string one_line(const char *text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// Connects without ever blocking past the deadline (PQconnectStart/PQconnectPoll). libpq's
// messages may quote option values, a mistyped password among them: they lose it before the log.
PGconn *connect_by(const std::string &conninfo, Clock::time_point deadline, const std::atomic<bool> *cancel) {
  PGconn *conn = PQconnectStart(conninfo.c_str());
  if (!conn) throw BoundedFailure{"unreachable", "out of memory", ""};
  if (PQstatus(conn) == CONNECTION_BAD) {
    BoundedFailure f{"unreachable", hide_conninfo_secrets(one_line(PQerrorMessage(conn)), conninfo), ""};
    PQfinish(conn);
    throw f;
  }
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  try {
    while (state != PGRES_POLLING_OK) {
      if (state == PGRES_POLLING_FAILED)
        throw BoundedFailure{"unreachable", hide_conninfo_secrets(one_line(PQerrorMessage(conn)), conninfo), ""};
      wait_socket(conn, state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline, cancel);
      state = PQconnectPoll(conn);
    }
  } catch (...) {
    PQfinish(conn);
    throw;
  }
  return conn;
}

BoundedRows rows_of(PGresult *r) {
  BoundedRows rows;
  const int n = PQntuples(r), columns = PQnfields(r);
  rows.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    BoundedRow row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c)
      row.push_back(PQgetisnull(r, i, c) ? std::nullopt : std::optional<std::string>(PQgetvalue(r, i, c)));
    rows.push_back(std::move(row));
  }
  return rows;
}

// Sends `sql` and collects every result, reading until libpq has no more (a session left with
// unread results could not run the next list).
std::vector<BoundedRows> query_by(PGconn *conn, const std::string &sql, Clock::time_point deadline,
                                  const std::atomic<bool> *cancel) {
  if (!PQsendQuery(conn, sql.c_str())) throw BoundedFailure{"unreachable", one_line(PQerrorMessage(conn)), ""};
  while (PQflush(conn) == 1) wait_socket(conn, POLLOUT, deadline, cancel);
  std::vector<BoundedRows> out;
  std::optional<BoundedFailure> error;
  for (;;) {
    while (PQisBusy(conn)) {
      wait_socket(conn, POLLIN, deadline, cancel);
      if (!PQconsumeInput(conn)) throw BoundedFailure{"unreachable", one_line(PQerrorMessage(conn)), ""};
    }
    PGresult *r = PQgetResult(conn);
    if (!r) break;
    const ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK) {
      out.push_back(rows_of(r));
    } else if (status != PGRES_COMMAND_OK && !error) {
      const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      const std::string state = code ? code : "";
      // 57014: the server-side statement timeout that backs up our deadline.
      error = BoundedFailure{state == "57014" ? "not answering" : "unreachable", one_line(PQresultErrorMessage(r)),
                             state};
    }
    PQclear(r);
  }
  if (error) throw *error;
  return out;
}

}  // namespace

BoundedSession::BoundedSession(std::string conninfo, const std::string &application_name)
    // UTF8 as on every connection the daemon opens (core/db.hpp).
    : conninfo_(conninfo_with_default(conninfo_with_default(std::move(conninfo), "application_name", application_name),
                                      "client_encoding", "UTF8")) {}

BoundedSession::~BoundedSession() { drop(); }

void BoundedSession::drop() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

std::vector<BoundedRows> BoundedSession::run(const std::string &sql, Clock::time_point deadline,
                                             const std::atomic<bool> *cancel) {
  try {
    if (conn_ && PQstatus(conn_) != CONNECTION_OK) drop();
    if (!conn_) conn_ = connect_by(conninfo_, deadline, cancel);
    return query_by(conn_, sql, deadline, cancel);
  } catch (const BoundedFailure &f) {
    if (f.sqlstate.empty()) drop();
    throw;
  }
}

}  // namespace outboxd::api
