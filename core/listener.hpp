// The one LISTEN connection: wakes workers on NOTIFY and tells producers when to notify.
#pragma once

#include <memory>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/engine_state.hpp"
#include "core/runtime.hpp"

namespace outboxd {

// Notify-mode wake-up: drives the wake handshake (core/wake_handshake.hpp, which explains the
// busy/idle protocol) from the database side: raises and lowers the wake flag, takes the gate,
// looks up the earliest scheduled message, and turns NOTIFYs into wake-ups.
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
  WakeHandshake::Clock::time_point next_due();  // of the earliest scheduled message
  void wait_for_socket(int timeout_ms);

  const RuntimeHolder &runtime_;
  EngineState &state_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<Receiver> receiver_;
  int stop_fd_ = -1;  // eventfd: wakes poll() on shutdown
  bool awaiting_gate_ = false;  // flag raised, gate not yet taken: still polling
};

}  // namespace outboxd
