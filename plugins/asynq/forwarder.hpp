// Forwards a batch of messages to Redis: one pipelined round trip (SADD of the queue name plus one
// script call per message), replies classified per message. Thread-safe: a pool of connections.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "asynq_config.hpp"
#include "outboxd/plugin.h"
#include "redis_connection.hpp"

namespace outboxd::asynq {

class Forwarder {
 public:
  // `log(level, line)` reports connection trouble (OUTBOXD_LOG_* levels).
  Forwarder(AsynqConfig config, std::function<void(int, const std::string &)> log);

  // Fills results[i] for msgs[i] (already reset by the host). Never throws.
  void forward(const outboxd_message *const *msgs, outboxd_result *const *results, size_t count) noexcept;

  // Connects once (init): a failure is only logged, messages then wait in the outbox and retry.
  void probe();

  const AsynqConfig &config() const { return config_; }

 private:
  struct Pending;  // one message on its way: its call, its result, whether it is answered
  std::unique_ptr<RedisConnection> acquire(std::string &error, bool &pooled);
  void release(std::unique_ptr<RedisConnection> conn);
  void run(RedisConnection &conn, std::vector<Pending> &work);

  AsynqConfig config_;
  std::function<void(int, const std::string &)> log_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;  // healthy connections, one per busy thread at most
  bool last_connect_failed_ = false;                    // log a lost Redis once, not per batch
};

}  // namespace outboxd::asynq
