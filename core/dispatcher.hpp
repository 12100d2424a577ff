// Worker threads: claim a batch, hand each message to its plugin, record every outcome, commit.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/batch_claim.hpp"
#include "core/engine_state.hpp"
#include "core/runtime.hpp"

namespace outboxd {

class Worker {
 public:
  Worker(int index, const RuntimeHolder &runtime, EngineState &state);
  // The thread body: loops until state.stopping, reconnecting with backoff on connection loss.
  void run();
  // One claim-send-record transaction; returns how many messages it handled. Public for tests.
  size_t run_batch();

 private:
  void prepare_on_outcome(const Runtime &rt);
  void wait_for_work(const Config &config);
  void send_all(const Destinations &destinations, std::vector<Claimed> &batch);
  void record(pqxx::work &tx, const Runtime &rt, const std::vector<Claimed> &batch);

  int index_;
  const RuntimeHolder &runtime_;
  EngineState &state_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<pqxx::connection> conn_;
  uint64_t prepared_generation_ = 0;  // runtime whose on_outcome statements conn_ has prepared
  std::mt19937_64 random_;
  uint64_t seen_generation_ = 0;
};

}  // namespace outboxd
