// The lane scout (notify mode): while the daemon is busy, one cheap query per busy_poll_interval
// for the whole daemon finds which quiet lanes have a due message, and wakes only those. A quiet
// lane's workers so sleep instead of polling with empty claims (core/lane_wake.hpp), and the cost of
// a busy daemon no longer grows with its destinations and workers (docs/architecture.md).
#pragma once

#include <memory>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/engine_state.hpp"
#include "core/runtime.hpp"

namespace outboxd {

class LaneScout {
 public:
  LaneScout(const RuntimeHolder &runtime, EngineState &state);
  void run();  // thread body; returns once state.stopping is set (request_stop wakes it)

 private:
  // One look: wakes every quiet lane with a due message; false when no lane was quiet.
  bool look();

  const RuntimeHolder &runtime_;
  EngineState &state_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace outboxd
