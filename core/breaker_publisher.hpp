// Writes this daemon's circuit-breaker states to outbox.breaker_states (migration 0006), so that
// `outboxd stats`, which reads only PostgreSQL, shows every daemon's breakers. A thread of its own
// with a connection of its own: each change noted on the board (core/breaker_board.hpp) is one
// autocommit upsert, never part of a delivery transaction and never in a worker's way. Every 30 s
// it writes every row again (repairing a write that failed, and telling readers the daemon is
// alive) and deletes any daemon's rows not refreshed for 10 minutes (a daemon that died). A write
// that fails is logged (a warning the first time in a row, then at debug) and tried again after 5 s.
// Destroying it deletes this daemon's rows: its breakers are gone.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "core/breaker_board.hpp"
#include "core/config.hpp"

namespace outboxd {

// How a daemon names itself in outbox.breaker_states: hostname:pid.
std::string this_daemon_name();

class BreakerPublisher {
 public:
  // Starts the thread. The database settings of `config` are restart-only, so a copy does.
  BreakerPublisher(const Config &config, BreakerBoard &board);
  ~BreakerPublisher();
  BreakerPublisher(const BreakerPublisher &) = delete;
  BreakerPublisher &operator=(const BreakerPublisher &) = delete;

  const std::string &daemon() const { return daemon_; }

 private:
  void run();

  const Config config_;
  BreakerBoard &board_;
  const std::string daemon_;
  std::thread thread_;
};

}  // namespace outboxd
