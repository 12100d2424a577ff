// GET /readyz's check: can this daemon reach its database, and is the schema current? Runs on its
// own connection (never the request pool, so readiness does not queue behind enqueues), at most one
// check at a time, and caches the answer briefly so an unauthenticated caller cannot turn /readyz
// into load on the database. Clients see a general reason; the log gets the details.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <pqxx/pqxx>

namespace outboxd::api {

struct Readiness {
  bool ready = false;
  std::string database;  // "ok" or "unreachable"
  std::string schema;    // "ok", "N migration(s) pending", or "unknown"
};

class ReadinessProbe {
 public:
  explicit ReadinessProbe(std::string conninfo, std::chrono::milliseconds cache_for = std::chrono::seconds(1));
  ReadinessProbe(const ReadinessProbe &) = delete;
  ReadinessProbe &operator=(const ReadinessProbe &) = delete;

  // Thread-safe. Returns the cached answer when it is younger than cache_for.
  Readiness check();

 private:
  Readiness probe();
  void log_change(const Readiness &now, const std::string &detail);

  const std::string conninfo_;
  const std::chrono::milliseconds cache_for_;
  std::mutex mutex_;  // one check at a time; guards everything below
  std::unique_ptr<pqxx::connection> conn_;
  Readiness last_;
  std::chrono::steady_clock::time_point checked_at_{};
  bool have_result_ = false;
  std::chrono::steady_clock::time_point logged_at_{};
};

}  // namespace outboxd::api
