// Starts and stops the engine's threads.
#include "core/engine.hpp"

#include <spdlog/spdlog.h>

#include "core/breaker_board.hpp"
#include "core/lane_scout.hpp"
#include "core/listener.hpp"
#include "core/pruner.hpp"
#include "core/worker.hpp"

namespace outboxd {

Engine::Engine(std::shared_ptr<const Config> config, std::shared_ptr<const Destinations> destinations)
    : runtime_(std::make_shared<const Runtime>(std::move(config), std::move(destinations), 1)) {}

void Engine::reload(std::shared_ptr<const Config> config, std::shared_ptr<const Destinations> destinations) {
  const uint64_t next = runtime_.get()->generation + 1;
  auto runtime = std::make_shared<const Runtime>(std::move(config), std::move(destinations), next);
  runtime_.set(runtime);
  if (!threads_.empty()) {  // started: lanes follow the destinations
    for (const auto &lane : state_.lanes.all()) {
      if (const Destination *dest = runtime->destinations->find(lane->destination())) {
        lane->configure(dest->config);
        continue;
      }
      spdlog::info("destination {} is no longer configured: its lane's workers finish what they are sending and "
                   "stop; its pending messages wait until a config names it again", lane->destination());
      state_.lanes.take(lane->destination());
      state_.wake.detach(lane->wake().signal());
      lane->retire();
      breaker_board().lane_retired(lane->destination(), lane.get(), BreakerBoard::Clock::now());
    }
    for (const auto &[name, dest] : runtime->destinations->all())
      if (!state_.lanes.find(name)) open_lane(dest.config, runtime->config->workers);
  }
  // Workers asleep on the old config look again (a limit may have been raised).
  state_.wake.config_reloaded();
}

void Engine::open_lane(const DestinationConfig &destination, int workers) {
  auto lane = std::make_shared<Lane>(destination);
  breaker_board().lane_opened(destination.name, lane.get(), BreakerBoard::Clock::now());
  state_.lanes.put(lane);
  state_.wake.attach(lane->wake().signal());
  for (int i = 0; i < workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(next_worker_index_++, lane, runtime_, state_));
    Worker *w = workers_.back().get();
    spawn([w] { w->run(); });
  }
}

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
  const auto rt = runtime_.get();
  if (rt->config->wakeup_mode == WakeupMode::Notify) {
    listener_ = std::make_unique<Listener>(runtime_, state_);
    scout_ = std::make_unique<LaneScout>(runtime_, state_);
  }
  pruner_ = std::make_unique<Pruner>(runtime_, state_);

  for (const auto &[name, dest] : rt->destinations->all()) open_lane(dest.config, rt->config->workers);
  if (listener_) spawn([this] { listener_->run(); });
  if (scout_) spawn([this] { scout_->run(); });
  spawn([this] { pruner_->run(); });
}

void Engine::request_stop() {
  state_.request_stop();
  for (const auto &lane : state_.lanes.all()) lane->wake_all();
  if (listener_) listener_->request_stop();
}

bool Engine::wait_stopped(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(done_mutex_);
  if (!done_cv_.wait_for(lock, timeout, [this] { return running_ == 0; })) return false;
  lock.unlock();
  for (auto &t : threads_)
    if (t.joinable()) t.join();  // each has finished its body; join only reaps it
  warn_of_unwritten_outcomes();
  return true;
}

void Engine::warn_of_unwritten_outcomes() {
  const std::vector<Claimed> kept = state_.kept.all();
  if (kept.empty() || warned_of_unwritten_) return;
  warned_of_unwritten_ = true;  // wait_stopped may be called again and again
  std::string ids;
  for (const Claimed &c : kept) ids += (ids.empty() ? "" : " ") + c.id;
  spdlog::warn("{} message(s) were sent but their outcome could not be written before the daemon stopped; "
               "they are pending and will be sent again (receivers drop duplicates by id): {}",
               kept.size(), ids);
}

}  // namespace outboxd
