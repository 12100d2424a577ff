// The one LISTEN connection: wakes workers on NOTIFY and tells producers when to notify.
#pragma once

#include <memory>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/engine_state.hpp"
#include "core/runtime.hpp"

namespace outboxd {

// Notify-mode wake-up. While workers find work, or lingered less than `wakeup.linger` since they
// last did, the daemon is "busy": workers poll every busy_poll_interval and producers send no
// NOTIFY (a NOTIFY serialises commits database-wide). Past the linger it goes "idle": it raises the
// wake flag, then keeps the workers polling until it can take the gate (see
// 0001_create_outbox.up.sql), lets workers poll once more, and only then do workers sleep until a
// NOTIFY, the earliest scheduled message, or the safety poll.
class Listener {
 public:
  Listener(const RuntimeHolder &runtime, EngineState &state);
  ~Listener();
  void run();   // thread body; returns after request_stop()
  void request_stop();

 private:
  struct Receiver;
  void connect();
  void start_going_idle();
  bool try_finish_going_idle();
  void go_busy();
  void set_flag(int value);
  void refresh_next_due();
  void wait_for_socket(int timeout_ms);

  const RuntimeHolder &runtime_;
  EngineState &state_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<Receiver> receiver_;
  int stop_fd_ = -1;  // eventfd: wakes poll() on shutdown
  int64_t idle_since_ns_ = 0;
  bool awaiting_gate_ = false;  // flag raised, gate not yet taken: still polling
};

}  // namespace outboxd
