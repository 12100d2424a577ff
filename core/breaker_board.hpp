// The latest state of each of this daemon's circuit breakers, as the lanes report their changes
// (core/lane.cpp), for the publisher that writes them to PostgreSQL (core/breaker_publisher.hpp).
// Separate from the lanes because the engine makes and retires lanes, while the board and its
// publisher live as long as the daemon: one board per process (breaker_board()). A note is a map
// write under a mutex and never waits on the database, so a worker whose batch changed its breaker
// goes on at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/circuit_breaker.hpp"

namespace outboxd {

class BreakerBoard {
 public:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::string destination;
    BreakerState state = BreakerState::Closed;
    std::string reason;               // the change's log line
    Clock::time_point changed_at;
    Clock::time_point next_probe_at;  // while open
  };

  // The lanes of a destination come and go with reloads, and a retired lane's workers finish the
  // batch they are sending, so its breaker may still change after a new lane of the same name
  // took over. Each lane is the board's `owner` of its destination's entry from lane_opened to
  // lane_retired; a note from any other lane is dropped.
  // A lane was opened: it owns the destination's entry, and an entry left by an earlier lane of
  // that name starts again closed, as the new lane's breaker does.
  void lane_opened(const std::string &destination, const void *owner, Clock::time_point now);
  // A lane's breaker changed (called by its observer, in the thread that changed it). A change
  // older than one noted already (two threads' changes arriving in the other order) is dropped.
  void note(const std::string &destination, const void *owner, const BreakerTransition &t, Clock::time_point now);

  // Waits until a change is noted, `stop()` is called or `max_wait` has passed; then returns the
  // entries changed since the last take, or every entry when `all`. False once stopped.
  bool take(std::chrono::milliseconds max_wait, bool all, std::vector<Entry> &out);
  // The destination's lane was retired (a reload removed it), and its breaker with it: it owns
  // the entry no more, and an entry not closed becomes closed, saying why, so that stats do not
  // show a breaker open that no longer exists.
  void lane_retired(const std::string &destination, const void *owner, Clock::time_point now);
  // A take's entries could not be written: they go out again with the next take.
  void put_back(const std::vector<Entry> &entries);
  // Waits `d` unless stopped meanwhile; false once stopped (a publisher's backoff after a failure).
  bool sleep(std::chrono::milliseconds d);
  void stop();
  void restart();  // for tests that run several publishers in one process, one after another

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, bool> dirty_;
  std::map<std::string, const void *> owners_;  // the lane whose notes count, per destination
  std::map<std::string, uint64_t> sequences_;    // the owner's newest BreakerTransition::sequence noted
  bool stopped_ = false;

  // Sets the destination's entry and marks it for the publisher; under mu_.
  void set_locked(const std::string &destination, BreakerState state, std::string reason, Clock::time_point changed_at,
                  Clock::time_point next_probe_at);
};

// The process's board.
BreakerBoard &breaker_board();

}  // namespace outboxd
