// Worker threads: claim a batch, hand each message to its plugin, record every outcome, commit.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/config.hpp"
#include "core/destinations.hpp"
#include "core/engine_state.hpp"

namespace outboxd {

class Worker {
 public:
  Worker(int index, const Config &config, const Destinations &destinations, EngineState &state);
  // The thread body: loops until state.stopping, reconnecting with backoff on connection loss.
  void run();
  // One claim-send-record transaction; returns how many messages it handled. Public for tests.
  size_t run_batch();

 private:
  struct Claimed;
  void connect();
  void wait_for_work();
  void record(pqxx::work &tx, const std::vector<Claimed> &batch);

  int index_;
  const Config &config_;
  const Destinations &destinations_;
  EngineState &state_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<pqxx::connection> conn_;
  std::string destination_list_;  // text[] literal of the loaded destination names
  std::mt19937_64 random_;
  uint64_t seen_generation_ = 0;
};

}  // namespace outboxd
