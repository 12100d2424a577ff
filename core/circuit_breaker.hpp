// A destination's circuit breaker: after `failures` consecutive failed sends, or when at least
// `failure_ratio` of the sends in the last `window` failed (and there were at least `min_sends` of
// them, so one failure of two never opens it), it stops the destination's claims for a cool-off,
// then lets one probe message through; the probe's success closes it, its failure opens it again
// for twice the cool-off (up to max_cool_off). So a
// destination that is down costs one attempt per cool-off instead of a batch of attempts (and
// their retries' backoff) per poll.
//
//   Closed --(failures in a row, or the ratio)--> Open --(cool-off over, allow_claim)--> HalfOpen
//   HalfOpen --(a success)--> Closed          HalfOpen --(a failure)--> Open, cool-off doubled
//
// How the destination's workers use it, each batch:
//   int max = batch_size;
//   if (!breaker.allow_claim(now, max)) -> claim nothing; sleep until breaker.next_probe_at()
//   claim at most `max` messages (1 for the probe of a half-open breaker);
//   nothing claimed, or the batch failed before sending -> breaker.probe_abandoned();
//   sent -> breaker.record(successes, failures, now).
// The worker that is handed the probe (state half-open, max set to 1) must end it with record() or
// probe_abandoned() on every path, exceptions too: until then no other probe goes, and the breaker
// stays half-open.
//
// What counts as a failure is the caller's choice (e.g. a retryable or permanent plugin error,
// not a message made dead for its own content). Thread-safe: the destination's workers share one.
// The clock is passed in (steady clock), so tests drive it by hand; nothing here sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "core/failure_ratio.hpp"  // parse_failure_ratio, for the config
#include "core/send_window.hpp"

namespace outboxd {

enum class BreakerState { Closed, Open, HalfOpen };

// "closed", "open", "half_open": for logs, metrics labels and the API.
const char *breaker_state_name(BreakerState state);

struct BreakerSettings {
  int failures = 0;                                // consecutive failures that open it; 0: not by those
  double failure_ratio = 0;                        // failed share of the window's sends that opens it; 0: not by that
  std::chrono::milliseconds window{30000};         // the ratio's window
  int min_sends = 20;                              // sends in the window before the ratio counts
  std::chrono::milliseconds cool_off{1000};        // the first wait before a probe
  std::chrono::milliseconds max_cool_off{300000};  // doubling stops here
  // Off unless either way of opening it is on.
  bool enabled() const { return failures > 0 || failure_ratio > 0; }
};

// A change of state, handed to the breaker's observer.
struct BreakerTransition {
  BreakerState from = BreakerState::Closed, to = BreakerState::Closed;
  // Closed -> Open: the consecutive failures that opened it. Otherwise 0.
  int consecutive_failures = 0;
  // Closed -> Open by the failure ratio (then consecutive_failures is 0): the window's figures.
  bool by_ratio = false;
  uint64_t window_sends = 0, window_failures = 0;
  double failure_ratio = 0;               // the configured limit it reached
  std::chrono::milliseconds window{0};    // the window's length
  // -> Open: how long until the next probe. Otherwise 0.
  std::chrono::milliseconds cool_off{0};
  // -> Closed because the breaker was turned off (update() with failures 0), not by a success.
  bool turned_off = false;
  // 1, 2, 3 ... per breaker, in the order its state changed (assigned under its mutex). The
  // observer runs outside the mutex, so two threads' changes can reach it in the other order;
  // this says which is newer (core/breaker_board.cpp keeps the newest).
  uint64_t sequence = 0;
};

// One log line for a transition of `destination`'s breaker, e.g. "breaker of mail opened after 5
// consecutive failures; next probe in 1.0 s" or "breaker of mail opened: 12 of 20 sends failed in
// the last 30 s (60%, breaker_failure_ratio 50%); next probe in 1.0 s".
std::string describe_transition(const BreakerTransition &t, std::string_view destination);

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  using State = BreakerState;
  // Called after every change of state, in the thread that caused it, with no lock held (it may
  // call the breaker). Two changes made by two threads at once may reach it in either order; each
  // says where it came from and went.
  using Observer = std::function<void(const BreakerTransition &)>;

