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

// No connection became free in time (every one busy), or none could be opened.
class PoolUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
  void give_back(std::unique_ptr<pqxx::connection> conn);

  std::string conninfo_;
  std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int free_slots_;                                      // guarded by mutex_
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // open and unused; guarded by mutex_
};

}  // namespace outboxd::api
