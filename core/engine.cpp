// Starts and stops the engine's threads.
#include "core/engine.hpp"


#include "core/dispatcher.hpp"
#include "core/listener.hpp"
#include "core/pruner.hpp"

namespace outboxd {

Engine::Engine(const Config &config, const Destinations &destinations)
    : config_(config), destinations_(destinations) {}

Engine::~Engine() {
  request_stop();
  for (auto &t : threads_)
    if (t.joinable()) t.join();
}

void Engine::spawn(std::function<void()> body) {
  {
    std::lock_guard<std::mutex> lock(done_mutex_);
    running_++;
  }
  threads_.emplace_back([this, body = std::move(body)] {
    body();
    std::lock_guard<std::mutex> lock(done_mutex_);
    running_--;
    done_cv_.notify_all();
  });
}

void Engine::start() {
  for (int i = 0; i < config_.workers; ++i)
    workers_.push_back(std::make_unique<Worker>(i, config_, destinations_, state_));
  if (config_.wakeup_mode == WakeupMode::Notify)
    listener_ = std::make_unique<Listener>(config_, destinations_, state_);
  pruner_ = std::make_unique<Pruner>(config_, destinations_, state_);

  for (auto &w : workers_) spawn([&w] { w->run(); });
  if (listener_) spawn([this] { listener_->run(); });
  spawn([this] { pruner_->run(); });
}

void Engine::request_stop() {
  state_.request_stop();
  if (listener_) listener_->request_stop();
}

bool Engine::wait_stopped(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(done_mutex_);
  if (!done_cv_.wait_for(lock, timeout, [this] { return running_ == 0; })) return false;
  lock.unlock();
  for (auto &t : threads_)
    if (t.joinable()) t.join();  // each has finished its body; join only reaps it
  return true;
}

}  // namespace outboxd
