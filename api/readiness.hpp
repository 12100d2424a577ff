// GET /readyz's check: is the daemon running (not still starting, nor stopping), can it reach its
// database, and is the schema current? Runs on its own connection (never the request pool, so readiness does not queue behind enqueues), at most one
// check at a time, and caches the answer briefly so an unauthenticated caller cannot turn /readyz
// into load on the database. Every check ends within a deadline measured here, not by the server:
// a database that accepts connections and then never answers (a hung host, a network partition)
// makes the check fail in time instead of hanging it. Clients see a general reason; the log gets
// the details.
#pragma once

#include <atomic>
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

  // What the daemon is doing: starting (the state it begins in, until its engine runs), running
  // or stopping; only a running daemon is ready. Thread-safe and lock-free: the main thread sets
  // it on SIGTERM even while a check waits on a hung database.
  enum class Phase { Starting, Running, Stopping };
  void set_phase(Phase phase) { phase_ = phase; }
  Phase phase() const { return phase_; }

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
  std::atomic<Phase> phase_{Phase::Starting};  // read without the mutex
  Readiness last_;                              // the database's part (daemon and ready: see check())
  std::chrono::steady_clock::time_point checked_at_{};
  bool have_result_ = false;
  std::chrono::steady_clock::time_point logged_at_{};
};

}  // namespace outboxd::api
