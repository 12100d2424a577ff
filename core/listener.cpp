// LISTEN/NOTIFY wake-up with coalescing: see listener.hpp for the busy/idle protocol.
#include "core/listener.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/logging.hpp"
#include "core/queries.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {

namespace {
const char *kChannel = "outbox_wake";
// How often an idle listener checks whether workers found work through the timer or safety poll.
constexpr int kIdleCheckMs = 50;
// How often a listener waiting to go idle tries the gate again.
constexpr int kGateRetryMs = 5;
// The wake-up timer looks at most this far ahead. message_next_due.sql already answers no more
// than about 2200 - now, but a steady-clock deadline in int64 nanoseconds (which end in 2262) must
// not overflow whatever the database says: an overflow reads as "due long ago", and the daemon
// would flip between busy and idle without end. A timer that fires early only looks up the next
// time again; the workers' safety poll is shorter anyway.
constexpr int64_t kMaxDueAheadMs = 24LL * 3600 * 1000;
}  // namespace

struct Listener::Receiver : pqxx::notification_receiver {
  explicit Receiver(pqxx::connection_base &c) : pqxx::notification_receiver(c, kChannel) {}
  void operator()(const std::string &, int) override { notified = true; }
  bool notified = false;
};

Listener::Listener(const RuntimeHolder &runtime, EngineState &state)
    : runtime_(runtime), state_(state), log_(component_logger("listener")) {
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

Listener::~Listener() {
  receiver_.reset();
  conn_.reset();
  if (stop_fd_ >= 0) close(stop_fd_);
}

void Listener::request_stop() {
  uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) {
    // Nothing to do: the listener also checks `stopping` at least every kIdleCheckMs.
  }
}

void Listener::connect() {
  receiver_.reset();
  conn_ = open_daemon_connection(*runtime_.get()->config, SessionRole::Listener);
  receiver_ = std::make_unique<Receiver>(*conn_);
  // A notification may have been missed while disconnected: be busy, and let workers look now.
  go_busy();
  state_.wake.wake_all();
  log_->info("listening for new messages (channel {})", kChannel);
}

void Listener::set_flag(int value) {
  pqxx::nontransaction tx(*conn_);
  queries::wake_flag_set(tx, value != 0);
}

void Listener::go_busy() {
  set_flag(0);
  awaiting_gate_ = false;
  state_.wake.go_busy();
}

void Listener::start_going_idle() {
  set_flag(1);
  awaiting_gate_ = true;
}

bool Listener::try_finish_going_idle() {
  {
    // Free only when every transaction that read the flag as 0 has ended; their rows are then
    // committed (or gone), and the workers' next poll sees them.
    pqxx::nontransaction tx(*conn_);
    // A session-level lock: should the unlock fail, the session may still hold it, and every
    // enqueue would wait on it. run() closes the session after any fault, which surely frees it.
    if (!queries::wake_gate_try_lock(tx)) return false;
    queries::wake_gate_unlock(tx);
  }
  awaiting_gate_ = false;
  state_.wake.go_idle(next_due());
  log_->debug("idle: waiting for NOTIFY");
  return true;
}

WakeHandshake::Clock::time_point Listener::next_due() {
  pqxx::nontransaction tx(*conn_);
  const std::optional<long long> ms = queries::message_next_due(tx, runtime_.get()->destination_list);
  if (!ms) return WakeHandshake::Clock::time_point::max();
  return WakeHandshake::Clock::now() + std::chrono::milliseconds(std::clamp<int64_t>(*ms, 0, kMaxDueAheadMs));
}

void Listener::wait_for_socket(int timeout_ms) {
  pollfd fds[2] = {{conn_->sock(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  poll(fds, 2, std::max(0, timeout_ms));
  receiver_->notified = false;
  conn_->get_notifs();  // runs Receiver::operator() for each pending notification
}

void Listener::run() {
  ReconnectBackoff backoff;
  while (!state_.stopping.load()) {
    try {
      const auto linger = runtime_.get()->config->linger;
      if (!conn_) {
        connect();
        backoff.reset();
      }
      const bool idle = state_.wake.idle();
      int timeout_ms = kIdleCheckMs;
      if (awaiting_gate_) {
        // An enqueue that read the flag as 0 is still open (perhaps a long application
        // transaction): stay busy and try again shortly, never blocking anyone meanwhile.
        if (try_finish_going_idle()) continue;
        timeout_ms = kGateRetryMs;
      } else if (!idle) {
        const int64_t left_ns = state_.wake.linger_left(linger).count();
        if (left_ns <= 0) {
          start_going_idle();
          continue;
        }
        timeout_ms = static_cast<int>(std::min<int64_t>(kIdleCheckMs, left_ns / 1000000 + 1));
      } else if (state_.wake.work_found_while_idle()) {
        go_busy();  // the timer or safety poll found work: stop asking producers to notify
        state_.wake.wake_all();  // and let sleeping workers poll fast again
        continue;
      }
      wait_for_socket(timeout_ms);
      if (receiver_->notified) {
        state_.wake.notified();
        if (idle || awaiting_gate_) go_busy();
      }
    } catch (const std::exception &e) {
      // Whatever classify_fault says, the listener starts a new session after any fault: its
      // session holds state a fault can leave in doubt (the LISTEN, half set up if connect()
      // failed; the session-level wake gate, should its release have failed, which would stall
      // every enqueue), and a new one costs a single connection. Workers poll until it is back,
      // since a NOTIFY may be missed meanwhile.
      state_.wake.listener_lost();
      receiver_.reset();
      conn_.reset();
      state_.reconnects++;
      auto delay = backoff.next();
      log_->warn("{}; reconnecting in {} ms (workers keep polling meanwhile)", one_line(e), delay.count());
      state_.sleep_unless_stopping(delay);
    }
  }
  // Leave the flag raised: another daemon that sleeps on this database still gets woken.
  try {
    if (conn_) set_flag(1);
  } catch (const std::exception &) {
  }
}

}  // namespace outboxd
