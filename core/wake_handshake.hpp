// The wake handshake between the listener and the workers: when workers poll fast, when they sleep
// until a NOTIFY, and when a scheduled retry wakes them. All of it lives here, behind verbs, so the
// protocol can be read (and tested) in one place.
//
// Notify mode. While workers find work, or found some less than `wakeup.linger` ago, the daemon is
// *busy*: workers poll every busy_poll_interval and producers send no NOTIFY (a NOTIFY serialises
// commits database-wide). Past the linger the listener raises the wake flag in the database and,
// once the gate shows that no producer still reads the old flag (see 0001_create_outbox.up.sql),
// makes the daemon *idle*: one last poll, then workers sleep until a NOTIFY, the earliest scheduled
// message, or the safety poll. Work found by any of those makes the daemon busy again.
//
// Busy, a lane claims when work is known to exist (core/lane_wake.hpp): after a full claim at
// once; after a short one on the lane's beat (one poll per busy_poll_interval for the lane, not per
// worker) while the lane found work within the linger; past that the lane is quiet and sleeps as if
// idle until the lane scout (core/lane_scout.hpp), one cheap query per busy_poll_interval for the
// whole daemon, sees a due message of it. Without a scout (not connected yet, or lost) a lane never
// goes quiet: it polls on its beat.
//
// Poll mode has no listener: workers poll every poll_interval and the rest is unused.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/lane_wake.hpp"
#include "core/wake_signal.hpp"

namespace outboxd {

// How long a worker that found less than a full batch waits, by mode: the wakeup.* keys of the
// config (the defaults here are theirs).
struct WakeTimings {
  bool notify_mode = true;
  std::chrono::milliseconds poll_interval{100};                   // poll mode
  std::chrono::milliseconds busy_poll_interval{2};                // notify mode, busy
  std::chrono::milliseconds safety_poll{std::chrono::seconds(5)};  // notify mode, idle: the longest sleep
  std::chrono::milliseconds linger{200};  // notify mode, busy: how long a lane polls after its last work
};

class WakeHandshake {
 public:
  using Clock = std::chrono::steady_clock;

  // --- workers ---
  // Read before looking for work; a wake that comes while looking then cuts the next wait short.
  uint64_t ticket() const { return signal_.generation(); }
  // A claim found rows: starts (or extends) a linger period.
  void found_work() { last_work_ns_.store(now_ns()); }
  // A retry was scheduled `delay` from now: an idle daemon wakes for it.
  void retry_scheduled(std::chrono::nanoseconds delay);
  // Sleeps as the mode and the handshake say, or until woken after `ticket`. A scheduled time that
  // has come counts as work found (so the daemon polls fast for a linger period) and returns at once.
  void wait_for_work(uint64_t ticket, const WakeTimings &timings);
  // The same for a worker of `lane`, on the lane's signal (`ticket` is lane.ticket()): busy, it
  // waits for the lane's next beat while the lane lingers, else (with a scout) it sleeps until the
  // scout or a daemon-wide wake.
  void wait_for_work(LaneWake &lane, uint64_t ticket, const WakeTimings &timings);

  // --- the engine ---
  // Every daemon-wide wake wakes this lane's workers too (a lane's signal, LaneWake::signal()).
  void attach(const std::shared_ptr<WakeSignal> &lane_signal);
  void detach(const std::shared_ptr<WakeSignal> &lane_signal);

  // --- the lane scout ---
  // The scout is connected (true) or lost (false: quiet lanes wake and poll on their beat again).
  void scout_available(bool available);
  // Read by the scout before it looks; a lane going quiet, or any daemon-wide wake, cuts its next
  // wait short.
  uint64_t scout_ticket() const { return signal_.generation(); }
  void scout_wait(uint64_t ticket, Clock::time_point deadline) { signal_.wait_until(ticket, deadline); }

  // --- the listener ---
  bool idle() const { return idle_.load(); }
  // Producers have been told not to notify: workers poll fast again, also those asleep until a
  // NOTIFY that will no longer come (a lane with no work of its own went to sleep while the daemon
  // was idle, and its next messages are enqueued without one).
  void go_busy() {
    idle_.store(false);
    wake_all();
  }
  // The gate was passed: from now on workers sleep; `next_due` is the earliest scheduled message
  // (Clock::time_point::max() when none). Wakes the workers for the one last poll.
  void go_idle(Clock::time_point next_due);
  // Time left of the linger period after the last work found (zero or negative: it is over).
  std::chrono::nanoseconds linger_left(std::chrono::nanoseconds linger) const;
  // While idle: did a worker find work (through the timer or the safety poll) since going idle?
  bool work_found_while_idle() const { return last_work_ns_.load() > idle_since_ns_.load(); }
  // A NOTIFY came: wake the workers and start a linger period.
  void notified();
  // The listener lost its connection: nobody would send the NOTIFY, so workers must poll.
  void listener_lost() { go_busy(); }

  // --- the engine ---
  // Workers asleep on the old config look again (a destination may just have been added).
  void config_reloaded();
  // Shutting down: every waiting worker returns (of every attached lane, and the scout).
  void wake_all();

 private:
  static int64_t now_ns();
  static int64_t to_ns(Clock::time_point t);
  // The deadline of a wait by mode; `lane` null: a wait on the handshake's own signal.
  // Returns Clock::time_point::min() when the wait is over before it began (a due time has come).
  Clock::time_point deadline_for(LaneWake *lane, const WakeTimings &timings);

  // Waiters not of a lane (tests, the scout).
  WakeSignal signal_;
  std::mutex lanes_mutex_;
  std::vector<std::shared_ptr<WakeSignal>> lane_signals_;
  std::atomic<bool> scout_{false};
  std::atomic<bool> idle_{false};
  // Steady-clock nanoseconds of the last claim that found work; drives the linger period.
  std::atomic<int64_t> last_work_ns_{0};
  // When the daemon last went idle.
  std::atomic<int64_t> idle_since_ns_{0};
  // When the earliest scheduled message is due (INT64_MAX: none known).
  std::atomic<int64_t> next_due_ns_{INT64_MAX};
};

}  // namespace outboxd