  explicit CircuitBreaker(const BreakerSettings &settings, Observer on_change = nullptr);

  // May this caller claim now, and how much? Closed (or off): true, `max_messages` untouched.
  // Open before next_probe_at(): false. Open after it: turns half-open and hands this caller the
  // probe: true with `max_messages` set to 1. Half-open while the probe is out: false; after
  // probe_abandoned(): the next caller gets the probe.
  bool allow_claim(Clock::time_point now, int &max_messages);
  // The same, and `probe` says whether this caller was handed the probe (it must then end it with
  // record() or probe_abandoned()); reading state() afterwards could see another caller's probe.
  bool allow_claim(Clock::time_point now, int &max_messages, bool &probe);

  // The sends of one batch: how many succeeded and how many failed (the order within a batch is not
  // known, so a batch with any success counts as the destination answering).
  // - Closed: a success resets the consecutive failures; a batch of failures only adds them, and
  //   reaching `failures` opens the breaker for `cool_off`. Every send also goes into the window:
  //   with failure_ratio on, at least min_sends in it of which at least that share failed opens
  //   the breaker too. Opening and closing empty the window, so a recovered destination starts
  //   afresh.
  // - Half-open: a success closes it (the cool-off starts over from `cool_off`); a failure opens it
  //   again for twice the last cool-off, at most max_cool_off. Any batch counts here, not only the
  //   probe's: one claimed before the breaker opened says as much about the destination.
  // - Open: ignored. Such a batch was claimed before the breaker opened.
  // record(0, 0) changes nothing; a probe that sent nothing is probe_abandoned().
  void record(int successes, int failures, Clock::time_point now);

  // The probe's batch sent nothing (nothing to claim, a database error, shutting down): another
  // caller may take the probe. Does nothing unless half-open.
  void probe_abandoned();

  // A reload's settings. failures 0 with failure_ratio 0 turns the breaker off: it closes at once
  // (if it was not) and counts nothing. Otherwise the state and a pending next_probe_at() stand; the
  // new cool-off bounds apply from the next opening, a consecutive count already at the new
  // threshold opens the breaker at the next failure, and a new window length starts the window
  // afresh (its buckets were cut for the old one).
  void update(const BreakerSettings &settings);

  State state() const;
  // While open: when the cool-off ends and allow_claim() hands out the probe. Otherwise
  // Clock::time_point() (long past).
  Clock::time_point next_probe_at() const;
  // How often the breaker has opened (from closed or from half-open) since it was made.
  uint64_t opened_total() const;
  int consecutive_failures() const;

 private:
  // Each changes state with mu_ held and returns the transition to report.
  BreakerTransition open_locked(Clock::time_point now, std::chrono::milliseconds cool_off);
  BreakerTransition close_locked();
  // Closed: the window's sends say the ratio is reached.
  bool ratio_reached_locked(Clock::time_point now, SendWindow::Totals &totals) const;
  void report(const BreakerTransition &t) const;
  std::chrono::milliseconds first_cool_off() const;  // cool_off, never above max_cool_off

  const Observer on_change_;
  mutable std::mutex mu_;
  BreakerSettings settings_;
  State state_ = State::Closed;
  int consecutive_failures_ = 0;
  SendWindow window_;
  std::chrono::milliseconds last_cool_off_{0};  // of the current or last opening
  Clock::time_point next_probe_at_;
  bool probe_out_ = false;  // half-open: a caller holds the probe
  uint64_t opened_total_ = 0;
  uint64_t transitions_ = 0;  // the last BreakerTransition::sequence handed out
};

}  // namespace outboxd
