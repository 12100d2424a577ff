// The ordering keys a lane's windows (sql/queries/message_claim_key_runs.sql) leave out: those
// the lane's other workers hold in their open batches, and those whose message this daemon just
// scheduled for a retry. Either key's next rows cannot be sent now, and a window that took them
// would lock them, leave them unsent until its batch ended, and fill with them: two workers
// draining runs kept splitting each other's (most windows came back empty), and a key waiting for
// a retry filled every window with its run until the plain claim walked past it, a 60-80 ms walk
// each time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace outboxd {

class KeysInFlight {
 public:
  using Clock = std::chrono::steady_clock;
  // At most this many keys wait for a retry here; past it the soonest due are forgotten (their
  // windows then walk past them as before).
  static constexpr size_t kMaxWaitingKeys = 1000;
  // A key is left out for its retry's delay but no longer than this: its message may be
  // cancelled, or sent by another daemon, and nothing here would hear of it.
  static constexpr std::chrono::seconds kMaxWait{5};

  // The keys of `worker`'s open batch (none: release).
  void hold(int worker, std::vector<std::string> keys);
  void release(int worker) { hold(worker, {}); }
  // `key`'s message is to be retried at `due`: its next rows wait until then.
  void wait_for_retry(const std::string &key, Clock::time_point due);
  // The keys `worker`'s window leaves out at `now`: the other workers' and those waiting for a retry.
  std::vector<std::string> left_out_for(int worker, Clock::time_point now);
  // Whether `worker` claims keys' runs now; and whether any worker of the lane does, so that a plain
  // claim needs the turn too (its keys must be known before that worker's next window).
  void set_windowing(int worker, bool windowing);
  bool anyone_windowing();

  // The lane's turn to claim, held (and given back when it goes) by one worker at a time.
  class Turn {
   public:
    Turn() = default;
    explicit Turn(KeysInFlight *keys) : keys_(keys) {}
    Turn(Turn &&other) noexcept : keys_(std::exchange(other.keys_, nullptr)) {}
    Turn &operator=(Turn &&other) noexcept {
      release();
      keys_ = std::exchange(other.keys_, nullptr);
      return *this;
    }
    Turn(const Turn &) = delete;
    Turn &operator=(const Turn &) = delete;
    ~Turn() { release(); }
    explicit operator bool() const { return keys_ != nullptr; }
    void release();

   private:
    KeysInFlight *keys_ = nullptr;
  };
  // Taken around a claim of keys' runs and the hold() of its keys. Two such claims at once walk the
  // same rows side by side, each locking what the other skipped, and split every run between them:
  // both then leave most of their windows for the keys the other holds. Waits while another worker
  // claims (its statements' timeouts, should the database stall), but returns no turn as soon as
  // `stopping` is set: a stopping daemon claims nothing new. (A flag under a condition variable,
  // not a timed mutex: ThreadSanitizer does not follow the clock-locking call a timed wait uses.)
  Turn claim_turn(const std::atomic<bool> &stopping);

 private:
  std::mutex mutex_;
  std::mutex turn_mutex_;
  std::condition_variable turn_cv_;
  bool turn_taken_ = false;
  std::map<int, std::vector<std::string>> held_;
  std::map<std::string, Clock::time_point> waiting_;  // key -> when its retry is due
  std::set<int> windowing_;
};

}  // namespace outboxd
