// How the HTTP API answers an error from the database: what the client's data or the database's
// state caused is a 400 or a 503 in general words (no host, user or database name reaches a
// client); only what is left, a bug, is a 500. The details go to the log, throttled.
#pragma once

#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "api/message_request.hpp"

namespace outboxd::api {

// The answer to an exception a handler let through: nullopt when it is not a database error this
// knows (the caller answers 500). `log_detail` gets what the log should say about it.
//   class 22 (data exception)                          400 invalid_data, PostgreSQL's line
//   57014 (statement timeout, query canceled)          503 database_timeout
//   no connection, connection lost, 53300 too many
//   connections, 57P01..57P03 shutting down or
//   starting, 25006 read-only (a standby), the pool    503 database_unavailable
//   class 53 (out of memory, disk full), class 54
//   (a PostgreSQL limit), class 40 and 55P03 (a
//   conflict with another transaction)                 503 database_busy
// The pool's own errors are PoolUnavailable (api/db_pool.hpp).
std::optional<ApiError> database_error_answer(const std::exception &e, std::string &log_detail);

// Logs a line per kind of trouble when it starts and then at most once a minute while it goes on,
// saying how many were not logged: a database outage must not write a log line per request.
class ThrottledLog {
 public:
  explicit ThrottledLog(std::chrono::seconds every = std::chrono::seconds(60)) : every_(every) {}
  // `kind` groups lines ("database_unavailable"); `line` is what is logged (as a warning).
  void warn(const std::string &kind, const std::string &line);

 private:
  struct Seen {
    std::chrono::steady_clock::time_point logged_at;
    long long quiet = 0;  // lines not logged since
  };
  std::chrono::seconds every_;
  std::mutex mutex_;
  std::map<std::string, Seen> seen_;  // guarded by mutex_
};

}  // namespace outboxd::api
