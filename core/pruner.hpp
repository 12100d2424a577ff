// Retention: deletes finished messages past their retention in small batches, and warns once about
// pending messages for destinations this daemon does not know.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/engine_state.hpp"
#include "core/runtime.hpp"

namespace outboxd {

class Pruner {
 public:
  Pruner(const RuntimeHolder &runtime, EngineState &state);
  void run();          // thread body: one sweep every retention.prune_interval until stopping
  size_t sweep_once(); // one full sweep; returns rows deleted. Public for tests.
  void check_unknown_destinations();

 private:
  size_t purge(const std::vector<std::string> &states, std::chrono::seconds retention, int batch);
  void connect_if_needed(const Config &config);
  // After a failed sweep or check: a session lost or unusable is dropped (connect_if_needed opens
  // the next), one that is fine is kept (a statement timeout over a large backlog, say).
  void drop_session_if_lost(const std::exception &e);

  const RuntimeHolder &runtime_;
  EngineState &state_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<pqxx::connection> conn_;
  std::set<std::string> warned_;
};

}  // namespace outboxd
