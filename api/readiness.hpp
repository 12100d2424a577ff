// GET /readyz's check: is the daemon running (not still starting, nor stopping), can it reach its
// database, and is the schema current? Runs on its own connection (never the request pool, so readiness does not queue behind enqueues), at most one
// check at a time, and caches the answer briefly so an unauthenticated caller cannot turn /readyz
// into load on the database. Every check ends within a deadline measured here, not by the server:
// a database that accepts connections and then never answers (a hung host, a network partition)
// makes the check fail in time instead of hanging it. Clients see a general reason; the log gets
// the details.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "api/bounded_session.hpp"

namespace outboxd::api {

struct Readiness {
  bool ready = false;
  std::string daemon;    // "starting", "running" or "stopping"
  std::string database;  // "ok", "unreachable" or "not answering"
  std::string schema;    // "ok", "N migration(s) pending", or "unknown"
};

class ReadinessProbe {
 public:
  explicit ReadinessProbe(std::string conninfo,
                          std::chrono::milliseconds deadline = std::chrono::seconds(2),
                          std::chrono::milliseconds cache_for = std::chrono::seconds(1));
  ~ReadinessProbe();
  ReadinessProbe(const ReadinessProbe &) = delete;
  ReadinessProbe &operator=(const ReadinessProbe &) = delete;

  // Thread-safe. What the daemon is doing: "starting" (the state it begins in, until its engine
  // runs), "running" or "stopping"; only a running daemon is ready.
  void set_daemon(std::string state);

  // Thread-safe. Returns the cached answer when it is younger than cache_for; otherwise checks,
  // taking at most `deadline`.
  Readiness check();

 private:
  Readiness probe();
  void log_change(const Readiness &now, const std::string &detail);

  std::mutex mutex_;  // one check at a time; guards everything below
  BoundedSession session_;
  const std::chrono::milliseconds deadline_;
  const std::chrono::milliseconds cache_for_;
  std::string daemon_ = "starting";
  Readiness last_;
  std::chrono::steady_clock::time_point checked_at_{};
  bool have_result_ = false;
  std::chrono::steady_clock::time_point logged_at_{};
};

}  // namespace outboxd::api
