// The API's worker threads (api/request_workers.hpp).
#include "api/request_workers.hpp"

#include <pthread.h>

#include <spdlog/spdlog.h>

namespace outboxd::api {

RequestWorkers::RequestWorkers(int threads, const std::string &name) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
    pthread_setname_np(threads_.back().native_handle(), name.substr(0, 15).c_str());
  }
}

RequestWorkers::~RequestWorkers() { stop(); }

void RequestWorkers::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void RequestWorkers::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto &t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void RequestWorkers::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and everything queued has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (const std::exception &e) {  // a job reports its own errors; this is a last resort
      spdlog::error("api: request worker: {}", e.what());
    }
  }
}

}  // namespace outboxd::api
