// The delivery engine: a lane of worker threads per destination, the listener, the lane scout and
// the pruner, started and stopped together.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <memory>
#include <thread>
#include <vector>

#include "core/engine_state.hpp"
#include "core/runtime.hpp"

namespace outboxd {

class LaneScout;
class Listener;
class Pruner;
class Worker;

class Engine {
 public:
  Engine(std::shared_ptr<const Config> config, std::shared_ptr<const Destinations> destinations);
  ~Engine();
  void start();
  // Claim nothing new; in-flight batches finish and commit.
  void request_stop();
  // True once every thread has finished (they are then joined); false if `timeout` passed first.
  // Call it again to keep waiting. A caller that gives up must end the process without destroying
  // the engine (std::_Exit): open transactions roll back on the server, their rows stay pending.
  bool wait_stopped(std::chrono::milliseconds timeout);
  EngineState &state() { return state_; }
  std::shared_ptr<const Runtime> runtime() const { return runtime_.get(); }
  // Swaps in a new config and destinations; each batch already running finishes on the old ones.
  // Keys that need a restart (workers, wakeup.mode, database) must already be carried over. A new
  // destination gets a lane (and its workers) at once; a removed one's workers finish their batch
  // and stop. Call it from the thread that called start().
  void reload(std::shared_ptr<const Config> config, std::shared_ptr<const Destinations> destinations);

 private:
  RuntimeHolder runtime_;
  EngineState state_;
  std::vector<std::unique_ptr<Worker>> workers_;  // of every lane, including retired ones
  int next_worker_index_ = 0;
  // Gives a destination a lane (in state_.lanes) with `workers` worker threads, started at once.
  void open_lane(const DestinationConfig &destination, int workers);
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<LaneScout> scout_;  // notify mode only, beside the listener
  std::unique_ptr<Pruner> pruner_;
  void spawn(std::function<void()> body);
  // At the end: names every message sent whose outcome no worker could write (a restart sends it again).
  void warn_of_unwritten_outcomes();
  bool warned_of_unwritten_ = false;

  std::vector<std::thread> threads_;
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  int running_ = 0;  // threads whose body has not returned; guarded by done_mutex_
};

}  // namespace outboxd
