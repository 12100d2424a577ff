// The ordering keys a lane's workers hold in their open batches. A worker's claim of keys' runs
// (sql/queries/message_claim_key_runs.sql) leaves these keys out of its window: their next rows
// wait for the batch that holds the rows before them, and locked by the claim they would stay
// locked, unsent, until it ended, out of reach of the worker that could send them next (two
// workers draining runs then kept splitting each other's: most windows came back empty).
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
  void hold(int worker, std::vector<std::string> keys) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (keys.empty()) {
      held_.erase(worker);
    } else {
      held_[worker] = std::move(keys);
    }
  }
  void release(int worker) { hold(worker, {}); }
  // Held around a claim of keys' runs and the hold() of its keys. Two such claims at once walk the
  // same rows side by side, each locking what the other skipped, and split every run between them:
  // both then leave most of their windows for the keys the other holds. Waits while another worker
  // claims (up to its statement_timeout, should the database stall), but returns an empty lock as
  // soon as `stopping` is set: a stopping daemon claims nothing new.
  std::unique_lock<std::timed_mutex> claim_turn(const std::atomic<bool> &stopping) {
    std::unique_lock<std::timed_mutex> turn(claim_mutex_, std::defer_lock);
    while (!stopping.load())
      if (turn.try_lock_for(std::chrono::milliseconds(50))) break;
    if (turn && stopping.load()) turn.unlock();
    return turn;
  }
  // Every key the lane's other workers hold now.
  std::vector<std::string> held_by_others(int worker) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto &[w, keys] : held_)
      if (w != worker) out.insert(out.end(), keys.begin(), keys.end());
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::timed_mutex claim_mutex_;
  std::map<int, std::vector<std::string>> held_;
};

}  // namespace outboxd
