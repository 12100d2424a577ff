// The keys a lane's windows leave out (core/keys_in_flight.hpp).
#include "core/keys_in_flight.hpp"

#include <algorithm>

namespace outboxd {

void KeysInFlight::hold(int worker, std::vector<std::string> keys) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (keys.empty()) {
    held_.erase(worker);
  } else {
    held_[worker] = std::move(keys);
  }
}

void KeysInFlight::wait_for_retry(const std::string &key, Clock::time_point due) {
  std::lock_guard<std::mutex> lock(mutex_);
  waiting_[key] = due;
  if (waiting_.size() <= kMaxWaitingKeys) return;
  auto soonest = std::min_element(waiting_.begin(), waiting_.end(),
                                  [](const auto &a, const auto &b) { return a.second < b.second; });
  waiting_.erase(soonest);
}

std::vector<std::string> KeysInFlight::left_out_for(int worker, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  for (const auto &[w, keys] : held_)
    if (w != worker) out.insert(out.end(), keys.begin(), keys.end());
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second <= now) {
      it = waiting_.erase(it);
    } else {
      out.push_back(it->first);
      ++it;
    }
  }
  return out;
}

std::unique_lock<std::timed_mutex> KeysInFlight::claim_turn(const std::atomic<bool> &stopping) {
  std::unique_lock<std::timed_mutex> turn(claim_mutex_, std::defer_lock);
  while (!stopping.load())
    if (turn.try_lock_for(std::chrono::milliseconds(50))) break;
  if (turn && stopping.load()) turn.unlock();
  return turn;
}

}  // namespace outboxd
