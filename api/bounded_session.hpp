// A database session for the API's probes (GET /readyz, the gauges of GET /metrics) whose every
// step, connecting included, ends at a deadline measured here rather than by the server: a
// database that accepts connections and then never answers (a hung host, a network partition)
// makes a probe fail in time instead of hanging the thread that serves it. Not thread-safe; each
// probe owns one and runs one statement list at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace outboxd::api {

using BoundedRow = std::vector<std::optional<std::string>>;  // nullopt: SQL NULL
using BoundedRows = std::vector<BoundedRow>;

// Why a statement list did not run. `database` is for clients and says nothing specific
// ("unreachable", "not answering"); `detail` is for the log (secrets of the conninfo removed).
struct BoundedFailure {
  std::string database;
  std::string detail;
  std::string sqlstate;  // set for an error the server reported
};

class BoundedSession {
 public:
  // `application_name` names the session in pg_stat_activity (unless the conninfo names it).
  BoundedSession(std::string conninfo, const std::string &application_name);
  ~BoundedSession();
  BoundedSession(const BoundedSession &) = delete;
  BoundedSession &operator=(const BoundedSession &) = delete;

  // Runs `sql` (one or more statements in one simple query, which PostgreSQL runs as one implicit
  // transaction) and returns the rows of each statement that returned rows, in order; connects
  // first when needed. Throws BoundedFailure. A failure the server reported leaves the session
  // open; any other drops it, since a timed-out session may be in any state.
  // `cancel`, when given and set, ends a wait within about 100 ms as a deadline would (a daemon
  // that stops must not wait out a long read).
  std::vector<BoundedRows> run(const std::string &sql, std::chrono::steady_clock::time_point deadline,
                               const std::atomic<bool> *cancel = nullptr);

 private:
  void drop();

  const std::string conninfo_;
  pg_conn *conn_ = nullptr;
};

}  // namespace outboxd::api
