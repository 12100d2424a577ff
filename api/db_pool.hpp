// A small pool of database connections for the HTTP API: one connection per request at a time,
// opened lazily, dropped and reopened after the server breaks it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

namespace outboxd::api {

// No connection became free in time (every one busy), or none could be opened. what() is for the
// client, in general words; log_detail() for the log (libpq's text names hosts, users, databases).
class PoolUnavailable : public std::runtime_error {
 public:
  PoolUnavailable(const std::string &what, std::string log_detail)
      : std::runtime_error(what), log_detail_(std::move(log_detail)) {}
  const std::string &log_detail() const noexcept { return log_detail_; }

 private:
  std::string log_detail_;
};

class DbPool {
 public:
  DbPool(std::string conninfo, int size, std::chrono::milliseconds wait = std::chrono::seconds(10));

  class Lease {
   public:
    Lease(DbPool &pool, std::unique_ptr<pqxx::connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease &&o) noexcept : pool_(std::exchange(o.pool_, nullptr)), conn_(std::move(o.conn_)) {}
    Lease &operator=(Lease &&) = delete;
    ~Lease() {
      if (pool_) pool_->give_back(std::move(conn_));
    }
    pqxx::connection &operator*() { return *conn_; }
    pqxx::connection *operator->() { return conn_.get(); }
    // The connection is broken (or in an unknown state): close it; the next acquire reopens one.
    void discard() { conn_.reset(); }

   private:
    DbPool *pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };

  // Throws PoolUnavailable when every connection stays busy past the wait, or opening one fails.
  Lease acquire();

 private:
  // `connect_failed`: conn is null because opening it failed (not because it was discarded).
  void give_back(std::unique_ptr<pqxx::connection> conn, bool connect_failed = false);

  std::string conninfo_;
  std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int free_slots_;                                      // guarded by mutex_
  bool failing_ = false;  // the last attempt to connect failed; guarded by mutex_
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // open and unused; guarded by mutex_
};

}  // namespace outboxd::api
