// A fixed set of threads that run the API's database-bound handlers, so that the I/O thread never
// waits on PostgreSQL: a health check or a new connection is served while every worker is busy.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace outboxd::api {

class RequestWorkers {
 public:
  // `name` names the threads (ps -L, gdb): at most 15 characters.
  RequestWorkers(int threads, const std::string &name);
  ~RequestWorkers();  // stop()
  RequestWorkers(const RequestWorkers &) = delete;
  RequestWorkers &operator=(const RequestWorkers &) = delete;

  // Queues a job; never blocks. The queue is bounded by the server: each connection has at most
  // one request in a worker at a time, and connections are capped (api.max_connections).
  void submit(std::function<void()> job);
  // Runs every queued job, then joins the threads. Safe to call twice.
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace outboxd::api
