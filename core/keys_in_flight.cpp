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
  waiting_[key] = std::min(due, Clock::now() + kMaxWait);
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

void KeysInFlight::set_windowing(int worker, bool windowing) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (windowing) {
    windowing_.insert(worker);
  } else {
    windowing_.erase(worker);
  }
}

bool KeysInFlight::anyone_windowing() {
  std::lock_guard<std::mutex> lock(mutex_);
  return !windowing_.empty();
}

KeysInFlight::Turn KeysInFlight::claim_turn(const std::atomic<bool> &stopping) {
  std::unique_lock<std::mutex> lock(turn_mutex_);
  while (!stopping.load()) {
    if (!turn_taken_) {
      turn_taken_ = true;
      return Turn(this);
    }
    turn_cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return Turn();
}

void KeysInFlight::Turn::release() {
  if (keys_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(keys_->turn_mutex_);
    keys_->turn_taken_ = false;
  }
  keys_->turn_cv_.notify_one();
  keys_ = nullptr;
}

}  // namespace outboxd
