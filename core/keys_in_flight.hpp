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
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace outboxd {

class KeysInFlight {
 public:
  using Clock = std::chrono::steady_clock;
  // At most this many keys wait for a retry here; past it the soonest due are forgotten (their
  // windows then walk past them as before).
  static constexpr size_t kMaxWaitingKeys = 10000;

  // The keys of `worker`'s open batch (none: release).
  void hold(int worker, std::vector<std::string> keys);
  void release(int worker) { hold(worker, {}); }
  // `key`'s message is to be retried at `due`: its next rows wait until then.
  void wait_for_retry(const std::string &key, Clock::time_point due);
  // The keys `worker`'s window leaves out at `now`: the other workers' and those waiting for a retry.
  std::vector<std::string> left_out_for(int worker, Clock::time_point now);

  // Held around a claim of keys' runs and the hold() of its keys. Two such claims at once walk the
  // same rows side by side, each locking what the other skipped, and split every run between them:
  // both then leave most of their windows for the keys the other holds. Waits while another worker
  // claims (up to its statement_timeout, should the database stall), but returns an empty lock as
  // soon as `stopping` is set: a stopping daemon claims nothing new.
  std::unique_lock<std::timed_mutex> claim_turn(const std::atomic<bool> &stopping);

 private:
  std::mutex mutex_;
  std::timed_mutex claim_mutex_;
  std::map<int, std::vector<std::string>> held_;
  std::map<std::string, Clock::time_point> waiting_;  // key -> when its retry is due
};

}  // namespace outboxd
