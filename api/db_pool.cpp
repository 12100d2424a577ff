// Connection pool for the HTTP API.
#include "api/db_pool.hpp"

#include <spdlog/spdlog.h>

#include "core/db.hpp"

namespace outboxd::api {

DbPool::DbPool(std::string conninfo, int size, std::chrono::milliseconds wait)
    : conninfo_(std::move(conninfo)), wait_(wait), free_slots_(size) {}

DbPool::Lease DbPool::acquire() {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!cv_.wait_for(lock, wait_, [&] { return free_slots_ > 0; })) {
      const std::string why = "every API database connection stayed busy for " + std::to_string(wait_.count()) +
                              " ms; retry";
      throw PoolUnavailable(why, why);
    }
    --free_slots_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (conn && !conn->is_open()) conn.reset();
  if (!conn) {
    try {
      // A request must fail within seconds, not wait out the kernel's TCP timeout, when the
      // database host does not answer.
      conn = open_connection(conninfo_with_default(conninfo_, "connect_timeout", "5"));
      // A request should fail, not hang a worker thread, when the database stalls (a statement
      // timeout, among the API's settings in core/db.cpp). Through a transaction pooler each
      // request's transaction sets them instead.
      apply_session_settings(*conn, SessionRole::Api);
    } catch (const std::exception &e) {
      give_back(nullptr, true);
      throw PoolUnavailable("the database cannot be reached; retry", e.what());
    }
  }
  return Lease(*this, std::move(conn));
}

void DbPool::give_back(std::unique_ptr<pqxx::connection> conn, bool connect_failed) {
  bool recovered = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++free_slots_;
    if (conn) {
      recovered = std::exchange(failing_, false);
      idle_.push_back(std::move(conn));
    } else if (connect_failed) {
      failing_ = true;
    }
  }
  cv_.notify_one();
  // The failures were logged (throttled) by the requests that met them; the end of them once.
  if (recovered) spdlog::info("api: connected to the database again");
}

}  // namespace outboxd::api
